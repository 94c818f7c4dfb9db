// Reading one exec's output the way an attach client without stdin would, on the daemon's I/O
// threads: connect to exec-<id>.sock in the shim's state directory, send the attach header, and
// collect stdout and stderr (Docker's stdcopy frames) up to the probe output limit until the shim
// closes the stream. Healthchecks use it: dockerd keeps a probe's output for State.Health.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/health_state.hpp"

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace berth::runtime {

/// Splits a stream of stdcopy frames (8-byte header: stream, 0, 0, 0, big-endian length; then
/// the payload) and appends every payload, in order, to a probe_output. Not thread-safe.
class stdcopy_collector {
 public:
  void feed(std::string_view data);
  [[nodiscard]] const probe_output& output() const { return output_; }

 private:
  unsigned char header_[8] = {};
  size_t header_bytes_ = 0;
  uint32_t payload_left_ = 0;
  probe_output output_;
};

/// One exec's output, read on the I/O threads. Thread-safe: `cancel` may be called from any
/// thread; the callbacks run on an I/O thread (keep them short, e.g. send a message).
class exec_output_reader : public std::enable_shared_from_this<exec_output_reader> {
 public:
  /// `true` once connected with the header sent (the shim then counts the reader among the
  /// exec's clients), `false` when the socket could not be reached (then `on_done` never runs).
  using connected_fn = std::function<void(bool)>;
  /// Exactly once after a successful connect: the output when the shim closed the stream (the
  /// exec has ended and its exit is recorded), or what came before `cancel` or a read error.
  using done_fn = std::function<void(std::string)>;

  /// Starts reading exec `exec_id` of the shim whose state directory is `state_dir`.
  [[nodiscard]] static std::shared_ptr<exec_output_reader>
  start(boost::asio::io_context& io, const std::string& state_dir, const std::string& exec_id,
        connected_fn on_connected, done_fn on_done);

  /// Stops reading: `on_done` runs with the output so far (if it has not run yet).
  void cancel();

  ~exec_output_reader();
  exec_output_reader(const exec_output_reader&) = delete;
  exec_output_reader& operator=(const exec_output_reader&) = delete;

 private:
  struct impl;
  explicit exec_output_reader(boost::asio::io_context& io);
  void connect(const std::string& state_dir, const std::string& exec_id);
  void read_more();
  void finish();

  std::unique_ptr<impl> impl_;
  connected_fn on_connected_;
  done_fn on_done_;
};

} // namespace berth::runtime
