// Progress reporting with dockerd's statuses and throttling.
#include "distribution/progress_output.hpp"

namespace berth::distribution {

void progress_reporter::message(const std::string& id, const std::string& text) {
  if (!out_) return;
  json_message m;
  m.id = id;
  m.status = text;
  out_->write(m, false);
}

void progress_reporter::status(const std::string& id, const std::string& action) {
  if (!out_) return;
  json_message m;
  m.id = id;
  m.status = action;
  m.progress = progress_detail{};
  out_->write(m, false);
}

void progress_reporter::progress(const std::string& id, const std::string& action, uint64_t current,
                                 uint64_t total) {
  if (!out_) return;
  const bool last = total != 0 && current >= total;
  {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard guard{mutex_};
    auto key = action + "\n" + id;
    auto [it, first] = last_update_.try_emplace(key, now);
    if (!first && !last && now - it->second < progress_interval) return;
    it->second = now;
  }
  json_message m;
  m.id = id;
  m.status = action;
  m.progress = progress_detail{current, total};
  out_->write(m, !last);
}

void progress_reporter::aux(nlohmann::ordered_json data) {
  if (!out_) return;
  json_message m;
  m.aux = std::move(data);
  out_->write(m, false);
}

std::string retrying_in(std::chrono::milliseconds delay) {
  auto seconds = std::max<int64_t>(1, (delay.count() + 999) / 1000);
  return "Retrying in " + std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

} // namespace berth::distribution
