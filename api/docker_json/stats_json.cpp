// docker stats documents in dockerd 28's shape.
#include "api/docker_json/stats_json.hpp"

#include "base/time.hpp"

namespace berth::api {

namespace {

using ojson = nlohmann::ordered_json;

ojson blkio_list(const std::optional<std::vector<runtime::blkio_entry>>& list) {
  if (!list) return nullptr;
  ojson out = ojson::array();
  for (const auto& e : *list)
    out.push_back({{"major", e.major}, {"minor", e.minor}, {"op", e.op}, {"value", e.value}});
  return out;
}

ojson blkio_json(const runtime::blkio_lists& b) {
  return {
      {"io_service_bytes_recursive", blkio_list(b.io_service_bytes_recursive)},
      {"io_serviced_recursive", blkio_list(b.io_serviced_recursive)},
      {"io_queue_recursive", blkio_list(b.io_queue_recursive)},
      {"io_service_time_recursive", blkio_list(b.io_service_time_recursive)},
      {"io_wait_time_recursive", blkio_list(b.io_wait_time_recursive)},
      {"io_merged_recursive", blkio_list(b.io_merged_recursive)},
      {"io_time_recursive", blkio_list(b.io_time_recursive)},
      {"sectors_recursive", blkio_list(b.sectors_recursive)},
  };
}

// CPUStats: system_cpu_usage and online_cpus are omitempty, throttling_data always there.
ojson cpu_json(const runtime::cpu_counters& cpu, const runtime::system_cpu& system) {
  ojson usage = ojson::object();
  usage["total_usage"] = cpu.total_ns;
  if (!cpu.percpu_ns.empty()) usage["percpu_usage"] = cpu.percpu_ns;
  usage["usage_in_kernelmode"] = cpu.kernel_ns;
  usage["usage_in_usermode"] = cpu.user_ns;
  ojson out = ojson::object();
  out["cpu_usage"] = std::move(usage);
  if (system.usage_ns != 0) out["system_cpu_usage"] = system.usage_ns;
  if (system.online_cpus != 0) out["online_cpus"] = system.online_cpus;
  out["throttling_data"] = {{"periods", cpu.throttling_periods},
                            {"throttled_periods", cpu.throttled_periods},
                            {"throttled_time", cpu.throttled_time_ns}};
  return out;
}

ojson zero_cpu_json() {
  return cpu_json({}, {});
}

// MemoryStats: every field omitempty, in dockerd's order.
ojson memory_json(const std::optional<runtime::memory_counters>& memory) {
  ojson out = ojson::object();
  if (!memory) return out;
  if (memory->usage != 0) out["usage"] = memory->usage;
  if (memory->max_usage != 0) out["max_usage"] = memory->max_usage;
  if (!memory->stats.empty()) {
    ojson stats = ojson::object(); // Go writes map keys sorted; std::map already is
    for (const auto& [k, v] : memory->stats)
      stats[k] = v;
    out["stats"] = std::move(stats);
  }
  if (memory->failcnt != 0) out["failcnt"] = memory->failcnt;
  if (memory->limit != 0) out["limit"] = memory->limit;
  return out;
}

ojson pids_json(const std::optional<runtime::pids_counters>& pids) {
  ojson out = ojson::object();
  if (!pids) return out;
  if (pids->current != 0) out["current"] = pids->current;
  if (pids->limit != 0) out["limit"] = pids->limit;
  return out;
}

ojson networks_json(const std::vector<net::interface_statistics>& interfaces) {
  std::map<std::string, const net::link_statistics*> sorted; // Go sorts map keys
  for (const auto& i : interfaces)
    sorted[i.name] = &i.counters;
  ojson out = ojson::object();
  for (const auto& [name, c] : sorted)
    out[name] = {{"rx_bytes", c->rx_bytes},   {"rx_packets", c->rx_packets},
                 {"rx_errors", c->rx_errors}, {"rx_dropped", c->rx_dropped},
                 {"tx_bytes", c->tx_bytes},   {"tx_packets", c->tx_packets},
                 {"tx_errors", c->tx_errors}, {"tx_dropped", c->tx_dropped}};
  return out;
}

// The fields every document starts with, in StatsResponse's order.
ojson head(const std::string& id, const std::string& name, int64_t read, int64_t preread) {
  ojson out = ojson::object();
  out["name"] = "/" + name;
  out["id"] = id;
  out["read"] = format_rfc3339_or_zero(read);
  out["preread"] = format_rfc3339_or_zero(preread);
  return out;
}

} // namespace

ojson stats_json(const std::string& id, const std::string& name,
                 const actors::container_sample& sample, const actors::container_sample* previous) {
  auto out = head(id, name, sample.read_nanos, previous ? previous->read_nanos : 0);
  out["pids_stats"] = pids_json(sample.cgroup.pids);
  out["blkio_stats"] = blkio_json(sample.cgroup.blkio);
  out["num_procs"] = 0;
  out["storage_stats"] = ojson::object();
  out["cpu_stats"] = cpu_json(sample.cgroup.cpu, sample.system);
  out["precpu_stats"] =
      previous ? cpu_json(previous->cgroup.cpu, previous->system) : zero_cpu_json();
  out["memory_stats"] = memory_json(sample.cgroup.memory);
  // omitempty: no interfaces (host network, none) means no "networks" at all.
  if (sample.networks && !sample.networks->empty())
    out["networks"] = networks_json(*sample.networks);
  return out;
}

ojson empty_stats_json(const std::string& id, const std::string& name) {
  auto out = head(id, name, 0, 0);
  out["pids_stats"] = ojson::object();
  out["blkio_stats"] = blkio_json({});
  out["num_procs"] = 0;
  out["storage_stats"] = ojson::object();
  out["cpu_stats"] = zero_cpu_json();
  out["precpu_stats"] = zero_cpu_json();
  out["memory_stats"] = ojson::object();
  return out;
}

std::string stats_line(const ojson& document) {
  return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

} // namespace berth::api
