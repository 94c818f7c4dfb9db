// Tests runtime/runtime_probe with the real runtimes of this host.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/sys.hpp"
#include "runtime/runtime_catalog.hpp"
#include "runtime/runtime_probe.hpp"

using namespace berth;
using namespace berth::runtime;

namespace {

std::string scratch() {
  char tmpl[] = "/tmp/berth-probe-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

runtime_probe probe_with(const std::string& runtime, const std::string& dir) {
  return {runtime, BERTH_SHIM_BINARY, dir + "/work",
          "/berth-probe-test-" + std::to_string(::getpid())};
}

} // namespace

TEST(runtime_probe, runc_runs_a_container_here) {
  auto runc = find_executable("runc");
  if (!runc || ::geteuid() != 0) GTEST_SKIP() << "needs runc and root";
  auto dir = scratch();
  auto r = probe_runtime(probe_with(*runc, dir));
  EXPECT_TRUE(r.works) << r.reason;
  EXPECT_FALSE(sys::exists(dir + "/work")); // cleaned up
  (void)sys::remove_all(dir);
  // The runtime made the probe's cgroup in every hierarchy (cgroup v1 controllers, name=systemd,
  // the unified one): remove it from all of them.
  auto cgroups = sys::open("/sys/fs/cgroup", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(cgroups);
  auto hierarchies = sys::directory_entries(cgroups->get(), "/sys/fs/cgroup");
  ASSERT_TRUE(hierarchies);
  auto leaf = "berth-probe-test-" + std::to_string(::getpid());
  for (const auto& h : *hierarchies)
    (void)::rmdir(("/sys/fs/cgroup/" + h + "/" + leaf).c_str());
  for (const auto& h : *hierarchies)
    EXPECT_FALSE(sys::exists("/sys/fs/cgroup/" + h + "/" + leaf)) << h;
}

TEST(runtime_probe, a_runtime_that_fails_is_refused_with_its_message) {
  auto dir = scratch();
  auto r = probe_runtime(probe_with("/bin/false", dir));
  EXPECT_FALSE(r.works);
  auto missing = probe_runtime(probe_with("/nonexistent/runc", dir));
  (void)sys::remove_all(dir);
  EXPECT_FALSE(missing.works);
  EXPECT_NE(missing.reason.find("/nonexistent/runc"), std::string::npos) << missing.reason;
}
