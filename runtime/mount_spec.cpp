// dockerd's mount rules: -v parsing, --mount validation, tmpfs options.
#include "runtime/mount_spec.hpp"

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "base/error.hpp"
#include "runtime/go_text.hpp"

namespace berth::runtime {

namespace {

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

/// dockerd's errMountConfig: `invalid mount config for type "bind": <why>`.
caf::error mount_error(const mount_config& m, const std::string& why) {
  return invalid("invalid mount config for type " + go_quote(m.type) + ": " + why);
}

/// "" when `p` is an absolute path, else dockerd's message.
std::string absolute_path_problem(const std::string& p) {
  if (!p.empty() && p.front() == '/') return {};
  return "invalid mount path: '" + p + "' mount path must be absolute";
}

bool is_root(const std::string& p) {
  return clean_path(p) == "/";
}

const std::string root_target_message = "invalid specification: destination can't be '/'";

/// Go's filepath.IsLocal for a volume subpath.
bool is_local_path(const std::string& p) {
  if (p.empty() || p.front() == '/') return false;
  auto cleaned = clean_path(p);
  return cleaned != ".." && cleaned.rfind("../", 0) != 0;
}

bool is_consistency_mode(std::string_view m) {
  return m == "consistent" || m == "cached" || m == "delegated";
}

/// The flag each mount option sets or clears (options sharing a key override one another), or
/// -1 for propagation modes (only one of those survives), or nothing for data options.
std::optional<int> mount_flag_key(std::string_view option) {
  static const std::map<std::string_view, int> keys = {
      {"ro", 1},           {"rw", 1},
      {"suid", 2},         {"nosuid", 2},
      {"dev", 3},          {"nodev", 3},
      {"exec", 4},         {"noexec", 4},
      {"sync", 5},         {"async", 5},
      {"dirsync", 6},      {"remount", 7},
      {"mand", 8},         {"nomand", 8},
      {"atime", 9},        {"noatime", 9},
      {"diratime", 10},    {"nodiratime", 10},
      {"relatime", 11},    {"norelatime", 11},
      {"strictatime", 12}, {"nostrictatime", 12},
      {"bind", -1},        {"rbind", -1},
      {"unbindable", -1},  {"runbindable", -1},
      {"private", -1},     {"rprivate", -1},
      {"shared", -1},      {"rshared", -1},
      {"slave", -1},       {"rslave", -1},
  };
  if (auto it = keys.find(option); it != keys.end()) return it->second;
  return std::nullopt;
}

/// Go's %q of a []string: ["a" "b"].
std::string go_quote_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ' ';
    out += go_quote(items[i]);
  }
  return out + "]";
}

} // namespace

bool is_propagation_mode(std::string_view mode) {
  return mode == "private" || mode == "rprivate" || mode == "shared" || mode == "rshared" ||
         mode == "slave" || mode == "rslave";
}

bool valid_bind_mode(std::string_view mode) {
  if (mode.empty()) return true;
  int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
  for (const auto& o : split(mode, ',')) {
    if (o == "rw" || o == "ro") {
      ++rw;
    } else if (o == "z" || o == "Z") {
      ++label;
    } else if (is_propagation_mode(o)) {
      ++propagation;
    } else if (o == "nocopy") {
      ++copy;
    } else if (is_consistency_mode(o)) {
      ++consistency;
    } else {
      return false;
    }
  }
  return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1;
}

caf::error validate_tmpfs_destination(const std::string& destination) {
  if (is_root(destination)) return invalid(root_target_message);
  if (auto problem = absolute_path_problem(destination); !problem.empty()) return invalid(problem);
  return {};
}

caf::error validate_mount_config(const mount_config& m) {
  // The API layer's checks for API >= 1.42 come first.
  if (m.has_volume_options && m.type != "volume")
    return invalid("VolumeOptions must not be specified on mount type " + go_quote(m.type));
  if (m.has_bind_options && m.type != "bind")
    return invalid("BindOptions must not be specified on mount type " + go_quote(m.type));
  if (m.has_tmpfs_options && m.type != "tmpfs")
    return invalid("TmpfsOptions must not be specified on mount type " + go_quote(m.type));
  if (m.target.empty()) return mount_error(m, "field Target must not be empty");
  if (is_root(m.target)) return mount_error(m, root_target_message);
  if (auto problem = absolute_path_problem(m.target); !problem.empty())
    return mount_error(m, problem);
  if (m.type == "bind") {
    if (m.source.empty()) return mount_error(m, "field Source must not be empty");
    if (!m.bind_propagation.empty() && !is_propagation_mode(m.bind_propagation))
      return mount_error(m, "invalid propagation mode: " + m.bind_propagation);
    if (auto problem = absolute_path_problem(m.source); !problem.empty())
      return mount_error(m, problem);
    return {};
  }
  if (m.type == "volume") {
    bool anonymous = m.source.empty();
    if (!m.volume_subpath.empty()) {
      if (anonymous) return mount_error(m, "must not set Subpath when using anonymous volumes");
      if (!is_local_path(m.volume_subpath))
        return mount_error(m, "subpath must be a relative path within the volume");
    }
    if (m.read_only && anonymous)
      return mount_error(m, "must not set ReadOnly mode when using anonymous volumes");
    return {};
  }
  if (m.type == "tmpfs") {
    if (!m.source.empty()) return mount_error(m, "field Source must not be specified");
    if (auto opts = tmpfs_option_string(m); !opts)
      return mount_error(m, error_message(opts.error()));
    return {};
  }
  if (m.type == "image")
    return make_error(errc::not_implemented,
                      "invalid mount config for type \"image\": image mounts are not supported");
  return mount_error(m, "mount type unknown");
}

caf::expected<mount_config> parse_bind(const std::string& spec) {
  auto invalid_spec = [&] { return invalid("invalid volume specification: '" + spec + "'"); };
  // Like Go's strings.SplitN(spec, ":", 4).
  std::vector<std::string> arr;
  size_t start = 0;
  while (arr.size() < 3) {
    auto pos = spec.find(':', start);
    if (pos == std::string::npos) break;
    arr.push_back(spec.substr(start, pos - start));
    start = pos + 1;
  }
  arr.push_back(spec.substr(start));
  if (arr[0].empty()) return invalid_spec();
  mount_config m;
  std::string mode;
  switch (arr.size()) {
  case 1:
    m.target = arr[0];
    break;
  case 2:
    // "/foo:rw" names a destination and a mode: a volume cannot have a mode.
    if (valid_bind_mode(arr[1])) return invalid_spec();
    m.source = arr[0];
    m.target = arr[1];
    break;
  case 3:
    m.source = arr[0];
    m.target = arr[1];
    mode = arr[2];
    break;
  default:
    return invalid_spec();
  }
  if (!valid_bind_mode(mode)) return invalid("invalid mode: " + mode);
  m.type = !m.source.empty() && m.source.front() == '/' ? "bind" : "volume";
  for (const auto& o : split(mode, ',')) {
    if (o == "ro") m.read_only = true;
    if (o == "nocopy") {
      m.has_volume_options = true;
      m.volume_no_copy = true;
    }
    if (is_propagation_mode(o)) {
      m.has_bind_options = true;
      m.bind_propagation = o;
    }
    if (is_consistency_mode(o)) m.consistency = o;
  }
  if (auto err = validate_mount_config(m))
    return invalid("invalid volume specification: '" + spec + "': " + error_message(err));
  m.target = clean_path(m.target);
  if (m.type == "bind") m.source = clean_path(m.source);
  return m;
}

caf::expected<std::string> tmpfs_option_string(const mount_config& m) {
  std::vector<std::string> raw;
  if (m.read_only) raw.emplace_back("ro");
  if (m.tmpfs_mode != 0) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "mode=%o", m.tmpfs_mode);
    raw.emplace_back(buf);
  }
  if (m.tmpfs_size != 0) {
    auto size = m.tmpfs_size;
    std::string suffix;
    for (auto [s, divisor] : {std::pair{"g", int64_t{1} << 30}, std::pair{"m", int64_t{1} << 20},
                              std::pair{"k", int64_t{1} << 10}}) {
      if (size % divisor == 0) {
        size /= divisor;
        suffix = s;
        break;
      }
    }
    raw.push_back("size=" + std::to_string(size) + suffix);
  }
  for (const auto& opt : m.tmpfs_options) {
    if (opt.empty() || opt.size() > 2) return invalid("invalid option array length");
    if (opt[0] != "exec" && opt[0] != "noexec") return invalid("invalid option: " + opt[0]);
    raw.push_back(opt.size() == 1 ? opt[0] : opt[0] + "=" + opt[1]);
  }
  return join(raw, ",");
}

caf::expected<std::vector<std::string>>
merge_tmpfs_options(const std::vector<std::string>& options) {
  static const std::set<std::string_view> data_keys = {"",    "size",      "mode",      "uid",
                                                       "gid", "nr_inodes", "nr_blocks", "mpol"};
  std::set<int> seen_flags;
  std::set<std::string> seen_data;
  std::vector<std::string> reversed;
  // Walk backwards so that the last occurrence of each option wins.
  for (auto it = options.rbegin(); it != options.rend(); ++it) {
    const auto& option = *it;
    if (option == "defaults") continue;
    if (auto key = mount_flag_key(option)) {
      if (seen_flags.insert(*key).second) reversed.push_back(option);
      continue;
    }
    auto eq = option.find('=');
    if (eq == std::string::npos) return invalid("invalid tmpfs option " + go_quote_list({option}));
    auto name = option.substr(0, eq);
    if (!data_keys.count(name))
      return invalid("invalid tmpfs option " + go_quote_list({name, option.substr(eq + 1)}));
    if (seen_data.insert(name).second) reversed.push_back(option);
  }
  return std::vector<std::string>(reversed.rbegin(), reversed.rend());
}

caf::expected<std::vector<std::string>> tmpfs_mount_options(const std::string& data) {
  std::vector<std::string> options = {"noexec", "nosuid", "nodev", "rprivate"};
  if (!data.empty()) {
    for (auto& o : split(data, ','))
      options.push_back(std::move(o));
  }
  return merge_tmpfs_options(options);
}

} // namespace berth::runtime
