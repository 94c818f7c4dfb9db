// A progress output for tests: keeps every message (and whether it was droppable).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "distribution/progress_output.hpp"

namespace berth::distribution {

class recording_output final : public progress_output {
 public:
  void write(const json_message& message, bool droppable) override {
    std::lock_guard guard{mutex_};
    messages_.push_back(message);
    droppable_.push_back(droppable);
  }
  std::vector<json_message> messages() const {
    std::lock_guard guard{mutex_};
    return messages_;
  }
  std::vector<bool> droppable() const {
    std::lock_guard guard{mutex_};
    return droppable_;
  }
  /// Statuses written for `id`, in order, each once in a row ("Downloading" repeated counts once).
  std::vector<std::string> statuses(const std::string& id) const {
    std::lock_guard guard{mutex_};
    std::vector<std::string> out;
    for (const auto& m : messages_)
      if (m.id == id && (out.empty() || out.back() != m.status)) out.push_back(m.status);
    return out;
  }
  /// Every status text, in order.
  std::string text() const {
    std::lock_guard guard{mutex_};
    std::string out;
    for (const auto& m : messages_)
      out += (m.id.empty() ? "" : m.id + ": ") + m.status + "\n";
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<json_message> messages_;
  std::vector<bool> droppable_;
};

} // namespace berth::distribution
