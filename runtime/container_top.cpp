// docker top.
#include "runtime/container_top.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include "base/error.hpp"
#include "base/subprocess.hpp"
#include "base/sys.hpp"
#include "base/text_fields.hpp"

namespace berth::runtime {

namespace {

// The lines of ps output that have any field.
std::vector<std::string_view> rows_of(std::string_view output) {
  std::vector<std::string_view> out;
  for (auto line : text_lines(output))
    if (!text_fields(line).empty()) out.push_back(line);
  return out;
}

// The cgroup directory of `pid` under /sys/fs/cgroup for the best controller we know.
caf::expected<std::string> cgroup_dir_of(int pid) {
  auto text = sys::read_file("/proc/" + std::to_string(pid) + "/cgroup", 1 << 16);
  if (!text) return text.error();
  std::string pids_dir, memory_dir, unified_dir;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    auto controllers = "," + line.substr(first + 1, second - first - 1) + ",";
    auto path = line.substr(second + 1);
    if (controllers.find(",pids,") != std::string::npos)
      pids_dir = "/sys/fs/cgroup/pids" + path;
    else if (controllers.find(",memory,") != std::string::npos)
      memory_dir = "/sys/fs/cgroup/memory" + path;
    else if (controllers == ",," && line.rfind("0:", 0) == 0)
      unified_dir = "/sys/fs/cgroup" + path;
  }
  if (!pids_dir.empty()) return pids_dir;
  if (!memory_dir.empty()) return memory_dir;
  if (!unified_dir.empty()) return unified_dir;
  return make_error(errc::not_found, "no cgroup found for process " + std::to_string(pid));
}

} // namespace

caf::expected<top_result> parse_ps_output(std::string_view output, const std::vector<int>& pids) {
  auto lines = rows_of(output);
  top_result r;
  if (lines.empty()) return make_error(errc::system, "Couldn't find PID field in ps output");
  for (auto title : text_fields(lines[0]))
    r.titles.emplace_back(title);
  auto pid_column = std::find(r.titles.begin(), r.titles.end(), "PID");
  if (pid_column == r.titles.end())
    return make_error(errc::system, "Couldn't find PID field in ps output");
  auto pid_index = static_cast<size_t>(pid_column - r.titles.begin());
  for (size_t i = 1; i < lines.size(); ++i) {
    auto fields = text_fields(lines[i]);
    if (fields.size() <= pid_index) continue;
    int pid = 0;
    auto text = fields[pid_index];
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (ec != std::errc{} || end != text.data() + text.size())
      return make_error(errc::system, "Unexpected pid '" + std::string(text) + "': invalid syntax");
    if (std::find(pids.begin(), pids.end(), pid) == pids.end()) continue;
    // The last column gets the rest of the row (commands contain spaces).
    std::vector<std::string> row;
    auto last = r.titles.size() - 1;
    for (size_t f = 0; f < fields.size() && f < last; ++f)
      row.emplace_back(fields[f]);
    std::string rest;
    for (size_t f = last; f < fields.size(); ++f)
      rest.append(rest.empty() ? "" : " ").append(fields[f]);
    if (fields.size() >= r.titles.size()) row.push_back(rest);
    r.processes.push_back(std::move(row));
  }
  return r;
}

caf::expected<std::vector<int>> cgroup_pids_of(int init_pid) {
  if (init_pid <= 0) return make_error(errc::conflict, "the container has no process");
  auto dir = cgroup_dir_of(init_pid);
  if (!dir) return dir.error();
  auto text = sys::read_file(*dir + "/cgroup.procs", 16 << 20);
  if (!text) return text.error();
  std::vector<int> pids;
  std::istringstream in(*text);
  int pid = 0;
  while (in >> pid)
    pids.push_back(pid);
  return pids;
}

caf::expected<top_result> run_top(const std::string& ps_args, const std::vector<int>& pids) {
  std::vector<std::string> argv{"ps"};
  auto args = ps_args.empty() ? std::string("-ef") : ps_args;
  size_t start = 0;
  while (start <= args.size()) {
    auto space = args.find(' ', start);
    auto word = args.substr(start, space == std::string::npos ? std::string::npos : space - start);
    if (!word.empty()) argv.push_back(word);
    if (space == std::string::npos) break;
    start = space + 1;
  }
  auto r = run_process(argv, {}, std::chrono::seconds(30), 16 << 20);
  if (!r) return make_error(errc::system, "Error running ps: " + error_message(r.error()));
  if (r->exit_code != 0)
    return make_error(errc::system, "Error running ps: exit status " +
                                        std::to_string(r->exit_code) + ": " + r->output);
  return parse_ps_output(r->output, pids);
}

} // namespace berth::runtime
