// One attach connection: its header, its bounded output buffer (Docker stdcopy frames or raw
// TTY bytes) and its input towards the container's stdin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shim/io.hpp"
#include "shim/json_log.hpp"

namespace berth::shim {

/// What a client asked for in its header line.
struct attach_request {
  bool want_stdin = false;
  bool want_stdout = false;
  bool want_stderr = false;
};

/// Parses "attach stdin=<0|1> stdout=<0|1> stderr=<0|1>" (without the newline).
[[nodiscard]] std::optional<attach_request> parse_attach_header(std::string_view line);

/// Appends Docker's stdcopy frame header: stream byte, three zero bytes, big-endian length.
void append_stdcopy_header(std::string& out, output_stream stream, uint32_t length);

/// One attached client. Output is queued whole-frame: a frame that does not fit in the
/// client's buffer is dropped (and counted) so a slow client never holds the container up.
class attach_client {
 public:
  /// Output bytes a client may have queued.
  static constexpr size_t max_buffered = 1 << 20;
  /// Longest header line.
  static constexpr size_t max_header = 256;

  explicit attach_client(fd sock) : sock_(std::move(sock)) {}

  [[nodiscard]] int socket() const noexcept { return sock_.get(); }
  [[nodiscard]] bool has_header() const noexcept { return request_.has_value(); }
  [[nodiscard]] const attach_request& request() const { return *request_; }

  /// Reads the header; afterwards, bytes that followed it in the same read are in `input`.
  /// Returns false when the connection is bad (closed, or the header is invalid).
  [[nodiscard]] bool read_header(std::string& input);

  /// Queues `data` of `stream` if the client wants it; `tty` sends raw bytes instead of frames.
  void send(output_stream stream, std::string_view data, bool tty);

  /// Writes queued output without blocking; false when the client is gone.
  [[nodiscard]] bool write_pending();
  [[nodiscard]] bool has_pending() const noexcept { return sent_ < out_.size(); }

  /// Reads input (after the header) without blocking into `input`, at most `max` bytes.
  /// Returns false at end of input (the client half-closed or went away).
  [[nodiscard]] bool read_input(std::string& input, size_t max);
  [[nodiscard]] bool input_closed() const noexcept { return input_closed_; }
  void mark_input_closed() noexcept { input_closed_ = true; }

  [[nodiscard]] uint64_t drops() const noexcept { return drops_; }

  /// Closes the connection (the client is removed at the end of the loop iteration).
  void close() noexcept { sock_.reset(); }
  [[nodiscard]] bool closed() const noexcept { return !sock_; }

 private:
  fd sock_;
  std::string header_;
  std::optional<attach_request> request_;
  std::string out_;
  size_t sent_ = 0;
  bool input_closed_ = false;
  uint64_t drops_ = 0;
};

} // namespace berth::shim
