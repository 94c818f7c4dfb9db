// A client connection taken over after `101 UPGRADED` (attach, exec start): it carries raw bytes
// both ways. Implemented by the HTTP layer, used by actors that own the other end (a container's
// shim). Berth never interprets them; it splices the connection to a unix socket (a shim's
// attach socket) once that exists. Until then the client's input stays in its socket buffer, so
// nothing typed before the container starts is lost. Thread-safe.
#pragma once

#include <functional>
#include <string>

namespace berth {

/// What a splice may do to the client-to-socket direction.
struct splice_options {
  std::string preamble;       ///< written to the socket first (e.g. the shim's attach header)
  std::string detach_keys;    ///< client input that ends the session (e.g. "\x10\x11"), "" = none
  bool forward_input = true;  ///< false: client input is read and dropped
};

class spliceable_connection {
public:
  virtual ~spliceable_connection() = default;

  /// Connects to the unix socket at `path` and relays both ways until the socket side ends (then
  /// the client connection closes) or the client goes away. `on_connected(ok)` runs once the
  /// socket connection is made (or failed); `on_done` when the relay has ended.
  virtual void splice(std::string path, splice_options options,
                      std::function<void(bool ok)> on_connected,
                      std::function<void()> on_done) = 0;

  /// Sends `data` to the client and closes the connection (e.g. an error, or a finished stream).
  virtual void finish(std::string data) = 0;

  /// Runs `fn` once if the client disconnects before a splice ends.
  virtual void on_client_gone(std::function<void()> fn) = 0;
};

} // namespace berth
