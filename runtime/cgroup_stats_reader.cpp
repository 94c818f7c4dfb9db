// A container's cgroup on the host, and the file reader under cgroup_stats' parsers.
#include "runtime/cgroup_stats_reader.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/text_fields.hpp"
#include "runtime/go_text.hpp"

namespace berth::runtime {

namespace {

constexpr size_t max_cgroup_file_bytes = 1 << 20;

std::string join(std::string_view root, std::string_view controller, std::string_view path) {
  std::string out(root);
  if (!controller.empty()) out += "/" + std::string(controller);
  return clean_path(out + "/" + std::string(path));
}

} // namespace

const std::vector<std::string>& stats_controllers() {
  static const std::vector<std::string> names{"cpuacct", "cpu", "memory", "pids", "blkio"};
  return names;
}

cgroup_location cgroup_location_of_path(std::string_view cgroups_path, bool unified,
                                        std::string_view root) {
  cgroup_location where;
  where.unified = unified;
  if (unified) {
    where.unified_dir = join(root, "", cgroups_path);
    return where;
  }
  for (const auto& c : stats_controllers())
    where.controller_dirs[c] = join(root, c, cgroups_path);
  return where;
}

cgroup_location cgroup_location_of_process(std::string_view proc_cgroup, bool unified,
                                           std::string_view root) {
  cgroup_location where;
  where.unified = unified;
  for (auto line : text_lines(proc_cgroup)) {
    auto first = line.find(':');
    auto second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    auto hierarchy = line.substr(0, first);
    auto controllers = line.substr(first + 1, second - first - 1);
    auto path = line.substr(second + 1);
    if (unified) {
      if (hierarchy == "0" && controllers.empty()) where.unified_dir = join(root, "", path);
      continue;
    }
    // "4:cpu,cpuacct:/x": each named controller of the line.
    const auto& wanted = stats_controllers();
    for (auto name : text_fields(controllers, ","))
      if (std::find(wanted.begin(), wanted.end(), name) != wanted.end())
        where.controller_dirs[std::string(name)] = join(root, name, path);
  }
  return where;
}

caf::expected<cgroup_location> locate_cgroup(const std::string& cgroups_path, int pid,
                                             bool unified) {
  if (!cgroups_path.empty() && cgroups_path.front() == '/')
    return cgroup_location_of_path(cgroups_path, unified);
  if (pid <= 0) return make_error(errc::not_found, "the container has no process");
  auto text = sys::read_file("/proc/" + std::to_string(pid) + "/cgroup", 1 << 16);
  if (!text) return text.error();
  return cgroup_location_of_process(*text, unified);
}

caf::expected<cgroup_stats> read_cgroup_stats(const cgroup_location& where,
                                              uint64_t machine_memory) {
  auto dir_of = [&where](std::string_view controller) -> std::string {
    if (where.unified) return where.unified_dir;
    auto i = where.controller_dirs.find(std::string(controller));
    return i == where.controller_dirs.end() ? std::string() : i->second;
  };
  // The CPU accounting directory exists as long as the container does.
  auto anchor = dir_of("cpuacct");
  if (anchor.empty() || !sys::exists(anchor))
    return make_error(errc::not_found, "the container's cgroup is gone: " + anchor);
  cgroup_file_reader read = [&dir_of](std::string_view controller,
                                      std::string_view file) -> std::optional<std::string> {
    auto dir = dir_of(controller);
    if (dir.empty()) return std::nullopt;
    auto text = sys::read_file(dir + "/" + std::string(file), max_cgroup_file_bytes);
    if (!text) return std::nullopt;
    return std::move(*text);
  };
  return where.unified ? collect_cgroup_v2_stats(read, machine_memory)
                       : collect_cgroup_v1_stats(read, machine_memory);
}

} // namespace berth::runtime
