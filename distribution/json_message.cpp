// Docker's JSON message stream.
#include "distribution/json_message.hpp"

#include <cstdio>

#include "base/units.hpp"

namespace berth::distribution {

std::string progress_bar(const progress_detail& p) {
  if (p.current == 0 && p.total == 0) return {};
  auto current = units::human_size(static_cast<double>(p.current));
  char numbers[96];
  if (p.total == 0) {
    std::snprintf(numbers, sizeof numbers, "%8s", current.c_str());
    return numbers;
  }
  // jsonmessage: percent/2 '=' signs (50 at most), '>' and spaces up to 50.
  int half_percent =
      static_cast<int>(static_cast<double>(p.current) / static_cast<double>(p.total) * 100) / 2;
  half_percent = std::min(half_percent, 50);
  std::string bar = "[" + std::string(static_cast<size_t>(half_percent), '=') + ">" +
                    std::string(static_cast<size_t>(50 - half_percent), ' ') + "] ";
  if (p.current > p.total) {
    std::snprintf(numbers, sizeof numbers, "%8s", current.c_str());
  } else {
    auto total = units::human_size(static_cast<double>(p.total));
    std::snprintf(numbers, sizeof numbers, "%8s/%s", current.c_str(), total.c_str());
  }
  return bar + numbers;
}

std::string format_json_message(const json_message& m) {
  // Go's encoding/json writes the struct's fields in declaration order; so do we.
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  if (!m.status.empty()) j["status"] = m.status;
  if (m.progress) {
    auto detail = nlohmann::ordered_json::object();
    if (m.progress->current) detail["current"] = m.progress->current;
    if (m.progress->total) detail["total"] = m.progress->total;
    j["progressDetail"] = std::move(detail);
    auto bar = progress_bar(*m.progress);
    if (!bar.empty()) j["progress"] = std::move(bar);
  }
  if (!m.id.empty()) j["id"] = m.id;
  if (m.error) {
    j["errorDetail"] = nlohmann::ordered_json{{"message", *m.error}};
    j["error"] = *m.error;
  }
  if (m.aux) j["aux"] = *m.aux;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\r\n";
}

} // namespace berth::distribution
