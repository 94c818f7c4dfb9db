// Following a json-file container log while it is written (docker logs -f, a build's RUN
// output): complete lines read as they arrive, waiting on inotify of the log's directory (writes,
// a rotation's new file) and on an eventfd that other threads use to wake the follower. Blocking:
// run it on a thread of its own, never on the scheduler or the bounded blocking pool.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <sys/types.h>

#include "base/fd.hpp"
#include "runtime/json_log.hpp"

namespace berth::runtime {

/// Wakes a follower from other threads. Thread-safe.
class log_follow_signal {
 public:
  log_follow_signal();
  /// The writer is done (the container exited): the follower reads what is left and returns.
  void finish();
  /// Makes the follower look again, e.g. whether its reader is still there.
  void wake();
  [[nodiscard]] bool finished() const { return finished_.load(); }
  [[nodiscard]] int fd() const { return wake_.get(); }

 private:
  unique_fd wake_;
  std::atomic<bool> finished_{false};
};

/// Receives each entry; false stops reading (the reader went away).
using log_entry_sink = std::function<bool(const log_entry&)>;

/// Reads the complete lines of `fd` from `offset` to its end, hands each parsed entry to `emit`
/// and keeps an incomplete last line in `carry`. False as soon as `emit` returns false.
[[nodiscard]] bool read_log_lines(int fd, off_t& offset, std::string& carry,
                                  const log_entry_sink& emit);

/// Where a reader stopped in a log.
struct log_position {
  off_t offset = 0;
  ino_t inode = 0; ///< the file `offset` is in (0: none, start the live file from its beginning)
};

/// Follows the live log at `path` from `from` until `signal` is finished, then reads once more
/// (the writer flushed its last lines before it finished) and returns. A new file at `path` (a
/// rotation) is read from its beginning once the old one is read to its end, a file cut short
/// from its beginning too. Each entry goes to `emit`; `deliver`
/// is called after each read and after each wake-up (it hands over what `emit` gathered and says
/// whether the reader is still there). Returns as soon as either says false.
void follow_log(const std::string& path, log_position from, log_follow_signal& signal,
                const log_entry_sink& emit, const std::function<bool()>& deliver);

} // namespace berth::runtime
