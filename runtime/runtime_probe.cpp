// Probing an OCI runtime with a real container.
#include "runtime/runtime_probe.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/subprocess.hpp"
#include "base/sys.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

// The smallest spec that still exercises what differs between hosts: namespaces, a cgroup, /proc.
json probe_spec(const std::string& cgroups_path) {
  return {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", {"/probe", "--version"}},
        {"env", {"PATH=/"}},
        {"cwd", "/"},
        {"noNewPrivileges", true}}},
      {"root", {{"path", "rootfs"}, {"readonly", true}}},
      {"hostname", "berth-probe"},
      {"mounts", {{{"destination", "/proc"}, {"type", "proc"}, {"source", "proc"}}}},
      {"linux",
       {{"namespaces",
         {{{"type", "pid"}},
          {{"type", "mount"}},
          {{"type", "ipc"}},
          {{"type", "uts"}},
          {{"type", "network"}}}},
        {"cgroupsPath", cgroups_path},
        {"resources", {{"pids", {{"limit", 16}}}}}}},
  };
}

caf::error write_bundle(const runtime_probe& p, const std::string& bundle,
                        const std::string& cgroups_path) {
  if (auto err = sys::make_dirs(bundle + "/rootfs", 0755)) return err;
  auto binary = sys::read_file(p.static_binary, 64 * 1024 * 1024);
  if (!binary) return binary.error();
  if (auto err = sys::write_file_atomic(bundle + "/rootfs/probe", *binary, 0755)) return err;
  return sys::write_file_atomic(bundle + "/config.json", probe_spec(cgroups_path).dump(), 0600);
}

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of("\n ");
  if (end == std::string::npos) return text;
  auto start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1,
                     end - (start == std::string::npos ? 0 : start + 1) + 1);
}

} // namespace

probe_result probe_runtime(const runtime_probe& p) {
  std::string id = "berth-probe-" + std::to_string(::getpid());
  std::string bundle = p.work_dir + "/bundle";
  std::string state = p.work_dir + "/state";
  (void)sys::remove_all(p.work_dir);
  probe_result result;
  if (auto err = write_bundle(p, bundle, p.cgroup_parent + "/" + id)) {
    result.reason = error_message(err);
    (void)sys::remove_all(p.work_dir);
    return result;
  }
  auto ran = run_process({p.runtime_path, "--root", state, "run", "--bundle", bundle, id},
                         std::chrono::seconds(10));
  if (!ran)
    result.reason = error_message(ran.error());
  else if (ran->exit_code == 0 && ran->output.find("berth-shim") != std::string::npos)
    result.works = true;
  else
    result.reason = last_line(ran->output);
  (void)run_process({p.runtime_path, "--root", state, "delete", "--force", id},
                    std::chrono::seconds(10));
  (void)sys::remove_all(p.work_dir);
  return result;
}

} // namespace berth::runtime
