// Applying metadata instructions to an image config: dockerd's dispatchers and BuildFromConfig.
#include "dockerfile/config_changes.hpp"

#include "base/error.hpp"
#include "dockerfile/arguments.hpp"
#include "dockerfile/expansion.hpp"
#include "runtime/signal_names.hpp"

namespace berth::dockerfile {

namespace {

using json = nlohmann::json;

json& object_field(json& cfg, const char* key) {
  if (!cfg.contains(key) || !cfg[key].is_object()) cfg[key] = json::object();
  return cfg[key];
}

json command_json(const command_line& command, const json& cfg) {
  auto resolved = resolve_command_line(command, config_strings(cfg, "Shell"));
  if (!resolved) return nullptr;
  return *resolved;
}

void set_env(json& cfg, const std::string& key, const std::string& value) {
  if (!cfg.contains("Env") || !cfg["Env"].is_array()) cfg["Env"] = json::array();
  for (auto& e : cfg["Env"]) {
    if (!e.is_string()) continue;
    auto s = e.get<std::string>();
    if (s.substr(0, s.find('=')) == key) {
      e = key + "=" + value;
      return;
    }
  }
  cfg["Env"].push_back(key + "=" + value);
}

json healthcheck_json(const healthcheck_config& h) {
  json out = json::object();
  if (!h.test.empty()) out["Test"] = h.test;
  if (h.interval != 0) out["Interval"] = h.interval;
  if (h.timeout != 0) out["Timeout"] = h.timeout;
  if (h.start_period != 0) out["StartPeriod"] = h.start_period;
  if (h.start_interval != 0) out["StartInterval"] = h.start_interval;
  if (h.retries != 0) out["Retries"] = h.retries;
  return out;
}

} // namespace

std::vector<std::string> config_strings(const json& cfg, const char* key) {
  std::vector<std::string> out;
  if (auto it = cfg.find(key); it != cfg.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::vector<std::string> config_env(const json& cfg) {
  return cfg.is_object() ? config_strings(cfg, "Env") : std::vector<std::string>{};
}

caf::error apply_instruction(json& cfg, const instruction& ins, bool& cmd_set) {
  if (!cfg.is_object()) cfg = json::object();
  if (auto* env = ins.get<env_instruction>()) {
    for (const auto& kv : env->pairs)
      set_env(cfg, kv.key, kv.value);
  } else if (auto* label = ins.get<label_instruction>()) {
    auto& labels = object_field(cfg, "Labels");
    for (const auto& kv : label->pairs)
      labels[kv.key] = kv.value;
  } else if (auto* cmd = ins.get<cmd_instruction>()) {
    cfg["Cmd"] = command_json(cmd->command, cfg);
    if (!cmd->command.args.empty()) cmd_set = true;
  } else if (auto* entry = ins.get<entrypoint_instruction>()) {
    cfg["Entrypoint"] = command_json(entry->command, cfg);
    if (!cmd_set) cfg["Cmd"] = nullptr;
  } else if (auto* health = ins.get<healthcheck_instruction>()) {
    cfg["Healthcheck"] = healthcheck_json(health->health);
  } else if (auto* expose = ins.get<expose_instruction>()) {
    auto ports = parse_ports(expose->ports);
    if (!ports) return ports.error();
    auto& exposed = object_field(cfg, "ExposedPorts");
    for (const auto& p : *ports)
      exposed[p] = json::object();
  } else if (auto* volume = ins.get<volume_instruction>()) {
    auto& volumes = object_field(cfg, "Volumes");
    for (const auto& p : volume->paths) {
      if (p.empty())
        return make_error(errc::invalid_argument, "VOLUME specified can not be an empty string");
      volumes[p] = json::object();
    }
  } else if (auto* user = ins.get<user_instruction>()) {
    cfg["User"] = user->user;
  } else if (auto* shell = ins.get<shell_instruction>()) {
    cfg["Shell"] = shell->shell;
  } else if (auto* workdir = ins.get<workdir_instruction>()) {
    auto current = cfg.contains("WorkingDir") && cfg["WorkingDir"].is_string()
                       ? cfg["WorkingDir"].get<std::string>()
                       : std::string{};
    auto dir = normalize_workdir(current, workdir->path);
    if (!dir) return dir.error();
    cfg["WorkingDir"] = *dir;
  } else if (auto* onbuild = ins.get<onbuild_instruction>()) {
    if (!cfg.contains("OnBuild") || !cfg["OnBuild"].is_array()) cfg["OnBuild"] = json::array();
    cfg["OnBuild"].push_back(onbuild->expression);
  } else if (auto* signal = ins.get<stopsignal_instruction>()) {
    if (auto sig = runtime::parse_signal(signal->signal); !sig)
      return make_error(errc::invalid_argument, error_message(sig.error()));
    cfg["StopSignal"] = signal->signal;
  } else {
    return make_error(errc::invalid_argument,
                      std::string{ins.name()} + " does not change the image config");
  }
  return {};
}

caf::error apply_changes(json& cfg, const std::vector<std::string>& changes) {
  if (!cfg.is_object()) cfg = json::object();
  auto instructions = parse_changes(changes);
  if (!instructions) return instructions.error();
  shell_lexer lexer;
  bool cmd_set = false;
  for (auto& ins : *instructions) {
    auto env = shell_env::from_list(config_env(cfg));
    if (auto err = expand_instruction(ins, lexer, env)) return err;
    if (auto err = apply_instruction(cfg, ins, cmd_set)) return err;
  }
  return {};
}

} // namespace berth::dockerfile
