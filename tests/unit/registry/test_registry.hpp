// Debian's docker-registry (distribution 2.8) as a child process of a test: its own temp
// storage and config, listening on 127.0.0.1 with a port the kernel picks (read back from its
// log), stopped by PID. Plus the temp directories and openssl-made certificates the tests use.
#pragma once

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "base/subprocess.hpp"

extern char** environ;

namespace berth::registry::testing {

/// A directory under /tmp removed (recursively) when it goes out of scope.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "berth-reg-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Runs a helper program (openssl, htpasswd) and fails the test's setup if it fails.
inline std::string run_checked(const std::vector<std::string>& argv) {
  auto r = berth::run_process(argv, std::chrono::seconds(60));
  if (!r || r->exit_code != 0)
    throw std::runtime_error("command failed: " + argv[0] + ": " + (r ? r->output : "spawn"));
  return r->output;
}

/// A test PKI made with openssl: a CA, a server certificate for 127.0.0.1 and a client cert.
struct test_pki {
  std::string ca_cert, ca_key, server_cert, server_key, client_cert, client_key;

  /// `server_san` names what the server certificate is valid for.
  explicit test_pki(const temp_dir& dir, const std::string& server_san = "IP:127.0.0.1") {
    ca_cert = dir / "ca.pem";
    ca_key = dir / "ca-key.pem";
    server_cert = dir / "server.pem";
    server_key = dir / "server-key.pem";
    client_cert = dir / "client.pem";
    client_key = dir / "client-key.pem";
    run_checked({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=berth test CA", "-keyout", ca_key, "-out", ca_cert});
    write_file(dir / "server.ext",
               "subjectAltName=" + server_san + "\nextendedKeyUsage=serverAuth\n");
    write_file(dir / "client.ext", "extendedKeyUsage=clientAuth\n");
    issue(dir, "/CN=127.0.0.1", server_key, server_cert, dir / "server.ext");
    issue(dir, "/CN=berth test client", client_key, client_cert, dir / "client.ext");
  }

 private:
  void issue(const temp_dir& dir, const std::string& subject, const std::string& key,
             const std::string& cert, const std::string& ext) {
    auto csr = dir / "req.csr";
    run_checked({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout",
                 key, "-out", csr});
    run_checked({"openssl", "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
                 "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert});
  }
};

/// One docker-registry process.
class test_registry {
 public:
  /// Starts a registry storing under `dir`/storage. `extra_yaml` is appended to the config
  /// (auth: sections); `tls_yaml` goes under http: (indented by the caller with 2 spaces).
  /// A port of 0 lets the kernel pick; a restart reuses the port it got.
  test_registry(const temp_dir& dir, std::string extra_yaml = {}, std::string tls_yaml = {},
                uint16_t port = 0)
      : dir_(dir), extra_yaml_(std::move(extra_yaml)), tls_yaml_(std::move(tls_yaml)) {
    start(port);
  }
  ~test_registry() { kill(); }
  test_registry(const test_registry&) = delete;
  test_registry& operator=(const test_registry&) = delete;

  uint16_t port() const { return port_; }
  std::string domain() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string storage() const { return dir_ / "storage"; }
  std::string log() const { return read_file(log_path_); }

  /// Path of a blob's data file in the registry's storage (to corrupt it).
  std::string blob_data_path(const std::string& digest) const {
    auto hex = digest.substr(7);
    return storage() + "/docker/registry/v2/blobs/sha256/" + hex.substr(0, 2) + "/" + hex + "/data";
  }

  /// SIGKILL and reap (idempotent).
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  /// Starts it again on the same port and storage.
  void restart() {
    kill();
    start(port_);
  }

 private:
  void start(uint16_t port) {
    ++generation_;
    auto config = dir_ / ("config-" + std::to_string(generation_) + ".yml");
    log_path_ = dir_ / ("registry-" + std::to_string(generation_) + ".log");
    std::string yaml = "version: 0.1\n"
                       "log:\n  level: info\n  accesslog:\n    disabled: false\n"
                       "storage:\n  filesystem:\n    rootdirectory: " +
                       storage() +
                       "\n  delete:\n    enabled: true\n"
                       "http:\n  addr: 127.0.0.1:" +
                       std::to_string(port) + "\n  secret: berth-test-secret\n" + tls_yaml_ +
                       extra_yaml_;
    write_file(config, yaml);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> args{"docker-registry", "serve", config};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = ::posix_spawnp(&pid_, "docker-registry", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start docker-registry");
    // Wait (bounded) for "listening on 127.0.0.1:<port>" in its log.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      auto text = log();
      auto at = text.find("listening on 127.0.0.1:");
      if (at != std::string::npos) {
        port_ = static_cast<uint16_t>(std::stoi(text.substr(at + 23)));
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("docker-registry exited: " + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill();
    throw std::runtime_error("docker-registry did not start: " + log());
  }

  const temp_dir& dir_;
  std::string extra_yaml_;
  std::string tls_yaml_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int generation_ = 0;
};

} // namespace berth::registry::testing
