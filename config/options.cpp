// The table of daemon options and their validators.
#include "config/options.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/ipv4.hpp"
#include "base/proxy_url.hpp"
#include "base/units.hpp"

namespace berth::config {

namespace {

using json = nlohmann::json;
using apply_fn = std::function<caf::error(const json&, daemon_config&)>;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error expect_type(const json& v, json::value_t type, const char* what) {
  bool ok = v.type() == type || (type == json::value_t::number_integer && v.is_number_unsigned());
  return ok ? caf::error{} : invalid(std::string("expected ") + what + ", got " + v.dump());
}

template <class Validate>
apply_fn string_field(std::string daemon_config::*member, Validate validate) {
  return [member, validate](const json& v, daemon_config& cfg) -> caf::error {
    if (auto err = expect_type(v, json::value_t::string, "a string")) return err;
    auto s = v.get<std::string>();
    if (auto err = validate(s)) return err;
    cfg.*member = std::move(s);
    return {};
  };
}

apply_fn string_field(std::string daemon_config::*member) {
  return string_field(member, [](const std::string&) { return caf::error{}; });
}

apply_fn bool_field(bool daemon_config::*member) {
  return [member](const json& v, daemon_config& cfg) -> caf::error {
    if (auto err = expect_type(v, json::value_t::boolean, "true or false")) return err;
    cfg.*member = v.get<bool>();
    return {};
  };
}

apply_fn int_field(int daemon_config::*member, int min, int max) {
  return [=](const json& v, daemon_config& cfg) -> caf::error {
    if (!v.is_number_integer()) return invalid("expected an integer, got " + v.dump());
    auto n = v.get<int64_t>();
    if (n < min || n > max)
      return invalid("value " + std::to_string(n) + " out of range [" + std::to_string(min) + ", " +
                     std::to_string(max) + "]");
    cfg.*member = static_cast<int>(n);
    return {};
  };
}

template <class Validate>
apply_fn list_field(std::vector<std::string> daemon_config::*member, Validate validate) {
  return [member, validate](const json& v, daemon_config& cfg) -> caf::error {
    if (!v.is_array()) return invalid("expected a list of strings, got " + v.dump());
    std::vector<std::string> out;
    for (const auto& item : v) {
      if (!item.is_string()) return invalid("expected a list of strings, got " + v.dump());
      auto s = item.get<std::string>();
      if (auto err = validate(s)) return err;
      out.push_back(std::move(s));
    }
    cfg.*member = std::move(out);
    return {};
  };
}

apply_fn list_field(std::vector<std::string> daemon_config::*member) {
  return list_field(member, [](const std::string&) { return caf::error{}; });
}

caf::error absolute_path(const std::string& p) {
  if (p.empty() || p.front() != '/') return invalid("\"" + p + "\" is not an absolute path");
  return {};
}

caf::error validate_host(const std::string& h) {
  auto starts = [&](std::string_view prefix) { return h.rfind(prefix, 0) == 0; };
  if (starts("unix://")) {
    auto path = h.substr(7);
    if (!path.empty() && path.front() != '/')
      return invalid("invalid unix socket path in \"" + h + "\"");
    return {};
  }
  if (starts("tcp://")) {
    auto rest = h.substr(6);
    auto colon = rest.rfind(':');
    if (colon == std::string::npos || colon + 1 == rest.size())
      return invalid("\"" + h + "\" needs a port (tcp://host:port)");
    auto port = rest.substr(colon + 1);
    for (char c : port)
      if (c < '0' || c > '9') return invalid("invalid port in \"" + h + "\"");
    if (port.size() > 5 || std::stoi(port) > 65535) return invalid("invalid port in \"" + h + "\"");
    return {};
  }
  if (starts("fd://")) return {};
  return invalid("invalid host \"" + h + "\": use unix://, tcp:// or fd://");
}

caf::error validate_host_port(const std::string& addr) {
  if (addr.empty()) return {}; // disables the listener
  auto colon = addr.rfind(':');
  if (colon == std::string::npos || colon + 1 == addr.size())
    return invalid("\"" + addr + "\" is not host:port");
  for (char c : addr.substr(colon + 1))
    if (c < '0' || c > '9') return invalid("\"" + addr + "\" has an invalid port");
  if (std::stol(addr.substr(colon + 1)) > 65535)
    return invalid("\"" + addr + "\" has an invalid port");
  return {};
}

caf::error validate_label(const std::string& l) {
  if (l.find('=') == std::string::npos || l.front() == '=')
    return invalid("bad attribute format: " + l);
  return {};
}

caf::error validate_cidr(const std::string& c) {
  if (!ipv4_cidr::parse(c)) return invalid("invalid CIDR address: " + c);
  return {};
}

// Interface names hold 15 bytes: "<prefix>v" plus 8 hex digits must fit, and nft table names
// take [a-z0-9] safely.
caf::error validate_network_prefix(const std::string& p) {
  if (p.empty() || p.size() > 6 ||
      !std::all_of(p.begin(), p.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      }) ||
      !(p[0] >= 'a' && p[0] <= 'z'))
    return invalid("invalid network prefix \"" + p +
                   "\": 1 to 6 lowercase letters and digits, starting with a letter");
  return {};
}

caf::error validate_ip(const std::string& ip) {
  if (!ipv4_address::parse(ip)) return invalid("invalid IP address: " + ip);
  return {};
}

caf::error validate_proxy_url(const std::string& url) {
  if (url.empty()) return {}; // unset: the environment's value applies
  auto parsed = proxy_url::parse(url);
  return parsed ? caf::error{} : invalid(error_message(parsed.error()));
}

caf::error validate_log_opts(const std::map<std::string, std::string>& opts) {
  for (const auto& [k, v] : opts) {
    if (k == "max-size") {
      auto n = units::parse_human_size(v);
      if (!n || *n <= 0) return invalid("failed to parse max-size: " + v);
    } else if (k == "max-file") {
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || n < 1)
        return invalid("max-file must be a positive integer, got " + v);
    } else if (k == "compress") {
      if (v != "true" && v != "false") return invalid("compress must be true or false, got " + v);
    } else if (k != "labels" && k != "env" && k != "env-regex" && k != "tag" &&
               k != "labels-regex") {
      return invalid("unknown log opt '" + k + "' for json-file log driver");
    }
  }
  return {};
}

apply_fn string_map_field(std::map<std::string, std::string> daemon_config::*member) {
  return [member](const json& v, daemon_config& cfg) -> caf::error {
    if (!v.is_object()) return invalid("expected an object of strings, got " + v.dump());
    std::map<std::string, std::string> out;
    for (const auto& [k, item] : v.items()) {
      if (!item.is_string()) return invalid("value of \"" + k + "\" must be a string");
      out[k] = item.get<std::string>();
    }
    if (member == &daemon_config::log_opts)
      if (auto err = validate_log_opts(out)) return err;
    cfg.*member = std::move(out);
    return {};
  };
}

caf::error apply_runtimes(const json& v, daemon_config& cfg) {
  if (!v.is_object()) return invalid("expected an object of runtimes, got " + v.dump());
  std::map<std::string, runtime_entry> out;
  for (const auto& [name, spec] : v.items()) {
    if (!spec.is_object() || !spec.contains("path") || !spec["path"].is_string() ||
        spec["path"].get<std::string>().empty())
      return invalid("runtime \"" + name + "\" needs a \"path\"");
    for (const auto& [field, unused] : spec.items()) {
      (void)unused;
      if (field != "path" && field != "runtimeArgs")
        return invalid("runtime \"" + name + "\": unknown field \"" + field + "\"");
    }
    runtime_entry entry;
    entry.path = spec["path"].get<std::string>();
    if (spec.contains("runtimeArgs")) {
      if (!spec["runtimeArgs"].is_array())
        return invalid("runtime \"" + name + "\": runtimeArgs must be a list");
      for (const auto& a : spec["runtimeArgs"]) {
        if (!a.is_string()) return invalid("runtime \"" + name + "\": runtimeArgs must be strings");
        entry.args.push_back(a.get<std::string>());
      }
    }
    out[name] = std::move(entry);
  }
  cfg.runtimes = std::move(out);
  return {};
}

caf::error apply_address_pools(const json& v, daemon_config& cfg) {
  if (!v.is_array())
    return invalid("expected a list of {\"base\":CIDR,\"size\":N}, got " + v.dump());
  std::vector<address_pool> out;
  for (const auto& item : v) {
    if (!item.is_object() || !item.contains("base") || !item["base"].is_string() ||
        !item.contains("size") || !item["size"].is_number_integer())
      return invalid("address pool needs \"base\" and \"size\": " + item.dump());
    address_pool pool{item["base"].get<std::string>(), item["size"].get<int>()};
    auto cidr = ipv4_cidr::parse(pool.base);
    if (!cidr) return invalid("invalid base pool \"" + pool.base + "\"");
    if (pool.size < cidr->prefix || pool.size > 32)
      return invalid("invalid pool size " + std::to_string(pool.size) + " for base " + pool.base);
    out.push_back(std::move(pool));
  }
  cfg.default_address_pools = std::move(out);
  return {};
}

caf::error apply_ulimits(const json& v, daemon_config& cfg) {
  if (!v.is_object()) return invalid("expected an object of ulimits, got " + v.dump());
  std::map<std::string, ulimit> out;
  for (const auto& [name, spec] : v.items()) {
    if (!spec.is_object() || !spec.contains("Soft") || !spec.contains("Hard") ||
        !spec["Soft"].is_number_integer() || !spec["Hard"].is_number_integer())
      return invalid("ulimit \"" + name + "\" needs integer \"Soft\" and \"Hard\"");
    ulimit u{name, spec["Soft"].get<int64_t>(), spec["Hard"].get<int64_t>()};
    if (u.soft > u.hard) return invalid("ulimit \"" + name + "\": soft limit exceeds hard limit");
    out[name] = u;
  }
  cfg.default_ulimits = std::move(out);
  return {};
}

caf::error apply_features(const json& v, daemon_config& cfg) {
  if (!v.is_object()) return invalid("expected an object of booleans, got " + v.dump());
  std::map<std::string, bool> out;
  for (const auto& [k, item] : v.items()) {
    if (!item.is_boolean()) return invalid("feature \"" + k + "\" must be true or false");
    out[k] = item.get<bool>();
  }
  cfg.features = std::move(out);
  return {};
}

std::vector<option_spec> build_table() {
  using k = value_kind;
  std::vector<option_spec> t;
  auto add = [&](std::string_view key, std::string_view flag, char short_flag, value_kind kind,
                 bool reloadable, std::string_view help, apply_fn fn) {
    t.push_back({key, flag, short_flag, kind, reloadable, help, std::move(fn)});
  };
  add("hosts", "host", 'H', k::string_list, false, "Daemon socket(s) to connect to",
      list_field(&daemon_config::hosts, validate_host));
  add("data-root", "data-root", 0, k::string, false, "Root directory of persistent state",
      string_field(&daemon_config::data_root, absolute_path));
  add("exec-root", "exec-root", 0, k::string, false, "Root directory for execution state files",
      string_field(&daemon_config::exec_root, absolute_path));
  add("pidfile", "pidfile", 'p', k::string, false, "Path to use for daemon PID file",
      string_field(&daemon_config::pidfile, absolute_path));
  add("group", "group", 'G', k::string, false, "Group for the unix socket",
      string_field(&daemon_config::group));
  add("metrics-addr", "metrics-addr", 0, k::string, false,
      "Set default address and port to serve the metrics api on",
      string_field(&daemon_config::metrics_addr, validate_host_port));
  add("tls", "tls", 0, k::boolean, false, "Use TLS; implied by --tlsverify",
      bool_field(&daemon_config::tls));
  add("tlsverify", "tlsverify", 0, k::boolean, false, "Use TLS and verify the remote",
      bool_field(&daemon_config::tls_verify));
  add("tlscacert", "tlscacert", 0, k::string, false, "Trust certs signed only by this CA",
      string_field(&daemon_config::tls_ca_cert));
  add("tlscert", "tlscert", 0, k::string, false, "Path to TLS certificate file",
      string_field(&daemon_config::tls_cert));
  add("tlskey", "tlskey", 0, k::string, false, "Path to TLS key file",
      string_field(&daemon_config::tls_key));
  add("log-level", "log-level", 'l', k::string, true,
      "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")",
      [](const json& v, daemon_config& cfg) -> caf::error {
        if (!v.is_string()) return invalid("expected a string, got " + v.dump());
        auto lvl = log::parse_level(v.get<std::string>());
        if (!lvl) return invalid("invalid log level: " + v.get<std::string>());
        cfg.log_level = *lvl;
        return {};
      });
  add("debug", "debug", 'D', k::boolean, true, "Enable debug mode",
      bool_field(&daemon_config::debug));
  add("labels", "label", 0, k::string_list, true, "Set key=value labels to the daemon",
      list_field(&daemon_config::labels, validate_label));
  add("experimental", "experimental", 0, k::boolean, false, "Enable experimental features",
      bool_field(&daemon_config::experimental));
  add("live-restore", "live-restore", 0, k::boolean, true,
      "Keep containers running when the daemon stops (default true)",
      bool_field(&daemon_config::live_restore));
  add("default-runtime", "default-runtime", 0, k::string, true,
      "Default OCI runtime for containers (default: probe crun, else runc)",
      string_field(&daemon_config::default_runtime));
  add("runtimes", "add-runtime", 0, k::runtimes, true, "Register an additional OCI runtime",
      apply_runtimes);
  add("log-driver", "log-driver", 0, k::string, false, "Default driver for container logs",
      string_field(&daemon_config::log_driver, [](const std::string& d) {
        return d == "json-file" || d == "none"
                   ? caf::error{}
                   : invalid("logging driver \"" + d + "\" is not supported (json-file, none)");
      }));
  add("log-opts", "log-opt", 0, k::string_map, false, "Default log driver options for containers",
      string_map_field(&daemon_config::log_opts));
  add("default-shm-size", "default-shm-size", 0, k::string, false,
      "Default shm size for containers",
      string_field(&daemon_config::default_shm_size, [](const std::string& s) {
        auto n = units::parse_ram_bytes(s);
        return n && *n > 0 ? caf::error{} : invalid("invalid size: " + s);
      }));
  add("default-ulimits", "default-ulimit", 0, k::ulimits, false, "Default ulimits for containers",
      apply_ulimits);
  add("cgroup-parent", "cgroup-parent", 0, k::string, false, "Set parent cgroup for all containers",
      string_field(&daemon_config::cgroup_parent));
  add("no-new-privileges", "no-new-privileges", 0, k::boolean, false,
      "Set no-new-privileges by default for new containers",
      bool_field(&daemon_config::no_new_privileges));
  add("init", "init", 0, k::boolean, false, "Run an init in the container",
      bool_field(&daemon_config::init));
  add("seccomp-profile", "seccomp-profile", 0, k::string, false,
      "Path to seccomp profile, or \"unconfined\"", string_field(&daemon_config::seccomp_profile));
  add("shutdown-timeout", "shutdown-timeout", 0, k::integer, true,
      "Default shutdown timeout in seconds", int_field(&daemon_config::shutdown_timeout, 0, 86400));
  add("bridge", "bridge", 'b', k::string, false, "Attach containers to a network bridge",
      string_field(&daemon_config::bridge));
  add("network-prefix", "network-prefix", 0, k::string, false,
      "Berth: prefix of the bridges, veths and nftables table this daemon makes (several daemons "
      "on one host each need their own)",
      string_field(&daemon_config::network_prefix, validate_network_prefix));
  add("bip", "bip", 0, k::string, false, "Specify default-bridge IPv4 network",
      string_field(&daemon_config::bip, validate_cidr));
  add("fixed-cidr", "fixed-cidr", 0, k::string, false, "IPv4 subnet for fixed IPs",
      string_field(&daemon_config::fixed_cidr, validate_cidr));
  add("ip", "ip", 0, k::string, false, "Default IP when binding container ports",
      string_field(&daemon_config::default_bind_ip, validate_ip));
  add("mtu", "mtu", 0, k::integer, false, "Set the containers network MTU",
      int_field(&daemon_config::mtu, 68, 65535));
  add("icc", "icc", 0, k::boolean, false, "Enable inter-container communication",
      bool_field(&daemon_config::icc));
  add("ip-forward", "ip-forward", 0, k::boolean, false, "Enable net.ipv4.ip_forward",
      bool_field(&daemon_config::ip_forward));
  add("ip-masq", "ip-masq", 0, k::boolean, false, "Enable IP masquerading",
      bool_field(&daemon_config::ip_masq));
  add("iptables", "iptables", 0, k::boolean, false, "Enable addition of firewall rules",
      bool_field(&daemon_config::iptables));
  add("userland-proxy", "userland-proxy", 0, k::boolean, false,
      "Use userland proxy for loopback traffic", bool_field(&daemon_config::userland_proxy));
  add("default-address-pools", "default-address-pool", 0, k::address_pools, false,
      "Default address pools for node specific local networks", apply_address_pools);
  add("dns", "dns", 0, k::string_list, false, "DNS server to use",
      list_field(&daemon_config::dns, validate_ip));
  add("dns-opts", "dns-opt", 0, k::string_list, false, "DNS options to use",
      list_field(&daemon_config::dns_opts));
  add("dns-search", "dns-search", 0, k::string_list, false, "DNS search domains to use",
      list_field(&daemon_config::dns_search));
  add("insecure-registries", "insecure-registry", 0, k::string_list, true,
      "Enable insecure registry communication", list_field(&daemon_config::insecure_registries));
  add("registry-mirrors", "registry-mirror", 0, k::string_list, true, "Preferred registry mirror",
      list_field(&daemon_config::registry_mirrors));
  // dockerd 28's `proxies` object; its keys are flags of their own.
  auto add_proxy = [&](std::string_view key, std::string_view help, apply_fn fn) {
    add(key, key, 0, k::string, false, help, std::move(fn));
    t.back().section = "proxies";
  };
  add_proxy("http-proxy", "HTTP proxy URL to use for outgoing traffic",
            string_field(&daemon_config::http_proxy, validate_proxy_url));
  add_proxy("https-proxy", "HTTPS proxy URL to use for outgoing traffic",
            string_field(&daemon_config::https_proxy, validate_proxy_url));
  add_proxy("no-proxy",
            "Comma-separated list of hosts or IP addresses for which the proxy is "
            "skipped",
            string_field(&daemon_config::no_proxy));
  add("max-concurrent-downloads", "max-concurrent-downloads", 0, k::integer, true,
      "Set the max concurrent downloads",
      int_field(&daemon_config::max_concurrent_downloads, 1, 64));
  add("max-concurrent-uploads", "max-concurrent-uploads", 0, k::integer, true,
      "Set the max concurrent uploads", int_field(&daemon_config::max_concurrent_uploads, 1, 64));
  add("max-download-attempts", "max-download-attempts", 0, k::integer, true,
      "Set the max download attempts for each pull",
      int_field(&daemon_config::max_download_attempts, 1, 100));
  add("storage-driver", "storage-driver", 's', k::string, false, "Storage driver to use",
      string_field(&daemon_config::storage_driver, [](const std::string& d) {
        return d == "overlay2"
                   ? caf::error{}
                   : invalid("storage driver \"" + d + "\" is not supported (overlay2)");
      }));
  add("storage-opts", "storage-opt", 0, k::string_list, false, "Storage driver options",
      list_field(&daemon_config::storage_opts));
  add("exec-opts", "exec-opt", 0, k::string_list, false, "Runtime execution options",
      list_field(&daemon_config::exec_opts, [](const std::string& o) {
        if (o == "native.cgroupdriver=cgroupfs") return caf::error{};
        return invalid("unsupported exec option \"" + o + "\" (native.cgroupdriver=cgroupfs)");
      }));
  add("features", "", 0, k::bool_map, true, "Enable or disable features", apply_features);
  return t;
}

} // namespace

const std::vector<option_spec>& option_table() {
  static const std::vector<option_spec> table = build_table();
  return table;
}

bool is_option_section(std::string_view key) {
  for (const auto& o : option_table())
    if (!o.section.empty() && o.section == key) return true;
  return false;
}

const option_spec* find_option_by_key(std::string_view key) {
  for (const auto& o : option_table())
    if (o.key == key) return &o;
  return nullptr;
}

const option_spec* find_option_by_flag(std::string_view flag) {
  if (flag.empty()) return nullptr;
  for (const auto& o : option_table())
    if (o.flag == flag) return &o;
  return nullptr;
}

const option_spec* find_option_by_short(char letter) {
  for (const auto& o : option_table())
    if (o.short_flag == letter) return &o;
  return nullptr;
}

} // namespace berth::config
