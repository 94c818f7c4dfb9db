// Host cleanup after a test daemon.
#include "host_cleanup.hpp"

#include <algorithm>
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <unistd.h>
#include <vector>

#include "host_network.hpp"
#include "process.hpp"

namespace berth::test {

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  return names;
}

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// Deletes the cgroup directory tree at `dir`, children first (cgroupfs only allows rmdir).
void remove_cgroup_tree(const std::string& dir) {
  std::ifstream probe(dir + "/cgroup.procs");
  if (!probe) return;
  for (const auto& name : list_dir(dir)) {
    std::string child = dir + "/" + name;
    if (std::ifstream(child + "/cgroup.procs")) remove_cgroup_tree(child);
  }
  (void)::rmdir(dir.c_str());
}

} // namespace

// Mount points in /proc/self/mountinfo are octal-escaped (space = \040).
std::string unescape_mount_path(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

void kill_containers_and_shims(const std::string& exec_root) {
  for (const auto& runtime : list_dir(exec_root + "/runtime")) {
    std::string state_root = exec_root + "/runtime/" + runtime;
    auto listed =
        run({runtime, "--root", state_root, "list", "-q"}, {.timeout = std::chrono::seconds(20)});
    std::istringstream ids(listed.out);
    for (std::string id; std::getline(ids, id);) {
      if (id.empty()) continue;
      (void)run({runtime, "--root", state_root, "kill", "--all", id, "KILL"},
                {.timeout = std::chrono::seconds(20)});
      (void)run({runtime, "--root", state_root, "delete", "--force", id},
                {.timeout = std::chrono::seconds(20)});
    }
  }
  for (const auto& id : list_dir(exec_root + "/containers")) {
    auto pid_text = read_first_line(exec_root + "/containers/" + id + "/shim/shim.pid");
    pid_t pid = static_cast<pid_t>(std::atoi(pid_text.c_str()));
    if (pid > 1) (void)::kill(pid, SIGKILL);
  }
}

void remove_network_leftovers(const std::string& prefix, const std::string& exec_root) {
  // Deleting one end of a veth deletes its peer too, so a later name in the list may be gone.
  for (const auto& link : links_with_prefix(prefix))
    (void)run({"ip", "link", "delete", link}, {.timeout = std::chrono::seconds(10)});
  if (!prefix.empty())
    for (const char* family : {"ip", "bridge"})
      (void)run({"nft", "delete", "table", family, prefix}, {.timeout = std::chrono::seconds(10)});
  for (const auto& pin : netns_pins(exec_root)) {
    auto path = exec_root + "/netns/" + pin;
    (void)::umount2(path.c_str(), MNT_DETACH);
    (void)::unlink(path.c_str());
  }
}

void unmount_below(const std::string& root) {
  std::vector<std::string> points;
  std::ifstream info("/proc/self/mountinfo");
  for (std::string line; std::getline(info, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, mount_root, point;
    fields >> id >> parent >> dev >> mount_root >> point;
    point = unescape_mount_path(point);
    if (point == root || point.rfind(root + "/", 0) == 0) points.push_back(point);
  }
  // Deepest first, so that no mount is hidden under another when it is detached.
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& point : points)
    (void)::umount2(point.c_str(), MNT_DETACH);
}

void remove_cgroups(const std::string& parent) {
  if (parent.empty() || parent == "/") return;
  for (const auto& hierarchy : list_dir("/sys/fs/cgroup")) {
    std::string base = "/sys/fs/cgroup/" + hierarchy;
    remove_cgroup_tree(base + parent);
  }
  remove_cgroup_tree("/sys/fs/cgroup" + parent); // a unified (v2-only) host
}

} // namespace berth::test
