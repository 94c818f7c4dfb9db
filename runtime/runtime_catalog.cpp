// The OCI runtimes the daemon can use.
#include "runtime/runtime_catalog.hpp"

#include <cstdlib>
#include <functional>
#include <unistd.h>

namespace berth::runtime {

std::optional<std::string> find_executable(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos)
    return ::access(name.c_str(), X_OK) == 0 ? std::optional<std::string>{name} : std::nullopt;
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    auto colon = path.find(':', start);
    if (colon == std::string::npos) colon = path.size();
    auto dir = path.substr(start, colon - start);
    if (!dir.empty()) {
      auto candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = colon + 1;
  }
  return std::nullopt;
}

runtime_catalog make_runtime_catalog(const config::daemon_config& cfg,
                                     const std::function<bool(const std::string&)>& works) {
  runtime_catalog out;
  for (const char* builtin : {"runc", "crun"})
    if (auto path = find_executable(builtin))
      out.runtimes[builtin] = config::runtime_entry{*path, {}};
  for (const auto& [name, entry] : cfg.runtimes)
    out.runtimes[name] = entry;
  if (!cfg.default_runtime.empty()) {
    out.default_runtime = cfg.default_runtime;
    return out;
  }
  for (const char* preferred : {"crun", "runc"})
    if (out.runtimes.count(preferred) && (!works || works(preferred))) {
      out.default_runtime = preferred;
      break;
    }
  return out;
}

} // namespace berth::runtime
