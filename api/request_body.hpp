// A request body that arrives while its handler already runs (uploads: load, import, build,
// archive PUT). The connection pushes chunks in; a blocking consumer (a job on the blocking pool)
// reads them out. Bounded: when the buffer is full the connection stops reading the socket until
// the consumer catches up, so a fast client never fills memory.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

#include "base/byte_source.hpp"

namespace berth::api {

class request_body final : public byte_source {
public:
  static constexpr size_t high_watermark = 8 << 20;
  static constexpr size_t low_watermark = 2 << 20;

  // -- producer side (the connection) ----------------------------------------------------------

  /// Appends a chunk; dropped silently once the consumer abandoned the body.
  void push(std::string chunk);
  /// The body is complete.
  void finish();
  /// The body will never complete (client gone, malformed chunking).
  void fail(caf::error err);
  /// True while the buffer is below the high watermark.
  [[nodiscard]] bool wants_more() const;
  /// Runs `resume` once (from the consumer's thread) when the buffer drains below the low
  /// watermark; the connection uses it to start reading again.
  void on_space(std::function<void()> resume);

  // -- consumer side ---------------------------------------------------------------------------

  /// Blocks until data, the end (0) or the failure.
  [[nodiscard]] caf::expected<size_t> read(char* buf, size_t n) override;
  /// The consumer stops reading: further chunks are discarded.
  void abandon();
  /// True once the consumer abandoned the body.
  [[nodiscard]] bool abandoned() const;

private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> chunks_;
  size_t offset_ = 0; ///< consumed bytes of chunks_.front()
  size_t buffered_ = 0;
  bool finished_ = false;
  bool abandoned_ = false;
  caf::error failure_;
  std::function<void()> resume_;
};

} // namespace berth::api
