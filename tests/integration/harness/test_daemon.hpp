// A real berthd for integration tests: its own temp root with socket, data root, exec root,
// config file, metrics port and log; its own network prefix and subnets; the real docker CLI and
// curl pointed at it; cleanup of everything it made, also when the test fails.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"

namespace berth::test {

/// Path of the berthd binary under test (set at build time).
[[nodiscard]] std::string berthd_binary();

/// The proxy every test daemon's registry traffic goes to unless the test sets its own: nothing
/// listens there (discard), so a pull that is not for a loopback registry fails at once.
inline constexpr const char* guard_proxy_url = "http://127.0.0.1:9";

/// A free TCP port on 127.0.0.1 (bound and released).
[[nodiscard]] int free_tcp_port();

/// A free UDP port on 127.0.0.1 (bound and released).
[[nodiscard]] int free_udp_port();

/// Makes `dir` with a test CA (ca.pem), a server certificate for 127.0.0.1 and localhost
/// (cert.pem, key.pem) and a client one (client-cert.pem, client-key.pem) it signed, with openssl:
/// what a daemon listening on TCP (mutual TLS only) and its clients need.
[[nodiscard]] command_result make_tls_files(const std::string& dir);

struct daemon_options {
  std::vector<std::string> extra_args; ///< added to the command line
  /// Written to the config file, with the proxy guard (guard_proxy_url) merged in unless it
  /// sets "proxies" or extra_args a proxy flag.
  std::string config_json = "{}";
  bool metrics = true;                 ///< listen for /metrics on a free port
  /// Adds --bip, --default-address-pool (random 10.x subnets clear of host routes),
  /// --ip-forward=false and --dns 127.0.0.1 unless extra_args or config_json set them. The
  /// network prefix is added whatever this says (unless set by the test): a test daemon never
  /// uses the host's default names.
  bool networking_defaults = true;
};

class test_daemon {
 public:
  explicit test_daemon(daemon_options opts = {});
  ~test_daemon();
  test_daemon(const test_daemon&) = delete;
  test_daemon& operator=(const test_daemon&) = delete;

  /// Starts berthd and waits for its READY=1 notification. Returns false (and records why in
  /// `start_error()`) when it exits or is not ready within the timeout.
  [[nodiscard]] bool start(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  /// Sends `sig` and waits for the exit; returns the exit status (-1 on timeout).
  int stop(int sig = 15, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// SIGKILL, as in a crash.
  void kill9();

  /// Sends SIGHUP and waits for the daemon to report READY=1 again.
  [[nodiscard]] bool reload(std::chrono::milliseconds timeout = std::chrono::seconds(10));

  /// Runs the real docker CLI against this daemon.
  [[nodiscard]] command_result docker(const std::vector<std::string>& args,
                                      const run_options& opts = {}) const;

  /// The environment that points the docker CLI at this daemon.
  [[nodiscard]] std::map<std::string, std::string> docker_env() const;

  /// Runs curl against the API socket: `curl(args)` adds `--unix-socket <sock>`.
  [[nodiscard]] command_result curl(const std::vector<std::string>& args) const;

  /// The full command line berthd runs with.
  [[nodiscard]] std::vector<std::string> command() const;

  [[nodiscard]] bool running() const;
  [[nodiscard]] pid_t pid() const;
  [[nodiscard]] std::string log() const;
  [[nodiscard]] const std::string& start_error() const { return start_error_; }

  /// Rewrites the config file (for reload tests), with the proxy guard (guard_proxy_url) merged
  /// in unless `json` sets "proxies" itself.
  void write_config(const std::string& json) const;

  /// A random 10.x subnet of `prefix_len` bits clear of host routes, `bip_subnet` and
  /// `address_pool`: for networks a test creates with an explicit --subnet.
  [[nodiscard]] std::string spare_subnet(int prefix_len = 24) const;

  std::string root; ///< temp directory holding everything below
  std::string socket_path;
  std::string data_root;
  std::string exec_root;
  std::string config_path;
  std::string log_path;
  std::string notify_path;
  std::string docker_config_dir;
  std::string cgroup_parent; ///< "/berth-it-XXXXXX", removed on destruction
  int metrics_port = 0;
  /// Names this daemon's bridges (<p>0, <p>-<id8>), veths (<p>v<hex8>) and nft tables.
  std::string network_prefix;
  std::string bip;          ///< e.g. "10.123.45.1/24" (the test's own value when it set one)
  std::string bip_subnet;   ///< e.g. "10.123.45.0/24"; empty when the test set --bip itself
  std::string address_pool; ///< e.g. "10.201.0.0/16" (/24 networks); empty when not chosen here

 private:
  bool wait_notify(const std::string& expected, std::chrono::milliseconds timeout);

  void choose_networking();

  daemon_options opts_;
  std::vector<std::string> networking_args_; ///< the flags choose_networking() added
  std::unique_ptr<background_process> process_;
  int notify_fd_ = -1;
  std::string start_error_;
};

} // namespace berth::test
