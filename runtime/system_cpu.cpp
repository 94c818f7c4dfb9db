// The host's CPU time from /proc/stat.
#include "runtime/system_cpu.hpp"

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/text_fields.hpp"

namespace berth::runtime {

caf::expected<system_cpu> parse_proc_stat(std::string_view text) {
  system_cpu out;
  bool total_seen = false;
  // The cpu lines come first (glibc assumes it too); the first other line ends them.
  for (auto line : text_lines(text)) {
    if (line.size() < 4 || line.substr(0, 3) != "cpu") break;
    if (line[3] == ' ') {
      auto f = text_fields(line);
      if (f.size() < 8) return make_error(errc::invalid_argument, "invalid number of cpu fields");
      uint64_t ticks = 0;
      for (size_t i = 1; i < 8; ++i) {
        auto v = parse_u64(f[i]);
        if (!v)
          return make_error(errc::invalid_argument,
                            "unable to convert value " + std::string(f[i]) + " to int");
        ticks += *v;
      }
      out.usage_ns = ticks * (1'000'000'000 / clock_ticks_per_second);
      total_seen = true;
    } else if (line[3] >= '0' && line[3] <= '9') {
      ++out.online_cpus;
    }
  }
  if (!total_seen) return make_error(errc::invalid_argument, "no cpu line in /proc/stat");
  return out;
}

caf::expected<system_cpu> read_system_cpu() {
  auto text = sys::read_file("/proc/stat", 4 << 20);
  if (!text) return text.error();
  return parse_proc_stat(*text);
}

} // namespace berth::runtime
