// A new container's volumes, and their inspect rendering.
#include "actors/container_volumes.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "runtime/go_text.hpp"

namespace berth::actors {

namespace {

using json = nlohmann::json;

// The mode text after the second colon of a -v spec ("data:/d:ro,z" → "ro,z").
std::string bind_mode(const std::string& spec) {
  auto first = spec.find(':');
  if (first == std::string::npos) return {};
  auto second = spec.find(':', first + 1);
  return second == std::string::npos ? std::string{} : spec.substr(second + 1);
}

container_volume volume_from_mount(const runtime::mount_config& m, const std::string& mode) {
  container_volume v;
  v.type = m.type;
  if (m.type == "bind")
    v.source = m.source;
  else
    v.name = m.source;
  v.destination = runtime::clean_path(m.target); // dockerd cleans --mount targets
  v.read_only = m.read_only;
  v.copy_data = !m.volume_no_copy;
  v.mode = mode;
  if (!m.volume_driver.empty()) v.driver = m.volume_driver;
  v.options = m.volume_driver_options;
  v.labels = m.volume_labels;
  return v;
}

void put(std::vector<container_volume>& out, container_volume v) {
  std::erase_if(out, [&](const container_volume& o) { return o.destination == v.destination; });
  out.push_back(std::move(v));
}

// What --volumes-from takes from another container: its volumes and binds (not tmpfs).
void inherit(std::vector<container_volume>& out, const inherited_mounts& from) {
  // dockerd: RW = m.RW && ReadWrite(mode): ":ro" makes a mount read-only, ":rw" never makes a
  // read-only one writable.
  auto apply_mode = [&](container_volume v) {
    if (from.mode == "ro") v.read_only = true;
    v.copy_data = false;
    return v;
  };
  for (const auto& v : from.volumes)
    put(out, apply_mode(v));
  for (const auto& spec : from.host.binds)
    if (auto m = runtime::parse_bind(spec); m && m->type == "bind")
      put(out, apply_mode(volume_from_mount(*m, bind_mode(spec))));
  for (const auto& m : from.host.mounts)
    if (m.type == "bind") put(out, apply_mode(volume_from_mount(m, "")));
}

} // namespace

caf::expected<std::pair<std::string, std::string>> parse_volumes_from(const std::string& entry) {
  auto colon = entry.find(':');
  if (colon == std::string::npos) return std::pair{entry, std::string{}};
  auto mode = entry.substr(colon + 1);
  if (mode != "ro" && mode != "rw")
    return make_error(errc::invalid_argument, "invalid mode for volumes-from: " + mode);
  return std::pair{entry.substr(0, colon), mode};
}

caf::expected<std::vector<container_volume>>
volumes_for_create(const runtime::host_config& host, const runtime::container_config& config,
                   const std::vector<inherited_mounts>& from) {
  std::vector<container_volume> out;
  for (const auto& f : from)
    inherit(out, f);
  std::vector<std::string> taken; // destinations the container's own mounts claim
  auto claim = [&](const std::string& destination) -> caf::error {
    if (std::find(taken.begin(), taken.end(), destination) != taken.end())
      return make_error(errc::invalid_argument, "Duplicate mount point: " + destination);
    taken.push_back(destination);
    // The container's own mount replaces whatever --volumes-from put there (volume or bind).
    std::erase_if(out, [&](const container_volume& v) { return v.destination == destination; });
    return {};
  };
  for (const auto& spec : host.binds) {
    auto m = runtime::parse_bind(spec);
    if (!m) return m.error();
    if (auto err = claim(m->target)) return err;
    if (m->type == "volume") {
      auto mode = bind_mode(spec);
      // dockerd's setBindModeIfNull: a named local volume from -v shows Mode "z".
      if (mode.empty() && !m->source.empty()) mode.assign(1, 'z');
      put(out, volume_from_mount(*m, mode));
    }
  }
  for (const auto& m : host.mounts) {
    if (auto err = claim(runtime::clean_path(m.target))) return err;
    if (m.type == "volume") put(out, volume_from_mount(m, ""));
  }
  for (const auto& [destination, options] : host.tmpfs)
    if (auto err = claim(destination)) return err;
  for (const auto& raw : config.volumes) {
    auto path = runtime::clean_path(raw); // dockerd: filepath.Clean(spec)
    if (std::find(taken.begin(), taken.end(), path) != taken.end()) continue;
    if (std::any_of(out.begin(), out.end(),
                    [&](const container_volume& v) { return v.destination == path; }))
      continue; // inherited
    container_volume v;
    v.destination = path;
    out.push_back(std::move(v));
  }
  return out;
}

caf::error create_bind_sources(const runtime::host_config& host) {
  for (const auto& spec : host.binds) {
    auto m = runtime::parse_bind(spec);
    if (!m || m->type != "bind" || sys::exists(m->source)) continue;
    if (auto err = sys::make_dirs(m->source, 0755)) return err;
  }
  return {};
}

json to_json(const container_volume& v) {
  return json{{"type", v.type},           {"name", v.name},
              {"source", v.source},       {"destination", v.destination},
              {"read_only", v.read_only}, {"copy_data", v.copy_data},
              {"mode", v.mode},           {"driver", v.driver},
              {"options", v.options},     {"labels", v.labels}};
}

container_volume container_volume_from_json(const json& j) {
  container_volume v;
  v.type = j.value("type", "volume");
  v.name = j.value("name", "");
  v.source = j.value("source", "");
  v.destination = j.value("destination", "");
  v.read_only = j.value("read_only", false);
  v.copy_data = j.value("copy_data", true);
  v.mode = j.value("mode", "");
  v.driver = j.value("driver", "local");
  v.options = j.value("options", std::map<std::string, std::string>{});
  v.labels = j.value("labels", std::map<std::string, std::string>{});
  return v;
}

json mounts_json(const runtime::host_config& host, const std::vector<container_volume>& volumes,
                 const std::string& volumes_root) {
  auto out = json::array();
  auto bind = [&](const std::string& source, const std::string& destination,
                  const std::string& mode, bool read_only, const std::string& propagation) {
    out.push_back({{"Type", "bind"},
                   {"Source", source},
                   {"Destination", destination},
                   {"Mode", mode},
                   {"RW", !read_only},
                   {"Propagation", propagation.empty() ? "rprivate" : propagation}});
  };
  for (const auto& spec : host.binds)
    if (auto m = runtime::parse_bind(spec); m && m->type == "bind")
      bind(m->source, m->target, bind_mode(spec), m->read_only, m->bind_propagation);
  for (const auto& m : host.mounts) {
    if (m.type == "bind") bind(m.source, m.target, "", m.read_only, m.bind_propagation);
    if (m.type == "tmpfs")
      out.push_back({{"Type", "tmpfs"},
                     {"Source", ""},
                     {"Destination", m.target},
                     {"Mode", ""},
                     {"RW", !m.read_only},
                     {"Propagation", ""}});
  }
  for (const auto& v : volumes) {
    if (v.type == "bind") {
      bind(v.source, v.destination, v.mode, v.read_only, "");
      continue;
    }
    out.push_back({{"Type", "volume"},
                   {"Name", v.name},
                   {"Source", volumes_root + "/" + v.name + "/_data"},
                   {"Destination", v.destination},
                   {"Driver", v.driver},
                   {"Mode", v.mode},
                   {"RW", !v.read_only},
                   {"Propagation", ""}});
  }
  return out;
}

} // namespace berth::actors
