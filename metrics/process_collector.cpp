// The standard process_* metrics from /proc/self.
#include "metrics/process_collector.hpp"

#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "base/time.hpp"

namespace berth::metrics {

namespace {

struct proc_stat {
  double cpu_seconds = 0;
  long threads = 0;
  long rss_pages = 0;
  double vsize = 0;
};

proc_stat read_proc_stat() {
  proc_stat out;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return out;
  // Fields after the command name (which may hold spaces) start after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return out;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  long ticks = sysconf(_SC_CLK_TCK);
  double utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {
    if (i == 14)
      utime = std::stod(field);
    else if (i == 15)
      stime = std::stod(field);
    else if (i == 20)
      out.threads = std::stol(field);
    else if (i == 23)
      out.vsize = std::stod(field);
    else if (i == 24) {
      out.rss_pages = std::stol(field);
      break;
    }
  }
  out.cpu_seconds = (utime + stime) / static_cast<double>(ticks);
  return out;
}

double count_open_fds() {
  double n = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (auto* e = ::readdir(d))
      if (e->d_name[0] != '.') ++n;
    ::closedir(d);
  }
  return n > 0 ? n - 1 : 0; // minus the directory handle itself
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter)
    m.counter.value = value;
  else
    m.gauge.value = value;
  f.metric.push_back(m);
  return f;
}

} // namespace

long resident_bytes() {
  return read_proc_stat().rss_pages * sysconf(_SC_PAGESIZE);
}

process_collector::process_collector()
    : start_time_seconds_(static_cast<double>(unix_nanos_now()) / 1e9) {}

std::vector<prometheus::MetricFamily> process_collector::Collect() const {
  auto s = read_proc_stat();
  using prometheus::MetricType;
  return {
      family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
             MetricType::Counter, s.cpu_seconds),
      family("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::Gauge,
             static_cast<double>(s.rss_pages * sysconf(_SC_PAGESIZE))),
      family("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::Gauge,
             s.vsize),
      family("process_open_fds", "Number of open file descriptors.", MetricType::Gauge,
             count_open_fds()),
      family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
             MetricType::Gauge, start_time_seconds_),
      family("process_threads", "Number of OS threads in the process.", MetricType::Gauge,
             static_cast<double>(s.threads)),
  };
}

} // namespace berth::metrics
