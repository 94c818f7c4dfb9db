// Where a pull or push reports its progress (the API writes it to the client as Docker's JSON
// message stream), and the reporter the transfer code talks to: it names Docker's statuses and
// throttles byte progress so that reporting never slows a transfer down.
// Thread-safety: outputs and the reporter are called from many transfer threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "distribution/json_message.hpp"

namespace berth::distribution {

class progress_output {
 public:
  virtual ~progress_output() = default;

  /// Writes one message. `droppable` marks byte-progress updates the output may skip when the
  /// client is behind (statuses are never dropped). Must not block for long.
  virtual void write(const json_message& message, bool droppable) = 0;
};

/// Shortest interval between two byte-progress updates of one ID (dockerd: 100 ms).
inline constexpr std::chrono::milliseconds progress_interval{100};

class progress_reporter {
 public:
  /// Reports to `out`; a null output discards everything (tests, internal pulls).
  explicit progress_reporter(std::shared_ptr<progress_output> out) : out_(std::move(out)) {}

  /// A plain message: "Pulling from library/busybox" (id "1"), "Digest: sha256:...".
  void message(const std::string& id, const std::string& text);

  /// A per-layer status with an empty progressDetail: "Pulling fs layer", "Pull complete".
  void status(const std::string& id, const std::string& action);

  /// Byte progress ("Downloading", "Extracting", "Pushing"): at most one update per ID every
  /// progress_interval, except the first and the last (current == total).
  void progress(const std::string& id, const std::string& action, uint64_t current, uint64_t total);

  /// Out-of-band data (push's {"Tag","Digest","Size"}).
  void aux(nlohmann::ordered_json data);

 private:
  std::shared_ptr<progress_output> out_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> last_update_;
};

/// "Retrying in 5 seconds" / "Retrying in 1 second".
[[nodiscard]] std::string retrying_in(std::chrono::milliseconds delay);

} // namespace berth::distribution
