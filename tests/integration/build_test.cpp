// Integration tests of `docker build` (the classic POST /build builder) with the real docker CLI
// against a real berthd: every instruction, the stream dockerd prints, the build cache, multi-stage
// builds, .dockerignore, ADD of archives, failures and the context's boundaries.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "process.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

class build : public daemon_test {
 protected:
  void SetUp() override {
    daemon_test::SetUp();
    auto dir = fs::temp_directory_path() / ("berth-build-XXXXXX");
    std::string pattern = dir.string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    context_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(context_, ec);
  }

  void write(const std::string& name, const std::string& text) {
    auto path = fs::path(context_) / name;
    fs::create_directories(path.parent_path());
    std::ofstream{path, std::ios::binary} << text;
  }

  // `docker build` of the context with `args`, the classic builder forced or (legacy = false)
  // DOCKER_BUILDKIT unset (the CLI here has no buildx: it uses the classic API either way).
  command_result docker_build(std::vector<std::string> args, bool legacy = true) {
    std::vector<std::string> argv{"build"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(context_);
    run_options opts;
    opts.timeout = std::chrono::seconds(120);
    if (legacy) opts.env["DOCKER_BUILDKIT"] = "0";
    return docker(argv, opts);
  }

  std::string build_ok(std::vector<std::string> args, bool legacy = true) {
    auto r = docker_build(std::move(args), legacy);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r.out;
  }

  static size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
      ++n;
    return n;
  }

  std::string context_;
};

TEST_F(build, a_run_and_a_copy_make_an_image_with_the_stream_dockerd_prints) {
  write("Dockerfile", "FROM busybox\nRUN echo hi > /x && echo from-run\nCOPY a.txt /a.txt\n");
  write("a.txt", "hello\n");
  auto out = build_ok({"-t", "bb-app"});
  EXPECT_NE(out.find("Step 1/3 : FROM busybox"), std::string::npos) << out;
  EXPECT_NE(out.find("Step 2/3 : RUN echo hi > /x && echo from-run"), std::string::npos) << out;
  EXPECT_NE(out.find(" ---> Running in "), std::string::npos) << out;
  EXPECT_NE(out.find("from-run"), std::string::npos) << out;
  EXPECT_NE(out.find(" ---> Removed intermediate container "), std::string::npos) << out;
  EXPECT_NE(out.find("Successfully built "), std::string::npos) << out;
  EXPECT_NE(out.find("Successfully tagged bb-app:latest"), std::string::npos) << out;
  EXPECT_EQ(ok({"run", "--rm", "bb-app", "cat", "/x", "/a.txt"}), "hi\nhello");
  EXPECT_EQ(ok({"ps", "-a", "-q"}), "");
}

} // namespace
