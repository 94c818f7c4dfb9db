// A container as the daemon keeps it.
#include "actors/container_record.hpp"

#include "base/error.hpp"

namespace berth::actors {

namespace {
using json = nlohmann::json;
} // namespace

const char* to_string(container_status s) {
  switch (s) {
  case container_status::created:
    return "created";
  case container_status::running:
    return "running";
  case container_status::paused:
    return "paused";
  case container_status::restarting:
    return "restarting";
  case container_status::removing:
    return "removing";
  case container_status::exited:
    return "exited";
  case container_status::dead:
    return "dead";
  }
  return "dead";
}

container_status parse_container_status(std::string_view s) {
  for (auto st : {container_status::created, container_status::running, container_status::paused,
                  container_status::restarting, container_status::removing,
                  container_status::exited, container_status::dead})
    if (s == to_string(st)) return st;
  return container_status::dead;
}

namespace {

json networks_json(const std::vector<container_network>& networks) {
  auto out = json::array();
  for (const auto& n : networks) {
    json j{{"name", n.name}, {"aliases", n.aliases}, {"ipv4", n.ipv4}, {"mac", n.mac}};
    if (n.endpoint) j["endpoint"] = to_json(*n.endpoint);
    out.push_back(std::move(j));
  }
  return out;
}

caf::expected<std::vector<container_network>> networks_from_json(const json& j) {
  std::vector<container_network> out;
  if (!j.is_array()) return out;
  for (const auto& item : j) {
    container_network n;
    n.name = item.value("name", "");
    n.aliases = item.value("aliases", std::vector<std::string>{});
    n.ipv4 = item.value("ipv4", "");
    n.mac = item.value("mac", "");
    if (item.contains("endpoint")) {
      auto e = endpoint_from_json(item["endpoint"]);
      if (!e) return e.error();
      n.endpoint = std::move(*e);
    }
    out.push_back(std::move(n));
  }
  return out;
}

json volumes_json(const std::vector<container_volume>& volumes) {
  auto out = json::array();
  for (const auto& v : volumes)
    out.push_back(to_json(v));
  return out;
}

json ports_json(const std::vector<net::published_port>& ports) {
  auto out = json::array();
  for (const auto& p : ports)
    out.push_back({{"proto", p.proto},
                   {"host_ip", p.host_ip},
                   {"host_port", p.host_port},
                   {"container_port", p.container_port}});
  return out;
}

std::vector<net::published_port> ports_from_json(const json& j) {
  std::vector<net::published_port> out;
  if (!j.is_array()) return out;
  for (const auto& p : j)
    out.push_back({p.value("proto", "tcp"), p.value("host_ip", ""),
                   p.value("host_port", uint16_t{0}), p.value("container_port", uint16_t{0})});
  return out;
}

} // namespace

std::string to_state_json(const container_record& c) {
  return json{{"id", c.id},
              {"name", c.name},
              {"created", c.created_nanos},
              {"config", runtime::to_json(c.config)},
              {"host_config", runtime::to_json(c.host)},
              {"image_id", c.image_id},
              {"image_size", c.image_size},
              {"image_chain", c.image_chain},
              {"lower_dirs", c.lower_dirs},
              {"image_config", c.image_config},
              {"path", c.path},
              {"args", c.args},
              {"runtime", c.runtime},
              {"hostname", c.hostname},
              {"status", to_string(c.status)},
              {"pid", c.pid},
              {"exit_code", c.exit_code},
              {"oom_killed", c.oom_killed},
              {"error", c.error},
              {"started_at", c.started_at},
              {"finished_at", c.finished_at},
              {"restart_count", c.restart_count},
              {"manually_stopped", c.manually_stopped},
              {"has_been_started", c.has_been_started},
              {"shim_pid", c.shim_pid},
              {"exec_ids", c.exec_ids},
              {"networks", networks_json(c.networks)},
              {"volumes", volumes_json(c.volumes)},
              {"ports", ports_json(c.ports)},
              {"health", c.health ? runtime::health_record_json(*c.health) : json(nullptr)}}
      .dump();
}

caf::expected<container_record> container_from_state_json(const std::string& text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("id"))
    return make_error(errc::internal, "corrupt container record");
  container_record c;
  c.id = j.value("id", "");
  c.name = j.value("name", "");
  c.created_nanos = j.value("created", int64_t{0});
  auto config = runtime::parse_container_config(j.value("config", json::object()));
  if (!config) return config.error();
  c.config = std::move(*config);
  auto host = runtime::read_stored_host_config(j.value("host_config", json::object()));
  if (!host) return host.error();
  c.host = std::move(*host);
  c.image_id = j.value("image_id", "");
  c.image_size = j.value("image_size", uint64_t{0});
  c.image_chain = j.value("image_chain", std::vector<std::string>{});
  c.lower_dirs = j.value("lower_dirs", std::vector<std::string>{});
  c.image_config = j.value("image_config", json::object());
  c.path = j.value("path", "");
  c.args = j.value("args", std::vector<std::string>{});
  c.runtime = j.value("runtime", "");
  c.hostname = j.value("hostname", "");
  c.status = parse_container_status(j.value("status", "dead"));
  c.pid = j.value("pid", 0);
  c.exit_code = j.value("exit_code", 0);
  c.oom_killed = j.value("oom_killed", false);
  c.error = j.value("error", "");
  c.started_at = j.value("started_at", int64_t{0});
  c.finished_at = j.value("finished_at", int64_t{0});
  c.restart_count = j.value("restart_count", 0);
  c.manually_stopped = j.value("manually_stopped", false);
  c.has_been_started = j.value("has_been_started", false);
  c.shim_pid = j.value("shim_pid", 0);
  c.exec_ids = j.value("exec_ids", std::vector<std::string>{});
  auto networks = networks_from_json(j.value("networks", json::array()));
  if (!networks) return networks.error();
  c.networks = std::move(*networks);
  c.ports = ports_from_json(j.value("ports", json::array()));
  if (j.contains("health")) c.health = runtime::health_from_record_json(j["health"]);
  for (const auto& v : j.value("volumes", json::array()))
    c.volumes.push_back(container_volume_from_json(v));
  return c;
}

container_paths paths_of(const container_record& c, const std::string& data_root,
                         const std::string& exec_root) {
  container_paths p;
  p.dir = data_root + "/containers/" + c.id;
  p.log = p.dir + "/" + c.id + "-json.log";
  p.hostname = p.dir + "/hostname";
  p.hosts = p.dir + "/hosts";
  p.resolv_conf = p.dir + "/resolv.conf";
  p.bundle = exec_root + "/containers/" + c.id;
  p.shim_state = p.bundle + "/shim";
  p.netns = exec_root + "/netns/" + c.id;
  // The read-write layer lives with the container, not in overlay2/: that folder is the image
  // store's, which removes what its index does not know.
  p.layer_dir = p.dir + "/layer";
  p.rootfs = p.layer_dir + "/merged";
  p.volumes = data_root + "/volumes";
  return p;
}

} // namespace berth::actors
