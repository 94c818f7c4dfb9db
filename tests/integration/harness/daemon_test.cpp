// The fixture the CLI-driven integration tests share.
#include "daemon_test.hpp"

#include <chrono>

#include "test_images.hpp"
#include "test_text.hpp"

namespace berth::test {

void daemon_test::SetUp() {
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  auto loaded = docker({"load", "-q", "-i", test_images_dir() + "/busybox.tar"});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
}

command_result daemon_test::docker(const std::vector<std::string>& args, const run_options& opts) {
  return daemon_.docker(args, opts);
}

std::string daemon_test::ok(const std::vector<std::string>& args, const run_options& opts) {
  auto r = docker(args, opts);
  EXPECT_EQ(r.exit_code, 0) << "docker " << args.front() << (args.size() > 1 ? " " + args[1] : "")
                            << ": " << r.err << r.out;
  return trim(r.out);
}

nlohmann::json daemon_test::inspect(const std::string& object, const std::string& kind) {
  auto r = docker({kind, "inspect", object});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out, nullptr, false);
  return doc.is_array() && !doc.empty() ? doc[0] : nlohmann::json();
}

std::string daemon_test::unix_now() {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

} // namespace berth::test
