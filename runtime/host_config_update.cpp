// docker update.
#include "runtime/host_config_update.hpp"

#include <string>

#include "base/error.hpp"
#include "runtime/oci_spec_parts.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

// Go's encoding/json into an int64 field: numbers only (null leaves it alone).
caf::expected<std::optional<int64_t>> integer_field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<int64_t>{};
  if (it->is_number_integer()) return std::optional<int64_t>{it->get<int64_t>()};
  if (it->is_number_float()) {
    auto v = it->get<double>();
    if (v == static_cast<double>(static_cast<int64_t>(v)))
      return std::optional<int64_t>{static_cast<int64_t>(v)};
  }
  return invalid(std::string("json: cannot unmarshal ") + it->type_name() +
                 " into Go struct field UpdateConfig." + key + " of type int64");
}

caf::expected<std::string> string_field(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::string{};
  if (!it->is_string())
    return invalid(std::string("json: cannot unmarshal ") + it->type_name() +
                   " into Go struct field UpdateConfig." + key + " of type string");
  return it->get<std::string>();
}

caf::error apply_restart_policy(host_config& h, const json& body) {
  auto it = body.find("RestartPolicy");
  if (it == body.end() || !it->is_object()) return {};
  restart_policy p;
  p.name = it->value("Name", std::string{});
  if (auto n = it->find("MaximumRetryCount"); n != it->end() && n->is_number_integer())
    p.maximum_retry_count = n->get<int>();
  if (p.name.empty()) return {};
  if (h.auto_remove && p.name != "no")
    return invalid("Restart policy cannot be updated because AutoRemove is enabled for the "
                   "container");
  h.restart = p;
  return {};
}

} // namespace

caf::expected<host_config> apply_update(const host_config& current, const container_config& config,
                                        const json& body, const host_limits& limits) {
  if (!body.is_object()) return invalid("invalid update body: not a JSON object");
  host_config h = current;
  auto get = [&](const char* key) { return integer_field(body, key); };
  auto blkio = get("BlkioWeight");
  auto shares = get("CpuShares");
  auto period = get("CpuPeriod");
  auto quota = get("CpuQuota");
  auto nano = get("NanoCpus");
  auto memory = get("Memory");
  auto swap = get("MemorySwap");
  auto reservation = get("MemoryReservation");
  auto cpus = string_field(body, "CpusetCpus");
  auto mems = string_field(body, "CpusetMems");
  for (auto* r : {&blkio, &shares, &period, &quota, &nano, &memory, &swap, &reservation})
    if (!*r) return r->error();
  if (!cpus) return cpus.error();
  if (!mems) return mems.error();

  if (auto v = *blkio; v && *v != 0) h.blkio_weight = static_cast<uint16_t>(*v);
  if (auto v = *shares; v && *v != 0) h.cpu_shares = *v;
  if (auto v = *nano; v && *v != 0) {
    if (h.cpu_period != 0 || h.cpu_quota != 0 || (*period).value_or(0) != 0 ||
        (*quota).value_or(0) != 0)
      return invalid("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already "
                     "been set");
    h.nano_cpus = *v;
  }
  if (auto v = *period; v && *v != 0) {
    if (h.nano_cpus != 0)
      return invalid("Conflicting options: CPU Period cannot be updated as NanoCPUs has already "
                     "been set");
    h.cpu_period = *v;
  }
  if (auto v = *quota; v && *v != 0) {
    if (h.nano_cpus != 0)
      return invalid("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already "
                     "been set");
    h.cpu_quota = *v;
  }
  if (!cpus->empty()) h.cpuset_cpus = *cpus;
  if (!mems->empty()) h.cpuset_mems = *mems;
  if (auto v = *memory; v && *v != 0) {
    // A larger memory limit than the swap limit in place needs the swap limit changed too.
    if (*v > h.memory_swap && h.memory_swap > 0 && (*swap).value_or(0) == 0)
      return invalid("Memory limit should be smaller than already set memoryswap limit, update "
                     "the memoryswap at the same time");
    h.memory = *v;
  }
  if (auto v = *swap; v && *v != 0) h.memory_swap = *v;
  if (auto v = *reservation; v && *v != 0) h.memory_reservation = *v;
  if (auto it = body.find("PidsLimit"); it != body.end() && !it->is_null()) {
    if (!it->is_number_integer())
      return invalid(std::string("json: cannot unmarshal ") + it->type_name() +
                     " into Go struct field UpdateConfig.PidsLimit of type int64");
    auto v = it->get<int64_t>();
    h.pids_limit = v > 0 ? std::optional<int64_t>(v) : std::nullopt;
  }
  if (auto err = apply_restart_policy(h, body)) return err;
  if (auto err = validate_host_config(h, config, limits)) return err;
  return h;
}

caf::expected<json> update_resources(const host_config& host, bool swap_accounting) {
  spec_inputs in;
  in.host = host;
  in.swap_accounting = swap_accounting;
  // Device rules are not updated: without devices the list stays as created.
  in.host.devices.clear();
  in.host.device_cgroup_rules.clear();
  in.host.device_requests.clear();
  in.host.privileged = false;
  auto parts = oci_resources(in);
  if (!parts) return parts.error();
  json out = json::object();
  for (const char* key : {"memory", "cpu", "blockIO"})
    if (parts->resources.contains(key) && !parts->resources[key].empty())
      out[key] = parts->resources[key];
  // Unlimited pids is -1 ("max") so that a limit can also be lifted.
  out["pids"] = {{"limit", host.pids_limit && *host.pids_limit > 0 ? *host.pids_limit : -1}};
  if (out.contains("memory")) {
    out["memory"].erase("disableOOMKiller");
    out["memory"].erase("swappiness");
  }
  return out;
}

} // namespace berth::runtime
