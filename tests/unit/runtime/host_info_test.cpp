// Tests runtime/host_info and runtime/runtime_catalog against this host.
#include <sys/utsname.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "runtime/host_info.hpp"
#include "runtime/runtime_catalog.hpp"

using namespace berth;

TEST(host_info, reports_this_host) {
  auto h = runtime::probe_host("/tmp/does/not/exist/yet");
  utsname uts{};
  ::uname(&uts);
  EXPECT_EQ(h.kernel_version, uts.release);
  EXPECT_EQ(h.ncpu, sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_GT(h.mem_total, 0);
  EXPECT_TRUE(h.cgroup_version == "1" || h.cgroup_version == "2");
  EXPECT_FALSE(h.backing_filesystem.empty());
  EXPECT_FALSE(h.operating_system.empty());
}

TEST(runtime_catalog, configured_default_wins_and_probe_decides_otherwise) {
  config::daemon_config cfg;
  cfg.runtimes["custom"] = config::runtime_entry{"/bin/true", {"--flag"}};
  auto probed =
      runtime::make_runtime_catalog(cfg, [](const std::string& n) { return n == "runc"; });
  EXPECT_TRUE(probed.runtimes.count("custom"));
  if (probed.runtimes.count("runc")) {
    EXPECT_EQ(probed.default_runtime, "runc");
  }
  cfg.default_runtime = "custom";
  auto configured = runtime::make_runtime_catalog(cfg, nullptr);
  EXPECT_EQ(configured.default_runtime, "custom");
  EXPECT_FALSE(runtime::find_executable("no-such-binary-berth"));
  EXPECT_TRUE(runtime::find_executable("sh"));
}
