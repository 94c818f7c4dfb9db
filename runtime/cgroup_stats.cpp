// A container's cgroup counters, v1 and v2, parsed the way containerd and dockerd read them.
#include "runtime/cgroup_stats.hpp"

#include <limits>

#include "base/text_fields.hpp"
#include "runtime/system_cpu.hpp"

namespace berth::runtime {

namespace {

constexpr uint64_t nanos_per_second = 1'000'000'000;
constexpr uint64_t max_uint64 = std::numeric_limits<uint64_t>::max();

// containerd's parseUint: a negative number (the kernel prints some limits as -1) reads as 0.
std::optional<uint64_t> parse_counter(std::string_view s) {
  if (auto v = parse_u64(s)) return v;
  if (s.size() > 1 && s.front() == '-' && parse_u64(s.substr(1))) return 0;
  return std::nullopt;
}

uint64_t value_of(const std::map<std::string, uint64_t>& raw, const std::string& key) {
  auto i = raw.find(key);
  return i == raw.end() ? 0 : i->second;
}

std::optional<uint64_t> read_value(const cgroup_file_reader& read, std::string_view controller,
                                   std::string_view file, uint64_t max_value) {
  auto text = read(controller, file);
  if (!text) return std::nullopt;
  return parse_single_value(*text, max_value);
}

uint64_t capped_limit(uint64_t limit, uint64_t machine_memory) {
  return machine_memory > 0 && limit > machine_memory ? machine_memory : limit;
}

// The keys dockerd copies out of a v1 memory.stat (missing ones are 0).
const std::vector<std::string>& memory_v1_keys() {
  static const std::vector<std::string> keys{
      "cache",
      "rss",
      "rss_huge",
      "mapped_file",
      "dirty",
      "writeback",
      "pgpgin",
      "pgpgout",
      "pgfault",
      "pgmajfault",
      "inactive_anon",
      "active_anon",
      "inactive_file",
      "active_file",
      "unevictable",
      "hierarchical_memory_limit",
      "hierarchical_memsw_limit",
      "total_cache",
      "total_rss",
      "total_rss_huge",
      "total_mapped_file",
      "total_dirty",
      "total_writeback",
      "total_pgpgin",
      "total_pgpgout",
      "total_pgfault",
      "total_pgmajfault",
      "total_inactive_anon",
      "total_active_anon",
      "total_inactive_file",
      "total_active_file",
      "total_unevictable",
  };
  return keys;
}

// The keys dockerd copies out of a v2 memory.stat.
const std::vector<std::string>& memory_v2_keys() {
  static const std::vector<std::string> keys{
      "anon",
      "file",
      "kernel_stack",
      "slab",
      "sock",
      "shmem",
      "file_mapped",
      "file_dirty",
      "file_writeback",
      "anon_thp",
      "inactive_anon",
      "active_anon",
      "inactive_file",
      "active_file",
      "unevictable",
      "slab_reclaimable",
      "slab_unreclaimable",
      "pgfault",
      "pgmajfault",
      "workingset_refault",
      "workingset_activate",
      "workingset_nodereclaim",
      "pgrefill",
      "pgscan",
      "pgsteal",
      "pgactivate",
      "pgdeactivate",
      "pglazyfree",
      "pglazyfreed",
      "thp_fault_alloc",
      "thp_collapse_alloc",
  };
  return keys;
}

std::map<std::string, uint64_t> pick(const std::map<std::string, uint64_t>& raw,
                                     const std::vector<std::string>& keys) {
  std::map<std::string, uint64_t> out;
  for (const auto& k : keys)
    out[k] = value_of(raw, k);
  return out;
}

cpu_counters cpu_v1(const cgroup_file_reader& read) {
  cpu_counters cpu;
  if (auto stat = read("cpuacct", "cpuacct.stat")) {
    auto raw = parse_flat_keyed(*stat);
    cpu.user_ns = value_of(raw, "user") * nanos_per_second / clock_ticks_per_second;
    cpu.kernel_ns = value_of(raw, "system") * nanos_per_second / clock_ticks_per_second;
  }
  cpu.total_ns = read_value(read, "cpuacct", "cpuacct.usage", 0).value_or(0);
  if (auto percpu = read("cpuacct", "cpuacct.usage_percpu"))
    cpu.percpu_ns = parse_percpu_usage(*percpu);
  if (auto stat = read("cpu", "cpu.stat")) {
    auto raw = parse_flat_keyed(*stat);
    cpu.throttling_periods = value_of(raw, "nr_periods");
    cpu.throttled_periods = value_of(raw, "nr_throttled");
    cpu.throttled_time_ns = value_of(raw, "throttled_time");
  }
  return cpu;
}

std::optional<memory_counters> memory_v1(const cgroup_file_reader& read, uint64_t machine_memory) {
  auto stat = read("memory", "memory.stat");
  if (!stat) return std::nullopt;
  memory_counters m;
  m.stats = pick(parse_flat_keyed(*stat), memory_v1_keys());
  m.usage = read_value(read, "memory", "memory.usage_in_bytes", 0).value_or(0);
  m.max_usage = read_value(read, "memory", "memory.max_usage_in_bytes", 0).value_or(0);
  m.failcnt = read_value(read, "memory", "memory.failcnt", 0).value_or(0);
  m.limit = capped_limit(read_value(read, "memory", "memory.limit_in_bytes", 0).value_or(0),
                         machine_memory);
  return m;
}

std::optional<pids_counters> pids_v1(const cgroup_file_reader& read) {
  auto current = read_value(read, "pids", "pids.current", 0);
  auto limit = read_value(read, "pids", "pids.max", 0); // containerd reads "max" as 0 on v1
  if (!current || !limit) return std::nullopt;
  return pids_counters{*current, *limit};
}

std::optional<std::vector<blkio_entry>> blkio_file(const cgroup_file_reader& read,
                                                   std::string_view name) {
  auto text = read("blkio", name);
  if (!text) return std::nullopt;
  return parse_blkio_v1(*text);
}

// containerd reads the CFQ files when the kernel has them and they hold data, else the
// throttle files; every list is then present (dockerd copies nil lists as []).
blkio_lists blkio_v1(const cgroup_file_reader& read) {
  blkio_lists b;
  auto all = [](blkio_lists& x) {
    return std::vector<std::optional<std::vector<blkio_entry>>*>{
        &x.io_service_bytes_recursive, &x.io_serviced_recursive,  &x.io_queue_recursive,
        &x.io_service_time_recursive,  &x.io_wait_time_recursive, &x.io_merged_recursive,
        &x.io_time_recursive,          &x.sectors_recursive};
  };
  size_t entries = 0;
  auto cfq_serviced = read("blkio", "blkio.io_serviced_recursive");
  if (cfq_serviced) {
    b.sectors_recursive = blkio_file(read, "blkio.sectors_recursive");
    b.io_service_bytes_recursive = blkio_file(read, "blkio.io_service_bytes_recursive");
    b.io_serviced_recursive = parse_blkio_v1(*cfq_serviced);
    b.io_queue_recursive = blkio_file(read, "blkio.io_queued_recursive");
    b.io_service_time_recursive = blkio_file(read, "blkio.io_service_time_recursive");
    b.io_wait_time_recursive = blkio_file(read, "blkio.io_wait_time_recursive");
    b.io_merged_recursive = blkio_file(read, "blkio.io_merged_recursive");
    b.io_time_recursive = blkio_file(read, "blkio.time_recursive");
    for (auto* list : all(b))
      entries += *list ? (*list)->size() : 0;
  }
  if (entries == 0) {
    auto serviced = blkio_file(read, "blkio.throttle.io_serviced");
    auto bytes = blkio_file(read, "blkio.throttle.io_service_bytes");
    if (!cfq_serviced && !serviced && !bytes) return b; // no blkio controller: every list null
    auto append = [](std::optional<std::vector<blkio_entry>>& to,
                     std::optional<std::vector<blkio_entry>>& from) {
      if (!to) to.emplace();
      if (from) to->insert(to->end(), from->begin(), from->end());
    };
    append(b.io_serviced_recursive, serviced);
    append(b.io_service_bytes_recursive, bytes);
  }
  for (auto* list : all(b))
    if (!*list) list->emplace();
  return b;
}

} // namespace

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (auto line : text_lines(text)) {
    auto f = text_fields(line);
    if (f.size() != 2) continue;
    if (auto v = parse_counter(f[1])) out[std::string(f[0])] = *v;
  }
  return out;
}

std::optional<uint64_t> parse_single_value(std::string_view text, uint64_t max_value) {
  auto f = text_fields(text, " \t\n");
  if (f.size() != 1) return std::nullopt;
  if (f[0] == "max") return max_value;
  return parse_counter(f[0]);
}

std::vector<uint64_t> parse_percpu_usage(std::string_view text) {
  std::vector<uint64_t> out;
  for (auto f : text_fields(text, " \t\n"))
    if (auto v = parse_u64(f)) out.push_back(*v);
  return out;
}

std::vector<blkio_entry> parse_blkio_v1(std::string_view text) {
  std::vector<blkio_entry> out;
  for (auto line : text_lines(text)) {
    auto f = text_fields(line, " \t:");
    if (f.size() < 3) continue; // "Total 123" and blank lines
    auto major = parse_u64(f[0]);
    auto minor = parse_u64(f[1]);
    auto value = parse_u64(f.size() == 4 ? f[3] : f[2]);
    if (!major || !minor || !value) continue;
    out.push_back({*major, *minor, f.size() == 4 ? std::string(f[2]) : std::string(), *value});
  }
  return out;
}

std::vector<blkio_entry> parse_io_stat_v2(std::string_view text) {
  std::vector<blkio_entry> out;
  for (auto line : text_lines(text)) {
    auto f = text_fields(line);
    if (f.size() < 2) continue;
    auto colon = f[0].find(':');
    if (colon == std::string_view::npos) continue;
    auto major = parse_u64(f[0].substr(0, colon));
    auto minor = parse_u64(f[0].substr(colon + 1));
    if (!major || !minor) continue;
    uint64_t rbytes = 0;
    uint64_t wbytes = 0;
    for (size_t i = 1; i < f.size(); ++i) {
      auto eq = f[i].find('=');
      if (eq == std::string_view::npos) continue;
      auto v = parse_u64(f[i].substr(eq + 1));
      if (!v) continue;
      auto key = f[i].substr(0, eq);
      if (key == "rbytes") rbytes = *v;
      if (key == "wbytes") wbytes = *v;
    }
    out.push_back({*major, *minor, "read", rbytes});
    out.push_back({*major, *minor, "write", wbytes});
  }
  return out;
}

cgroup_stats collect_cgroup_v1_stats(const cgroup_file_reader& read, uint64_t machine_memory) {
  cgroup_stats s;
  s.cpu = cpu_v1(read);
  s.memory = memory_v1(read, machine_memory);
  s.pids = pids_v1(read);
  s.blkio = blkio_v1(read);
  return s;
}

cgroup_stats collect_cgroup_v2_stats(const cgroup_file_reader& read, uint64_t machine_memory) {
  cgroup_stats s;
  if (auto stat = read("", "cpu.stat")) {
    auto raw = parse_flat_keyed(*stat);
    s.cpu.total_ns = value_of(raw, "usage_usec") * 1000;
    s.cpu.user_ns = value_of(raw, "user_usec") * 1000;
    s.cpu.kernel_ns = value_of(raw, "system_usec") * 1000;
    s.cpu.throttling_periods = value_of(raw, "nr_periods");
    s.cpu.throttled_periods = value_of(raw, "nr_throttled");
    s.cpu.throttled_time_ns = value_of(raw, "throttled_usec") * 1000;
  }
  // containerd reads a missing file as 0 and "max" as 2^64-1.
  auto value = [&](std::string_view file) {
    return read_value(read, "", file, max_uint64).value_or(0);
  };
  memory_counters m;
  std::map<std::string, uint64_t> raw;
  if (auto stat = read("", "memory.stat")) raw = parse_flat_keyed(*stat);
  m.stats = pick(raw, memory_v2_keys());
  m.usage = value("memory.current");
  m.limit = capped_limit(value("memory.max"), machine_memory);
  if (auto events = read("", "memory.events"))
    m.failcnt = value_of(parse_flat_keyed(*events), "oom");
  s.memory = std::move(m);
  s.pids = pids_counters{value("pids.current"), value("pids.max")};
  if (auto io = read("", "io.stat")) {
    auto entries = parse_io_stat_v2(*io);
    if (!entries.empty()) s.blkio.io_service_bytes_recursive = std::move(entries);
  }
  return s;
}

} // namespace berth::runtime
