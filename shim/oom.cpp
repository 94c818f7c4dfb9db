// Detecting OOM kills from the memory cgroup.
#include "shim/oom.hpp"

#include <string_view>
#include <unistd.h>

#include "shim/io.hpp"
#include "shim/json_text.hpp"

namespace berth::shim {

namespace {

struct cgroup_mounts {
  std::string v1_memory_root; ///< the mount's root inside the hierarchy (usually "/")
  std::string v1_memory_dir;  ///< where it is mounted
  std::string v2_dir;
};

/// Splits on ' ' into at most `max` fields.
size_t split_fields(std::string_view line, std::string_view* out, size_t max) {
  size_t count = 0;
  while (!line.empty() && count < max)
    out[count++] = pop_token(line, ' ');
  return count;
}

bool has_option(std::string_view options, std::string_view name) {
  while (!options.empty())
    if (pop_token(options, ',') == name) return true;
  return false;
}

cgroup_mounts find_mounts() {
  cgroup_mounts out;
  auto text = read_file("/proc/self/mountinfo", 4 << 20);
  if (!text) return out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto line = pop_line(rest);
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    auto dash = line.find(" - ");
    if (dash == std::string_view::npos) continue;
    std::string_view head[5];
    std::string_view tail[3];
    if (split_fields(line.substr(0, dash), head, 5) < 5) continue;
    if (split_fields(line.substr(dash + 3), tail, 3) < 3) continue;
    if (tail[0] == "cgroup" && has_option(tail[2], "memory") && out.v1_memory_dir.empty()) {
      out.v1_memory_root = head[3];
      out.v1_memory_dir = head[4];
    } else if (tail[0] == "cgroup2" && out.v2_dir.empty()) {
      out.v2_dir = head[4];
    }
  }
  return out;
}

std::string join_cgroup(const std::string& mount_dir, const std::string& mount_root,
                        std::string_view path) {
  if (mount_root != "/") {
    if (path.substr(0, mount_root.size()) != mount_root) return {};
    path.remove_prefix(mount_root.size());
  }
  if (!path.empty() && path.front() != '/') return mount_dir + "/" + std::string{path};
  return mount_dir + std::string{path};
}

} // namespace

std::string find_oom_counter(pid_t pid, const std::string& bundle) {
  auto mounts = find_mounts();
  auto cgroups = read_file("/proc/" + std::to_string(pid) + "/cgroup", 64 * 1024);
  if (cgroups) {
    std::string_view rest = *cgroups;
    std::string v2_path;
    while (!rest.empty()) {
      auto line = pop_line(rest);
      // hierarchy-id:controllers:path
      auto first = line.find(':');
      auto second = line.find(':', first + 1);
      if (first == std::string_view::npos || second == std::string_view::npos) continue;
      auto controllers = line.substr(first + 1, second - first - 1);
      auto path = line.substr(second + 1);
      if (!mounts.v1_memory_dir.empty() && has_option(controllers, "memory")) {
        auto dir = join_cgroup(mounts.v1_memory_dir, mounts.v1_memory_root, path);
        if (!dir.empty()) return dir + "/memory.oom_control";
      }
      if (line.substr(0, first) == "0" && controllers.empty()) v2_path = std::string{path};
    }
    if (mounts.v1_memory_dir.empty() && !mounts.v2_dir.empty() && !v2_path.empty()) {
      auto file = join_cgroup(mounts.v2_dir, "/", v2_path) + "/memory.events";
      if (::access(file.c_str(), R_OK) == 0) return file;
    }
  }
  // The process is gone: the cgroup the runtime was told to use.
  auto config = read_file(bundle + "/config.json", 4 << 20);
  if (!config) return {};
  auto path = find_json_string(*config, {"linux", "cgroupsPath"});
  if (!path || path->empty() || path->front() != '/' || path->find(':') != std::string::npos)
    return {};
  if (!mounts.v1_memory_dir.empty()) return mounts.v1_memory_dir + *path + "/memory.oom_control";
  if (!mounts.v2_dir.empty()) return mounts.v2_dir + *path + "/memory.events";
  return {};
}

bool oom_killed(const std::string& counter_file) {
  if (counter_file.empty()) return false;
  auto text = read_file(counter_file, 64 * 1024);
  if (!text) return false;
  std::string_view rest = *text;
  while (!rest.empty()) {
    auto line = pop_line(rest);
    constexpr std::string_view key = "oom_kill ";
    if (line.substr(0, key.size()) != key) continue;
    long long count = 0;
    return parse_int(line.substr(key.size()), 0, INT64_MAX, count) && count > 0;
  }
  return false;
}

} // namespace berth::shim
