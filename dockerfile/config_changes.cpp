// Applying `--change` instructions to an image config.
#include "dockerfile/config_changes.hpp"

#include "base/error.hpp"
#include "dockerfile/instruction.hpp"

namespace berth::dockerfile {

namespace {

using json = nlohmann::json;

json command_value(const std::string& args) {
  if (auto words = parse_json_form(args))
    return *words;
  return json::array({"/bin/sh", "-c", args});
}

void set_env(json& cfg, const std::string& key, const std::string& value) {
  if (!cfg.contains("Env") || !cfg["Env"].is_array())
    cfg["Env"] = json::array();
  for (auto& e : cfg["Env"]) {
    auto s = e.get<std::string>();
    if (s.substr(0, s.find('=')) == key) {
      e = key + "=" + value;
      return;
    }
  }
  cfg["Env"].push_back(key + "=" + value);
}

std::string join_path(const std::string& base, const std::string& rel) {
  if (!rel.empty() && rel.front() == '/')
    return rel;
  auto b = base.empty() ? std::string("/") : base;
  return b.back() == '/' ? b + rel : b + "/" + rel;
}

} // namespace

caf::error apply_changes(json& cfg, const std::vector<std::string>& changes) {
  if (!cfg.is_object())
    cfg = json::object();
  bool cmd_set = false; // as the builder: an ENTRYPOINT drops the Cmd unless a CMD came first
  for (const auto& change : changes) {
    auto ins = split_instruction(change);
    if (!ins)
      return ins.error();
    const auto& k = ins->keyword;
    const auto& args = ins->args;
    if (k == "CMD" || k == "ENTRYPOINT") {
      cfg[k == "CMD" ? "Cmd" : "Entrypoint"] = command_value(args);
      if (k == "CMD")
        cmd_set = true;
      else if (!cmd_set)
        cfg["Cmd"] = nullptr;
    } else if (k == "ENV" || k == "LABEL") {
      auto pairs = parse_key_values(k, args);
      if (!pairs)
        return pairs.error();
      for (const auto& [key, value] : *pairs) {
        if (k == "ENV") {
          set_env(cfg, key, value);
        } else {
          if (!cfg.contains("Labels") || !cfg["Labels"].is_object())
            cfg["Labels"] = json::object();
          cfg["Labels"][key] = value;
        }
      }
    } else if (k == "EXPOSE") {
      auto words = split_words(args);
      if (!words)
        return words.error();
      auto ports = parse_ports(*words);
      if (!ports)
        return ports.error();
      if (!cfg.contains("ExposedPorts") || !cfg["ExposedPorts"].is_object())
        cfg["ExposedPorts"] = json::object();
      for (const auto& p : *ports)
        cfg["ExposedPorts"][p] = json::object();
    } else if (k == "VOLUME") {
      auto paths = parse_json_form(args);
      if (!paths) {
        auto words = split_words(args);
        if (!words)
          return words.error();
        paths = *words;
      }
      if (paths->empty())
        return make_error(errc::invalid_argument, "VOLUME requires at least one argument");
      if (!cfg.contains("Volumes") || !cfg["Volumes"].is_object())
        cfg["Volumes"] = json::object();
      for (const auto& p : *paths)
        cfg["Volumes"][p] = json::object();
    } else if (k == "USER") {
      cfg["User"] = args;
    } else if (k == "WORKDIR") {
      cfg["WorkingDir"] = join_path(cfg.value("WorkingDir", ""), args);
    } else if (k == "ONBUILD") {
      if (!cfg.contains("OnBuild") || !cfg["OnBuild"].is_array())
        cfg["OnBuild"] = json::array();
      cfg["OnBuild"].push_back(args);
    } else {
      return make_error(errc::invalid_argument, k + " is not a valid change command");
    }
  }
  return {};
}

} // namespace berth::dockerfile
