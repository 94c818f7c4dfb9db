// Containers in Docker's JSON shapes.
#include "api/docker_json/container_json.hpp"

#include "api/docker_json/network_settings_json.hpp"
#include "base/time.hpp"
#include "runtime/container_config.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;

// State.Health: present once a healthcheck has run for the container (dockerd's shape).
json health_json(const runtime::health_state& health) {
  auto log = json::array();
  for (const auto& r : health.log)
    log.push_back({{"Start", format_rfc3339(r.start)},
                   {"End", format_rfc3339(r.end)},
                   {"ExitCode", r.exit_code},
                   {"Output", r.output}});
  return json{{"Status", runtime::to_string(health.status)},
              {"FailingStreak", health.failing_streak},
              {"Log", health.log.empty() ? json(nullptr) : log}};
}

json state_json(const actors::container_record& rec) {
  using actors::container_status;
  auto s = rec.status;
  json result{{"Status", actors::to_string(s)},
              {"Running", s == container_status::running || s == container_status::paused ||
                              s == container_status::restarting},
              {"Paused", s == container_status::paused},
              {"Restarting", s == container_status::restarting},
              {"OOMKilled", rec.oom_killed},
              {"Dead", s == container_status::dead},
              {"Pid", rec.pid},
              {"ExitCode", rec.exit_code},
              {"Error", rec.error},
              {"StartedAt", format_rfc3339_or_zero(rec.started_at)},
              {"FinishedAt", format_rfc3339_or_zero(rec.finished_at)}};
  if (rec.health) result["Health"] = health_json(*rec.health);
  return result;
}

} // namespace

std::string human_duration(int64_t nanos) {
  int64_t seconds = nanos / 1'000'000'000;
  if (seconds < 1) return "Less than a second";
  if (seconds == 1) return "1 second";
  if (seconds < 60) return std::to_string(seconds) + " seconds";
  int64_t minutes = seconds / 60;
  if (minutes == 1) return "About a minute";
  if (minutes < 60) return std::to_string(minutes) + " minutes";
  int64_t hours = minutes / 60;
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(hours / 24 / 365) + " years";
}

std::string status_text(const actors::container_summary& s, int64_t now) {
  using actors::container_status;
  switch (s.status) {
  case container_status::running:
  case container_status::paused: {
    auto text = "Up " + human_duration(now - s.started_at);
    // dockerd: "(Paused)", else the health: "(health: starting)", "(healthy)", "(unhealthy)".
    if (s.status == container_status::paused)
      text += " (Paused)";
    else if (!s.health.empty())
      text += s.health == "starting" ? " (health: starting)" : " (" + s.health + ")";
    return text;
  }
  case container_status::restarting:
    return "Restarting (" + std::to_string(s.exit_code) + ") " +
           human_duration(now - s.finished_at) + " ago";
  case container_status::removing:
    return "Removal In Progress";
  case container_status::dead:
    return "Dead";
  case container_status::created:
    return "Created";
  case container_status::exited:
    if (s.finished_at == 0) return "Created";
    return "Exited (" + std::to_string(s.exit_code) + ") " + human_duration(now - s.finished_at) +
           " ago";
  }
  return "";
}

json container_summary_json(const actors::container_summary& s, int64_t now) {
  auto out = json{
      {"Id", s.id},
      {"Names", json::array({"/" + s.name})},
      {"Image", s.image},
      {"ImageID", s.image_id},
      {"Command", s.command},
      {"Created", s.created_nanos / 1'000'000'000},
      {"Ports",
       net::container_summary_ports(ports_json(s.exposed_ports, s.ports,
                                               s.status == actors::container_status::running ||
                                                   s.status == actors::container_status::paused))},
      {"Labels", s.labels},
      {"State", actors::to_string(s.status)},
      {"Status", status_text(s, now)},
      {"HostConfig", {{"NetworkMode", s.network_mode.empty() ? "default" : s.network_mode}}},
      {"NetworkSettings", {{"Networks", networks_json(s.networks)}}},
      {"Mounts", json::array()}};
  if (s.size_rw >= 0) {
    out["SizeRw"] = s.size_rw;
    out["SizeRootFs"] = s.size_root_fs;
  }
  return out;
}

json container_inspect_json(const actors::container_record& rec, const actors::container_paths& p,
                            api_version version) {
  (void)version; // the shape is the same for every version Berth serves
  std::string lower;
  for (const auto& l : rec.lower_dirs)
    lower += (lower.empty() ? "" : ":") + l;
  return json{{"Id", rec.id},
              {"Created", format_rfc3339(rec.created_nanos)},
              {"Path", rec.path},
              {"Args", rec.args},
              {"State", state_json(rec)},
              {"Image", rec.image_id},
              {"ResolvConfPath", p.resolv_conf},
              {"HostnamePath", p.hostname},
              {"HostsPath", p.hosts},
              {"LogPath", p.log},
              {"Name", "/" + rec.name},
              {"RestartCount", rec.restart_count},
              {"Driver", "overlay2"},
              {"Platform", "linux"},
              {"MountLabel", ""},
              {"ProcessLabel", ""},
              {"AppArmorProfile", ""},
              {"ExecIDs", rec.exec_ids.empty() ? json(nullptr) : json(rec.exec_ids)},
              {"HostConfig", runtime::to_json(rec.host)},
              {"GraphDriver",
               {{"Data",
                 {{"LowerDir", lower},
                  {"MergedDir", p.layer_dir + "/merged"},
                  {"UpperDir", p.layer_dir + "/diff"},
                  {"WorkDir", p.layer_dir + "/work"}}},
                {"Name", "overlay2"}}},
              {"Mounts", actors::mounts_json(rec.host, rec.volumes, p.volumes)},
              {"Config", runtime::to_json(rec.config)},
              {"NetworkSettings", network_settings_json(rec, p.netns)}};
}

} // namespace berth::api
