// Builds the daemon's configuration from defaults, daemon.json and flags.
#include "config/loader.hpp"

#include <sys/stat.h>

#include "base/error.hpp"
#include "base/proxy_url.hpp"
#include "base/sys.hpp"
#include "config/options.hpp"

namespace berth::config {

namespace {

using json = nlohmann::json;

constexpr const char* default_config_file = "/etc/berth/daemon.json";
constexpr size_t max_config_file_bytes = 1 << 20;

caf::error file_error(const std::string& path, const std::string& what) {
  return make_error(errc::invalid_argument,
                    "unable to configure berthd with file " + path + ": " + what);
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

caf::expected<json> read_config_file(const std::string& path, bool must_exist) {
  auto text = sys::read_file(path, max_config_file_bytes);
  if (!text) {
    if (!must_exist && error_kind(text.error()) == errc::not_found) return json::object();
    return file_error(path, error_message(text.error()));
  }
  json doc = json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return file_error(path, "invalid JSON");
  if (!doc.is_object()) return file_error(path, "the file must hold a JSON object");
  // Sections such as "proxies" are flattened into their keys, as dockerd does before it
  // compares the file with the flags.
  json flat = json::object();
  std::vector<std::string> unknown;
  for (const auto& [key, value] : doc.items()) {
    if (is_option_section(key)) {
      if (!value.is_object())
        return file_error(path, "\"" + key + "\" must be an object, got " + value.dump());
      for (const auto& [member, member_value] : value.items()) {
        const auto* opt = find_option_by_key(member);
        if (!opt || opt->section != key)
          unknown.push_back(member);
        else
          flat[member] = member_value;
      }
      continue;
    }
    const auto* opt = find_option_by_key(key);
    if (!opt || !opt->section.empty())
      unknown.push_back(key);
    else
      flat[key] = value;
  }
  if (!unknown.empty())
    return file_error(path, "the following directives don't match any configuration option: " +
                                join(unknown, ", "));
  return flat;
}

/// A value for a conflict message; proxy URLs with their credentials masked (dockerd).
std::string conflict_value(const std::string& key, const json& value) {
  if ((key == "http-proxy" || key == "https-proxy") && value.is_string())
    return mask_proxy_credentials(value.get<std::string>());
  return value.dump();
}

caf::expected<json> merge(const json& flags, const json& file, const std::string& path) {
  std::vector<std::string> conflicts;
  for (const auto& [key, value] : flags.items())
    if (file.contains(key))
      conflicts.push_back(key + ": (from flag: " + conflict_value(key, value) +
                          ", from file: " + conflict_value(key, file[key]) + ")");
  if (!conflicts.empty())
    return file_error(path, "the following directives are specified both as a flag and in the "
                            "configuration file: " +
                                join(conflicts, ", "));
  json effective = file;
  for (const auto& [key, value] : flags.items())
    effective[key] = value;
  return effective;
}

caf::expected<daemon_config> build(const json& effective, const json& flags,
                                   const std::string& path) {
  daemon_config cfg;
  cfg.config_file = path;
  for (const auto& [key, value] : effective.items()) {
    const auto* opt = find_option_by_key(key);
    if (!opt) return file_error(path, "unknown configuration option \"" + key + "\"");
    if (auto err = opt->apply(value, cfg)) {
      std::string file_key = opt->section.empty() ? key : std::string(opt->section) + "." + key;
      std::string origin = flags.contains(key) ? "flag --" + std::string(opt->flag)
                                               : "key \"" + file_key + "\" in " + path;
      return make_error(errc::invalid_argument,
                        "invalid value for " + origin + ": " + error_message(err));
    }
  }
  if (auto err = validate_combination(cfg)) return err;
  return cfg;
}

caf::error check_readable(const std::string& what, const std::string& path) {
  struct stat st {};
  if (path.empty())
    return make_error(errc::invalid_argument, what + " is required with --tlsverify");
  if (::stat(path.c_str(), &st) != 0)
    return make_error(errc::invalid_argument, "could not read " + what + " \"" + path + "\"");
  return {};
}

} // namespace

caf::error validate_combination(const daemon_config& cfg) {
  if (cfg.hosts.empty())
    return make_error(errc::invalid_argument, "at least one host (-H) is required");
  bool has_tcp = false;
  for (const auto& h : cfg.hosts)
    if (h.rfind("tcp://", 0) == 0) has_tcp = true;
  if (has_tcp) {
    if (!cfg.tls_verify)
      return make_error(errc::invalid_argument,
                        "refusing to listen on TCP without mutual TLS: use --tlsverify with "
                        "--tlscacert, --tlscert and --tlskey");
    if (auto err = check_readable("--tlscacert", cfg.tls_ca_cert)) return err;
    if (auto err = check_readable("--tlscert", cfg.tls_cert)) return err;
    if (auto err = check_readable("--tlskey", cfg.tls_key)) return err;
  }
  if (cfg.data_root == cfg.exec_root)
    return make_error(errc::invalid_argument, "data-root and exec-root must differ");
  return {};
}

caf::expected<loaded_config> load_config(const command_line& cl) {
  std::string path = cl.config_file.value_or(default_config_file);
  auto file = read_config_file(path, cl.config_file.has_value());
  if (!file) return file.error();
  auto effective = merge(cl.values, *file, path);
  if (!effective) return effective.error();
  auto cfg = build(*effective, cl.values, path);
  if (!cfg) return cfg.error();
  return loaded_config{std::move(*cfg), std::move(*effective)};
}

caf::expected<reload_outcome> reload_config(const loaded_config& current, const command_line& cl) {
  auto fresh = load_config(cl);
  if (!fresh) return fresh.error();
  // Start from what is in force and take over only the reloadable keys that changed.
  reload_outcome out;
  json next_effective = current.effective;
  for (const auto& opt : option_table()) {
    std::string key{opt.key};
    bool was = current.effective.contains(key);
    bool now = fresh->effective.contains(key);
    if ((!was && !now) || (was && now && current.effective[key] == fresh->effective[key])) continue;
    if (!opt.reloadable) {
      out.ignored.push_back(key);
      continue;
    }
    if (now)
      next_effective[key] = fresh->effective[key];
    else
      next_effective.erase(key); // back to the default
    out.applied.push_back(key);
  }
  auto cfg = build(next_effective, cl.values, current.config.config_file);
  if (!cfg) return cfg.error();
  out.next = loaded_config{std::move(*cfg), std::move(next_effective)};
  return out;
}

} // namespace berth::config
