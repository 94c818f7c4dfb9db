// Integration tests with docker-compose (Debian's 1.29, over docker-py 5) against a real berthd:
// a project with a service built from a Dockerfile (through docker-py's POST /build, and through
// the docker CLI), a second service, a user network with service-name DNS, a named volume, logs,
// exec, restart, and `down -v` leaving nothing behind.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "daemon_test.hpp"
#include "process.hpp"
#include "test_text.hpp"

using namespace berth::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* compose_binary = "/usr/bin/docker-compose";

constexpr const char* compose_file = R"(version: "3.8"
services:
  web:
    build: ./app
    image: composed/web:1
    volumes:
      - data:/data
    networks: [back]
    environment:
      - GREETING=hello
  peer:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    networks: [back]
    depends_on: [web]
volumes:
  data: {}
networks:
  back: {}
)";

constexpr const char* app_dockerfile = R"(FROM busybox
RUN echo built > /built
CMD ["sh", "-c", "trap 'exit 0' TERM; cat /built; while true; do sleep 1; done"]
)";

class compose : public daemon_test {
 protected:
  void SetUp() override {
    daemon_test::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(fs::exists(compose_binary)) << "deploy/install-deps.sh installs docker-compose";
    std::string pattern = (fs::temp_directory_path() / "berth-compose-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    project_dir_ = pattern;
    fs::create_directories(project_dir_ + "/app");
    std::ofstream{project_dir_ + "/docker-compose.yml"} << compose_file;
    std::ofstream{project_dir_ + "/app/Dockerfile"} << app_dockerfile;
  }
  void TearDown() override {
    if (!project_dir_.empty()) (void)compose_run({"down", "-v", "-t", "1"});
    std::error_code ec;
    fs::remove_all(project_dir_, ec);
  }

  /// docker-compose -p <project> <args> in the project directory, against the test daemon.
  /// `cli_build` = false makes docker-py send the build itself (POST /build).
  command_result compose_run(const std::vector<std::string>& args, bool cli_build = false,
                             const std::string& api_version = "") {
    std::vector<std::string> argv{compose_binary,
                                  "--project-directory",
                                  project_dir_,
                                  "-f",
                                  project_dir_ + "/docker-compose.yml",
                                  "-p",
                                  project_};
    argv.insert(argv.end(), args.begin(), args.end());
    run_options opts;
    opts.env = daemon_.docker_env();
    opts.env["COMPOSE_DOCKER_CLI_BUILD"] = cli_build ? "1" : "0";
    opts.env["DOCKER_BUILDKIT"] = "0";
    if (!api_version.empty()) opts.env["COMPOSE_API_VERSION"] = api_version;
    opts.timeout = std::chrono::minutes(3);
    return run(argv, opts);
  }
  std::string compose_ok(const std::vector<std::string>& args, bool cli_build = false,
                         const std::string& api_version = "") {
    auto r = compose_run(args, cli_build, api_version);
    EXPECT_EQ(r.exit_code, 0) << "docker-compose " << testing::PrintToString(args) << "\n"
                              << r.out << r.err;
    return r.out + r.err;
  }

  std::string project_ = "bcp";
  std::string project_dir_;
};

TEST_F(compose, a_project_builds_runs_talks_keeps_its_volume_and_goes_away) {
  auto up = compose_ok({"up", "-d", "--build"});
  EXPECT_NE(up.find("Successfully tagged composed/web:1"), std::string::npos) << up;
  EXPECT_NE(up.find("Creating bcp_web_1"), std::string::npos) << up;
  auto ps = compose_ok({"ps"});
  EXPECT_EQ(lines_of(ps).size(), 4u) << ps; // header, rule, two services
  for (const char* name : {"bcp_web_1", "bcp_peer_1"})
    EXPECT_EQ(inspect(name)["State"]["Running"], true) << name;
  EXPECT_EQ(inspect("bcp_web_1")["Config"]["Labels"]["com.docker.compose.project"], "bcp");

  // The services find each other by name on the project's network.
  auto ping = compose_ok({"exec", "-T", "peer", "ping", "-c", "1", "web"});
  EXPECT_NE(ping.find("1 packets received"), std::string::npos) << ping;
  EXPECT_EQ(trim(compose_ok({"exec", "-T", "web", "sh", "-c", "echo $GREETING"})), "hello");
  EXPECT_NE(compose_ok({"logs", "--no-color", "web"}).find("built"), std::string::npos);

  // The named volume outlives a restart and a re-creation of the service.
  compose_ok({"exec", "-T", "web", "sh", "-c", "echo kept > /data/f"});
  compose_ok({"restart", "-t", "1", "web"});
  EXPECT_EQ(trim(compose_ok({"exec", "-T", "web", "cat", "/data/f"})), "kept");
  // Re-creating a service with volumes reads the image's ContainerConfig, which dockerd 25+ (and
  // Berth) leave out of API 1.45+ answers: compose v1 then needs COMPOSE_API_VERSION, as with
  // dockerd ("KeyError: 'ContainerConfig'" otherwise).
  compose_ok({"up", "-d", "--force-recreate", "web"}, false, "1.41");
  EXPECT_EQ(trim(compose_ok({"exec", "-T", "web", "cat", "/data/f"})), "kept");

  // down -v: containers, the network and the volume are gone; the built image stays.
  compose_ok({"down", "-v", "-t", "1"});
  EXPECT_EQ(ok({"ps", "-aq"}), "");
  EXPECT_EQ(ok({"network", "ls", "-q", "--filter", "name=bcp_back"}), "");
  EXPECT_EQ(ok({"volume", "ls", "-q", "--filter", "name=bcp_data"}), "");
  EXPECT_FALSE(ok({"image", "inspect", "--format", "{{.Id}}", "composed/web:1"}).empty());
}

TEST_F(compose, a_build_through_the_docker_cli_works_too_and_bad_files_are_refused) {
  auto built = compose_ok({"build", "--no-cache"}, true);
  EXPECT_NE(built.find("Successfully tagged composed/web:1"), std::string::npos) << built;
  EXPECT_EQ(trim(ok({"run", "--rm", "composed/web:1", "cat", "/built"})), "built");

  // A Dockerfile that does not parse: the build fails with the daemon's message, nothing runs.
  std::ofstream{project_dir_ + "/app/Dockerfile"} << "FROM busybox\nNOPE x\n";
  auto bad = compose_run({"up", "-d", "--build"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE((bad.out + bad.err).find("unknown instruction: NOPE"), std::string::npos)
      << bad.out << bad.err;
  EXPECT_EQ(ok({"ps", "-aq"}), "");
}

} // namespace
