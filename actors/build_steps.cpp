// Step records and output lines of the classic builder (see build_steps.hpp).
#include "actors/build_steps.hpp"

#include <cstdio>

#include "base/go_duration.hpp"
#include "dockerfile/config_changes.hpp"
#include "runtime/go_text.hpp"

namespace berth::actors {

namespace {

using json = nlohmann::json;

// Go's %v of a string slice.
std::string go_list(const std::vector<std::string>& items) {
  return "[" + runtime::join(items, " ") + "]";
}

int64_t nanos_of(const json& health, const char* key) {
  auto it = health.find(key);
  return it != health.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// Go's %+v of a *HealthConfig.
std::string health_text(const json& health) {
  auto duration = [&](const char* key) { return format_go_duration(nanos_of(health, key)); };
  return "&{Test:" + go_list(dockerfile::config_strings(health, "Test")) +
         " Interval:" + duration("Interval") + " Timeout:" + duration("Timeout") +
         " StartPeriod:" + duration("StartPeriod") + " StartInterval:" + duration("StartInterval") +
         " Retries:" + std::to_string(nanos_of(health, "Retries")) + "}";
}

std::string pairs_text(const std::vector<dockerfile::key_value>& pairs) {
  std::string out;
  for (const auto& p : pairs)
    out += " " + p.key + "=" + p.value;
  return out;
}

} // namespace

std::vector<std::string> shell_of(const json& config) {
  auto shell = dockerfile::config_strings(config, "Shell");
  return shell.empty() ? dockerfile::default_shell() : shell;
}

std::string go_quote_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i)
    out += (i ? " " : "") + runtime::go_quote(items[i]);
  return out + "]";
}

std::string commit_comment(const dockerfile::instruction& ins, const json& config) {
  using namespace dockerfile;
  if (const auto* env = ins.get<env_instruction>()) return "ENV" + pairs_text(env->pairs);
  if (const auto* label = ins.get<label_instruction>()) return "LABEL" + pairs_text(label->pairs);
  if (const auto* m = ins.get<maintainer_instruction>()) return "MAINTAINER " + m->maintainer;
  if (const auto* on = ins.get<onbuild_instruction>()) return "ONBUILD " + on->expression;
  if (ins.get<cmd_instruction>())
    return "CMD " + go_quote_list(dockerfile::config_strings(config, "Cmd"));
  if (ins.get<entrypoint_instruction>())
    return "ENTRYPOINT " + go_quote_list(dockerfile::config_strings(config, "Entrypoint"));
  if (ins.get<healthcheck_instruction>())
    return "HEALTHCHECK " + health_text(config.value("Healthcheck", json::object()));
  if (const auto* ex = ins.get<expose_instruction>()) {
    std::string out = "EXPOSE";
    for (const auto& p : ex->ports)
      out += " " + p;
    return out;
  }
  if (const auto* u = ins.get<user_instruction>()) return "USER " + u->user;
  if (const auto* v = ins.get<volume_instruction>()) return "VOLUME " + go_list(v->paths);
  if (const auto* s = ins.get<stopsignal_instruction>()) return "STOPSIGNAL " + s->signal;
  if (ins.get<shell_instruction>()) return "SHELL " + go_list(shell_of(config));
  if (const auto* a = ins.get<arg_instruction>()) {
    std::string out = "ARG ";
    for (size_t i = 0; i < a->args.size(); ++i) {
      if (i) out += " ";
      out += a->args[i].key;
      if (a->args[i].value) out += "=" + *a->args[i].value;
    }
    return out;
  }
  return std::string{ins.name()};
}

json nop_config(const json& config, const std::string& comment, bool single_arg) {
  json out = config;
  auto cmd = shell_of(config);
  if (single_arg) {
    cmd.push_back("#(nop) " + comment);
  } else {
    cmd.push_back("#(nop) ");
    cmd.push_back(comment);
  }
  out["Cmd"] = cmd;
  return out;
}

std::string created_by(const json& container_config) {
  return runtime::join(dockerfile::config_strings(container_config, "Cmd"), " ");
}

std::string stream_line(const std::string& text) {
  return json{{"stream", text}}.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string aux_id_line(const std::string& image_id) {
  return json{{"aux", {{"ID", image_id}}}}.dump() + "\n";
}

std::string error_line(const std::string& message) {
  return json{{"errorDetail", {{"message", message}}}, {"error", message}}.dump(
             -1, ' ', false, json::error_handler_t::replace) +
         "\n";
}

} // namespace berth::actors
