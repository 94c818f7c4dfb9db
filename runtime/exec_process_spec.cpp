// The OCI process of a docker exec.
#include "runtime/exec_process_spec.hpp"

#include <algorithm>

#include "base/error.hpp"

namespace berth::runtime {

namespace {

std::string env_key(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

} // namespace

std::vector<std::string> merge_env(std::vector<std::string> base,
                                   const std::vector<std::string>& overrides) {
  for (const auto& entry : overrides) {
    auto key = env_key(entry);
    auto same = [&key](const std::string& e) { return env_key(e) == key; };
    if (entry.find('=') == std::string::npos) {
      std::erase_if(base, same);
      continue;
    }
    auto it = std::find_if(base.begin(), base.end(), same);
    if (it != base.end())
      *it = entry;
    else
      base.push_back(entry);
  }
  return base;
}

caf::expected<nlohmann::json> make_exec_process(const nlohmann::json& container_process,
                                                const exec_process_inputs& in) {
  if (!container_process.is_object())
    return make_error(errc::internal, "the container's config.json has no process");
  if (in.args.empty()) return make_error(errc::invalid_argument, "No exec command specified");
  nlohmann::json p = container_process;
  p["args"] = in.args;
  std::vector<std::string> env;
  if (auto it = p.find("env"); it != p.end() && it->is_array())
    for (const auto& e : *it)
      if (e.is_string()) env.push_back(e.get<std::string>());
  p["env"] = merge_env(std::move(env), in.env);
  if (!in.working_dir.empty()) p["cwd"] = in.working_dir;
  if (in.user) {
    nlohmann::json user{{"uid", in.user->uid}, {"gid", in.user->gid}};
    if (!in.user->additional_gids.empty()) user["additionalGids"] = in.user->additional_gids;
    p["user"] = std::move(user);
  }
  p["terminal"] = in.tty;
  p.erase("consoleSize");
  if (in.tty && in.rows > 0 && in.cols > 0)
    p["consoleSize"] = {{"height", in.rows}, {"width", in.cols}};
  if (in.privileged) {
    nlohmann::json caps = in.all_caps;
    p["capabilities"] = {{"bounding", caps}, {"effective", caps}, {"permitted", caps}};
  }
  return p;
}

} // namespace berth::runtime
