// Integration tests of the foundation: a real berthd driven by the real docker CLI, curl and
// promtool. Version and info, events with since/until and live, reload, metrics, bad input,
// lock, signals, TLS.
#include <csignal>
#include <fstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_daemon.hpp"

using namespace berth::test;
using json = nlohmann::json;

namespace {

class foundation : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.start()) << daemon_.start_error(); }

  // Sends raw bytes on the API socket and returns everything the daemon answers before closing
  // (or until the timeout).
  std::string raw_request(const std::string& bytes, bool half_close = false) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, daemon_.socket_path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return "<connect failed>";
    }
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (half_close) ::shutdown(fd, SHUT_WR);
    std::string out;
    char buf[4096];
    for (;;) {
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  void expect_still_serving() {
    auto r = daemon_.docker({"version", "--format", "{{.Server.APIVersion}}"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "1.50\n");
  }

  test_daemon daemon_;
};

} // namespace

TEST_F(foundation, docker_version_shows_a_server_with_api_1_50) {
  auto r = daemon_.docker({"version"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Server: Berth Engine"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("API version:      1.50 (minimum version 1.24)"), std::string::npos)
      << r.out;
  auto j = daemon_.docker({"version", "--format", "{{json .Server}}"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto server = json::parse(j.out);
  EXPECT_EQ(server["ApiVersion"], "1.50");
  EXPECT_EQ(server["MinAPIVersion"], "1.24");
  EXPECT_EQ(server["Os"], "linux");
  EXPECT_EQ(server["Components"][0]["Name"], "Engine");
}

TEST_F(foundation, docker_info_reports_real_host_figures) {
  auto r = daemon_.docker({"info", "--format", "{{json .}}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto info = json::parse(r.out);
  EXPECT_EQ(info["NCPU"], sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_GT(info["MemTotal"].get<int64_t>(), 0);
  utsname uts{};
  uname(&uts);
  EXPECT_EQ(info["KernelVersion"], uts.release);
  EXPECT_EQ(info["Name"], uts.nodename);
  EXPECT_EQ(info["DockerRootDir"], daemon_.data_root);
  EXPECT_EQ(info["Driver"], "overlay2");
  EXPECT_EQ(info["CgroupDriver"], "cgroupfs");
  EXPECT_EQ(info["Containers"], 0);
  EXPECT_EQ(info["Images"], 0);
  EXPECT_EQ(info["LoggingDriver"], "json-file");
  EXPECT_EQ(info["OSType"], "linux");
  EXPECT_TRUE(info["Runtimes"].contains("runc"));
  EXPECT_FALSE(info["DefaultRuntime"].get<std::string>().empty());
  EXPECT_FALSE(info["OperatingSystem"].get<std::string>().empty());
  // The daemon ID is persisted: the same after a restart.
  auto id = info["ID"].get<std::string>();
  ASSERT_EQ(daemon_.stop(), 0);
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  auto again = daemon_.docker({"info", "--format", "{{.ID}}"});
  EXPECT_EQ(again.out, id + "\n");
}

TEST_F(foundation, ping_answers_with_dockers_headers_for_get_and_head) {
  auto get = daemon_.curl({"-i", "http://berth/_ping"});
  ASSERT_EQ(get.exit_code, 0);
  EXPECT_NE(get.out.find("HTTP/1.1 200 OK"), std::string::npos);
  EXPECT_NE(get.out.find("Api-Version: 1.50"), std::string::npos);
  EXPECT_NE(get.out.find("Docker-Experimental: false"), std::string::npos);
  EXPECT_NE(get.out.find("Ostype: linux"), std::string::npos);
  EXPECT_NE(get.out.find("Builder-Version: 1"), std::string::npos);
  EXPECT_NE(get.out.find("Cache-Control: no-cache, no-store, must-revalidate"), std::string::npos);
  EXPECT_EQ(get.out.substr(get.out.size() - 2), "OK");
  auto head = daemon_.curl({"-I", "http://berth/_ping"});
  ASSERT_EQ(head.exit_code, 0);
  EXPECT_NE(head.out.find("Api-Version: 1.50"), std::string::npos);
  // A versioned ping works too, and /system/df answers its (still empty) shape.
  auto df = daemon_.curl({"http://berth/v1.41/system/df"});
  auto doc = json::parse(df.out);
  EXPECT_EQ(doc["LayersSize"], 0);
  EXPECT_TRUE(doc["Images"].is_array());
}

TEST_F(foundation, errors_are_docker_shaped) {
  auto missing = daemon_.curl({"-w", "\n%{http_code}", "http://berth/v1.50/nope"});
  EXPECT_EQ(missing.out, "{\"message\":\"page not found\"}\n\n404");
  auto too_new = daemon_.curl({"-w", "\n%{http_code}", "http://berth/v1.99/info"});
  EXPECT_EQ(too_new.out, "{\"message\":\"client version 1.99 is too new. Maximum supported API "
                         "version is 1.50\"}\n\n400");
  auto too_old = daemon_.curl({"-w", "\n%{http_code}", "http://berth/v1.12/version"});
  EXPECT_NE(too_old.out.find("is too old. Minimum supported API version is 1.24"),
            std::string::npos);
  EXPECT_EQ(too_old.out.substr(too_old.out.size() - 3), "400");
  auto wrong_method = daemon_.curl({"-X", "DELETE", "-w", "\n%{http_code}", "http://berth/_ping"});
  EXPECT_EQ(wrong_method.out.substr(wrong_method.out.size() - 3), "404");
}

TEST_F(foundation, bad_input_gets_a_clear_4xx_and_the_daemon_keeps_serving) {
  auto garbage = raw_request(std::string("\x16\x03\x01\x00\xa5garbage\r\n\r\n", 17));
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400 Bad Request", 0), 0u) << garbage;
  EXPECT_NE(garbage.find("\"message\":\"malformed HTTP request"), std::string::npos);
  expect_still_serving();

  auto big_header = raw_request(
      "GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(200000, 'a') + "\r\n\r\n");
  EXPECT_EQ(big_header.rfind("HTTP/1.1 431", 0), 0u) << big_header.substr(0, 100);
  expect_still_serving();

  auto big_body = raw_request(
      "POST /images/prune HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\nabc");
  EXPECT_EQ(big_body.rfind("HTTP/1.1 413", 0), 0u) << big_body;
  EXPECT_NE(big_body.find("request body too large"), std::string::npos);

  auto bad_json = daemon_.curl({"-w", "\n%{http_code}", "-G", "http://berth/events",
                                "--data-urlencode", "filters={\"type\":"});
  EXPECT_NE(bad_json.out.find("invalid filter"), std::string::npos) << bad_json.out;
  EXPECT_EQ(bad_json.out.substr(bad_json.out.size() - 3), "400");

  auto unknown_filter = daemon_.curl({"-w", "\n%{http_code}", "-G", "http://berth/events",
                                      "--data-urlencode", "filters={\"colour\":[\"red\"]}"});
  EXPECT_NE(unknown_filter.out.find("invalid filter 'colour'"), std::string::npos);

  // A request cut short by the client closing its side: the daemon just closes.
  auto truncated = raw_request("GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Le", true);
  EXPECT_TRUE(truncated.empty()) << truncated;
  auto bad_escape = daemon_.curl({"-w", "\n%{http_code}", "http://berth/events?since=%zz"});
  EXPECT_EQ(bad_escape.out.substr(bad_escape.out.size() - 3), "400");
  auto bad_since = daemon_.curl({"-w", "\n%{http_code}", "http://berth/events?since=yesterday"});
  EXPECT_EQ(bad_since.out.substr(bad_since.out.size() - 3), "400");
  expect_still_serving();
  EXPECT_TRUE(daemon_.running());
}

TEST_F(foundation, events_replay_with_since_and_until_and_stream_live) {
  // A live subscriber started first.
  background_process live({"docker", "events", "--format", "{{json .}}"}, daemon_.docker_env());
  // Wait until the subscription is registered: /info counts events listeners.
  bool subscribed = false;
  for (int i = 0; i < 200 && !subscribed; ++i) {
    auto r = daemon_.docker({"info", "--format", "{{.NEventsListener}}"});
    subscribed = r.out == "1\n";
    if (!subscribed) ::usleep(20'000);
  }
  ASSERT_TRUE(subscribed);
  auto since = std::to_string(::time(nullptr) - 1);
  daemon_.write_config(R"({"labels": ["stage=test"]})");
  ASSERT_TRUE(daemon_.reload());
  auto line = live.read_line(std::chrono::seconds(10));
  ASSERT_TRUE(line);
  auto ev = json::parse(*line);
  EXPECT_EQ(ev["Type"], "daemon");
  EXPECT_EQ(ev["Action"], "reload");
  EXPECT_EQ(ev["Actor"]["Attributes"]["labels"], "[stage=test]");

  auto until = std::to_string(::time(nullptr) + 1);
  auto replay = daemon_.docker(
      {"system", "events", "--since", since, "--until", until, "--format", "{{.Type}} {{.Action}}"},
      {.timeout = std::chrono::seconds(30)});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(replay.out, "daemon reload\n");
  auto filtered =
      daemon_.docker({"events", "--since", since, "--until", until, "--filter", "type=container"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  EXPECT_EQ(filtered.out, "");
  // The reload took effect: labels show in /info.
  auto labels = daemon_.docker({"info", "--format", "{{json .Labels}}"});
  EXPECT_EQ(labels.out, "[\"stage=test\"]\n");
  EXPECT_NE(daemon_.log().find("configuration reloaded"), std::string::npos);
}

TEST_F(foundation, metrics_pass_promtool) {
  (void)daemon_.docker({"info"});
  auto script = "curl -sf http://127.0.0.1:" + std::to_string(daemon_.metrics_port) +
                "/metrics | tee " + daemon_.root + "/metrics.txt | promtool check metrics";
  auto r = shell(script);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::ifstream in(daemon_.root + "/metrics.txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* name : {"engine_daemon_engine_info{",
                           "engine_daemon_container_states_containers{state=\"running\"}",
                           "engine_daemon_events_total", "engine_daemon_events_subscribers_total",
                           "berth_http_requests_total{code=\"200\",method=\"GET\",route=\"/info\"}",
                           "berth_http_request_duration_seconds_bucket{route=\"/info\"",
                           "berth_actor_mailbox_depth{actor=\"containers\"}",
                           "berth_actor_message_duration_seconds_count{actor=\"containers\"}",
                           "process_resident_memory_bytes"})
    EXPECT_NE(text.find(name), std::string::npos) << name;
}

TEST_F(foundation, a_second_daemon_on_the_same_data_root_is_refused) {
  auto cmd = daemon_.command();
  // Same data root, different socket and exec root.
  for (size_t i = 0; i + 1 < cmd.size(); ++i) {
    if (cmd[i] == "-H") cmd[i + 1] = "unix://" + daemon_.root + "/second.sock";
    if (cmd[i] == "--exec-root") cmd[i + 1] = daemon_.root + "/exec2";
    if (cmd[i] == "--metrics-addr") cmd[i + 1] = "";
  }
  auto r = run(cmd, {.timeout = std::chrono::seconds(20)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is already running with data root " + daemon_.data_root), std::string::npos)
      << r.err;
  expect_still_serving();
}

TEST_F(foundation, sigterm_stops_cleanly_and_removes_socket_and_pidfile) {
  ASSERT_TRUE(access(daemon_.socket_path.c_str(), F_OK) == 0);
  ASSERT_TRUE(access((daemon_.exec_root + "/berthd.pid").c_str(), F_OK) == 0);
  background_process live({"docker", "events"}, daemon_.docker_env());
  EXPECT_EQ(daemon_.stop(SIGTERM, std::chrono::seconds(2)), 0) << daemon_.log();
  EXPECT_NE(access(daemon_.socket_path.c_str(), F_OK), 0);
  EXPECT_NE(access((daemon_.exec_root + "/berthd.pid").c_str(), F_OK), 0);
  EXPECT_NE(daemon_.log().find("berthd stopped"), std::string::npos);
  // The open events stream ended with the daemon.
  EXPECT_GE(live.wait(std::chrono::seconds(10)), 0);
}

// Configuration errors: each refused at start with exit status 1 and a message naming the key.
TEST(foundation_config, invalid_settings_are_refused_naming_the_key) {
  struct bad_case {
    std::string config;
    std::vector<std::string> args;
    std::string expect;
  };
  std::vector<bad_case> cases = {
      {R"({"frobnicate": true})", {}, "don't match any configuration option: frobnicate"},
      {R"({"log-level": "chatty"})", {}, "key \"log-level\""},
      {R"({"debug": true})", {"--debug"}, "specified both as a flag and in the configuration file"},
      {"{\"debug\": tr", {}, "invalid JSON"},
      {"{}", {"--no-such-flag"}, "unknown flag: --no-such-flag"},
      {"{}", {"--mtu", "big"}, "invalid argument \"big\" for \"--mtu\""},
      {"{}", {"-H", "tcp://127.0.0.1:2375"}, "refusing to listen on TCP without mutual TLS"},
  };
  for (const auto& c : cases) {
    test_daemon d({.extra_args = c.args, .config_json = c.config, .metrics = false});
    auto r = run(d.command(), {.timeout = std::chrono::seconds(20)});
    EXPECT_EQ(r.exit_code, 1) << c.config;
    EXPECT_NE(r.err.find(c.expect), std::string::npos)
        << "expected '" << c.expect << "' in " << r.err;
  }
}

// TCP with mutual TLS: the docker CLI with client certificates works; without them it does not.
TEST(foundation_tls, tcp_requires_and_accepts_client_certificates) {
  test_daemon probe_dirs({.metrics = false});
  auto dir = probe_dirs.root + "/tls";
  auto r = make_tls_files(dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int port = free_tcp_port();
  auto tcp = "tcp://127.0.0.1:" + std::to_string(port);
  test_daemon d({.extra_args = {"-H", tcp, "--tlsverify", "--tlscacert", dir + "/ca.pem",
                                "--tlscert", dir + "/cert.pem", "--tlskey", dir + "/key.pem"},
                 .metrics = false});
  ASSERT_TRUE(d.start()) << d.start_error();
  auto ok = run({"docker", "--tlsverify", "--tlscacert", dir + "/ca.pem", "--tlscert",
                 dir + "/client-cert.pem", "--tlskey", dir + "/client-key.pem", "-H", tcp,
                 "version", "--format", "{{.Server.APIVersion}}"},
                {.env = {{"DOCKER_CONFIG", d.docker_config_dir}}});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "1.50\n");
  auto no_cert = run({"curl", "-s", "--max-time", "10", "--cacert", dir + "/ca.pem",
                      "https://127.0.0.1:" + std::to_string(port) + "/_ping"});
  EXPECT_NE(no_cert.exit_code, 0);
  EXPECT_NE(no_cert.out, "OK");
  auto plain = run(
      {"curl", "-s", "--max-time", "10", "http://127.0.0.1:" + std::to_string(port) + "/_ping"});
  EXPECT_NE(plain.out, "OK");
  EXPECT_TRUE(d.running());
}
