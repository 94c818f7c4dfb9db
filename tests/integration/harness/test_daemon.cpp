// A real berthd for integration tests.
#include "test_daemon.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/ipv4.hpp"
#include "base/sys.hpp"
#include "host_cleanup.hpp"
#include "host_network.hpp"

namespace berth::test {

namespace {

using clock = std::chrono::steady_clock;

std::string make_temp_root() {
  char tmpl[] = "/tmp/berth-it-XXXXXX";
  const char* dir = ::mkdtemp(tmpl);
  return dir ? dir : "/tmp/berth-it-failed";
}

// The value the test itself gave a setting: `--flag value` or `--flag=value` in extra_args, or
// `key` in the config file (strings as they are, other JSON as its text); nullopt when unset.
std::optional<std::string> test_setting(const daemon_options& opts, const std::string& flag,
                                        const std::string& key) {
  const auto& args = opts.extra_args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--" + flag) return i + 1 < args.size() ? args[i + 1] : std::string();
    if (args[i].rfind("--" + flag + "=", 0) == 0) return args[i].substr(flag.size() + 3);
  }
  auto config = nlohmann::json::parse(opts.config_json, nullptr, false);
  if (config.is_object() && config.contains(key)) {
    const auto& value = config[key];
    return value.is_string() ? value.get<std::string>() : value.dump();
  }
  return std::nullopt;
}

/// The guard against tests reaching the internet: registry traffic goes to a proxy on
/// 127.0.0.1:9 (discard; nothing listens, so connections are refused at once) except for
/// loopback and this machine's own name (TLS registries of the tests are reached by it). A test
/// that pulls a Docker Hub image by mistake fails fast with the proxy's error instead of
/// resolving registry-1.docker.io. Merged into the test's daemon.json unless the test sets
/// "proxies" or a proxy flag itself; text that is not a JSON object is left as it is.
std::string with_proxy_guard(const std::string& config_json, const daemon_options& opts) {
  for (const auto& arg : opts.extra_args)
    for (const char* flag : {"--http-proxy", "--https-proxy", "--no-proxy"})
      if (arg.rfind(flag, 0) == 0) return config_json;
  auto config = nlohmann::json::parse(config_json, nullptr, false);
  if (!config.is_object() || config.contains("proxies")) return config_json;
  std::string no_proxy = "localhost,127.0.0.0/8,::1";
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0 && name[0] != '\0')
    no_proxy += "," + std::string(name);
  config["proxies"] = {
      {"http-proxy", guard_proxy_url}, {"https-proxy", guard_proxy_url}, {"no-proxy", no_proxy}};
  return config.dump();
}

int free_port(int socket_type) {
  int fd = ::socket(AF_INET, socket_type | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

} // namespace

std::string berthd_binary() {
  if (const char* env = std::getenv("BERTHD_BINARY")) return env;
  return BERTH_BINARY_PATH;
}

int free_tcp_port() {
  return free_port(SOCK_STREAM);
}

int free_udp_port() {
  return free_port(SOCK_DGRAM);
}

command_result make_tls_files(const std::string& dir) {
  return shell(
      "set -e; mkdir -p " + dir + " && cd " + dir +
      " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2"
      " -subj /CN=berth-test-ca 2>/dev/null"
      " && openssl req -newkey rsa:2048 -nodes -keyout key.pem -out server.csr -subj /CN=localhost"
      " 2>/dev/null"
      " && printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth\\n' > "
      "server.ext"
      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out "
      "cert.pem -days 2 -extfile server.ext 2>/dev/null"
      " && openssl req -newkey rsa:2048 -nodes -keyout client-key.pem -out client.csr -subj "
      "/CN=client 2>/dev/null"
      " && printf 'extendedKeyUsage=clientAuth\\n' > client.ext"
      " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial"
      " -out client-cert.pem -days 2 -extfile client.ext 2>/dev/null");
}

test_daemon::test_daemon(daemon_options opts) : opts_(std::move(opts)) {
  root = make_temp_root();
  socket_path = root + "/berth.sock";
  data_root = root + "/data";
  exec_root = root + "/exec";
  config_path = root + "/daemon.json";
  log_path = root + "/berthd.log";
  notify_path = root + "/notify.sock";
  docker_config_dir = root + "/docker-config";
  cgroup_parent = "/" + root.substr(root.rfind('/') + 1);
  (void)sys::make_dirs(docker_config_dir);
  write_config(opts_.config_json);
  if (opts_.metrics) metrics_port = free_tcp_port();
  choose_networking();
  // The datagram socket berthd reports READY=1 on.
  notify_fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, notify_path.c_str(), sizeof addr.sun_path - 1);
  if (::bind(notify_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(notify_fd_);
    notify_fd_ = -1;
  }
}

void test_daemon::choose_networking() {
  auto own_prefix = test_setting(opts_, "network-prefix", "network-prefix");
  network_prefix = own_prefix.value_or(random_network_prefix());
  if (!own_prefix) networking_args_ = {"--network-prefix", network_prefix};
  if (auto own_bip = test_setting(opts_, "bip", "bip")) bip = *own_bip;
  if (!opts_.networking_defaults) return;
  if (bip.empty()) {
    bip_subnet = random_free_subnet(24);
    auto cidr = ipv4_cidr::parse(bip_subnet);
    if (cidr) bip = ipv4_cidr{ipv4_address{cidr->address.value + 1}, 24}.to_string();
    networking_args_.insert(networking_args_.end(), {"--bip", bip});
  }
  if (!test_setting(opts_, "default-address-pool", "default-address-pools")) {
    address_pool = random_free_subnet(16, {bip_subnet.empty() ? bip : bip_subnet});
    networking_args_.insert(networking_args_.end(),
                            {"--default-address-pool", "base=" + address_pool + ",size=24"});
  }
  if (!test_setting(opts_, "ip-forward", "ip-forward"))
    networking_args_.emplace_back("--ip-forward=false");
  // The embedded DNS forwards unknown names there: loopback, never the host's resolver.
  if (!test_setting(opts_, "dns", "dns"))
    networking_args_.insert(networking_args_.end(), {"--dns", "127.0.0.1"});
}

std::string test_daemon::spare_subnet(int prefix_len) const {
  std::vector<std::string> avoid;
  for (const auto& taken : {bip_subnet.empty() ? bip : bip_subnet, address_pool})
    if (!taken.empty()) avoid.push_back(taken);
  return random_free_subnet(prefix_len, avoid);
}

test_daemon::~test_daemon() {
  if (running()) stop(SIGTERM, std::chrono::seconds(10));
  process_.reset();
  // Containers outlive berthd by design (live restore): take them down through the test's own
  // directories first (they hold namespaces and veths), then what the daemon's networking made,
  // then the mounts and cgroups they leave.
  kill_containers_and_shims(exec_root);
  remove_network_leftovers(network_prefix, exec_root);
  unmount_below(root);
  remove_cgroups(cgroup_parent);
  if (notify_fd_ >= 0) ::close(notify_fd_);
  if (!std::getenv("BERTH_KEEP_TEST_ROOT")) (void)sys::remove_all(root);
}

void test_daemon::write_config(const std::string& json) const {
  std::ofstream(config_path, std::ios::trunc) << with_proxy_guard(json, opts_);
}

std::vector<std::string> test_daemon::command() const {
  std::vector<std::string> cmd = {berthd_binary(),
                                  "-H",
                                  "unix://" + socket_path,
                                  "--data-root",
                                  data_root,
                                  "--exec-root",
                                  exec_root,
                                  "--config-file",
                                  config_path,
                                  "--cgroup-parent",
                                  cgroup_parent,
                                  "--metrics-addr",
                                  opts_.metrics ? "127.0.0.1:" + std::to_string(metrics_port) : ""};
  cmd.insert(cmd.end(), networking_args_.begin(), networking_args_.end());
  cmd.insert(cmd.end(), opts_.extra_args.begin(), opts_.extra_args.end());
  // For chasing a failure: every request in the kept root's berthd.log.
  if (std::getenv("BERTH_TEST_DEBUG")) cmd.emplace_back("--debug");
  return cmd;
}

bool test_daemon::start(std::chrono::milliseconds timeout) {
  start_error_.clear();
  process_ = std::make_unique<background_process>(
      command(), std::map<std::string, std::string>{{"NOTIFY_SOCKET", notify_path}}, log_path,
      log_path);
  if (!wait_notify("READY=1", timeout)) {
    start_error_ = "berthd did not become ready; log:\n" + log();
    return false;
  }
  return true;
}

bool test_daemon::wait_notify(const std::string& expected, std::chrono::milliseconds timeout) {
  if (notify_fd_ < 0) return false;
  auto deadline = clock::now() + timeout;
  while (clock::now() < deadline) {
    if (!process_ || !process_->running()) return false;
    pollfd p{notify_fd_, POLLIN, 0};
    // Wake up at least every 100 ms to notice a daemon that exited without notifying.
    if (::poll(&p, 1, 100) <= 0) continue;
    char buf[512];
    auto n = ::recv(notify_fd_, buf, sizeof buf, 0);
    if (n > 0 && std::string(buf, static_cast<size_t>(n)).find(expected) != std::string::npos)
      return true;
  }
  return false;
}

int test_daemon::stop(int sig, std::chrono::milliseconds timeout) {
  if (!process_) return -1;
  process_->signal(sig);
  return process_->wait(timeout);
}

void test_daemon::kill9() {
  if (process_) {
    process_->signal(SIGKILL);
    process_->wait(std::chrono::seconds(10));
  }
}

bool test_daemon::reload(std::chrono::milliseconds timeout) {
  if (!process_) return false;
  // Drain stale notifications so that only the READY=1 after this reload counts.
  char buf[512];
  while (::recv(notify_fd_, buf, sizeof buf, MSG_DONTWAIT) > 0) {
  }
  process_->signal(SIGHUP);
  return wait_notify("READY=1", timeout);
}

bool test_daemon::running() const {
  return process_ && process_->running();
}

pid_t test_daemon::pid() const {
  return process_ ? process_->pid() : -1;
}

std::string test_daemon::log() const {
  std::ifstream in(log_path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, std::string> test_daemon::docker_env() const {
  return {{"DOCKER_HOST", "unix://" + socket_path},
          {"DOCKER_CONFIG", docker_config_dir},
          {"DOCKER_CONTEXT", ""},
          {"DOCKER_CLI_HINTS", "false"}};
}

command_result test_daemon::docker(const std::vector<std::string>& args,
                                   const run_options& opts) const {
  std::vector<std::string> argv{"docker"};
  argv.insert(argv.end(), args.begin(), args.end());
  run_options o = opts;
  for (const auto& [k, v] : docker_env())
    o.env.emplace(k, v);
  return run(argv, o);
}

command_result test_daemon::curl(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"curl", "-s", "--max-time", "30", "--unix-socket", socket_path};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

} // namespace berth::test
