// Interface counters from /proc/<pid>/net/dev.
#include "net/net_dev.hpp"

#include "base/sys.hpp"
#include "base/text_fields.hpp"

namespace berth::net {

std::vector<interface_statistics> parse_net_dev(std::string_view text) {
  std::vector<interface_statistics> out;
  for (auto line : text_lines(text)) {
    // "  eth0: 1296 16 0 0 0 0 0 0 656 8 0 0 0 0 0 0"; interface names cannot hold ':'.
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = text_fields(line.substr(0, colon));
    auto values = text_fields(line.substr(colon + 1));
    if (name.size() != 1 || values.size() < 16) continue;
    uint64_t v[16];
    bool valid = true;
    for (size_t i = 0; i < 16 && valid; ++i) {
      auto n = parse_u64(values[i]);
      valid = n.has_value();
      v[i] = n.value_or(0);
    }
    if (!valid) continue;
    interface_statistics s;
    s.name = std::string(name[0]);
    s.counters.rx_bytes = v[0];
    s.counters.rx_packets = v[1];
    s.counters.rx_errors = v[2];
    s.counters.rx_dropped = v[3];
    s.counters.tx_bytes = v[8];
    s.counters.tx_packets = v[9];
    s.counters.tx_errors = v[10];
    s.counters.tx_dropped = v[11];
    out.push_back(std::move(s));
  }
  return out;
}

caf::expected<std::vector<interface_statistics>> read_net_dev(int pid) {
  auto text = sys::read_file("/proc/" + std::to_string(pid) + "/net/dev", 4 << 20);
  if (!text) return text.error();
  return parse_net_dev(*text);
}

} // namespace berth::net
