// Tests runtime/cgroup_stats_reader: where a container's cgroup is (from its cgroupsPath or from
// /proc/<pid>/cgroup), reading a cgroup tree from files, and reading this process's own cgroup.
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/random.hpp"
#include "runtime/cgroup_stats_reader.hpp"

using namespace berth;
using namespace berth::runtime;

namespace {

namespace fs = std::filesystem;

TEST(cgroup_stats_reader, an_absolute_path_on_v1_has_one_directory_per_controller) {
  auto where = cgroup_location_of_path("/berth/abc", false, "/sys/fs/cgroup");
  EXPECT_FALSE(where.unified);
  EXPECT_EQ(where.controller_dirs.at("memory"), "/sys/fs/cgroup/memory/berth/abc");
  EXPECT_EQ(where.controller_dirs.at("cpuacct"), "/sys/fs/cgroup/cpuacct/berth/abc");
  EXPECT_EQ(where.controller_dirs.at("blkio"), "/sys/fs/cgroup/blkio/berth/abc");
  EXPECT_EQ(where.controller_dirs.size(), stats_controllers().size());
}

TEST(cgroup_stats_reader, an_absolute_path_on_v2_is_one_directory) {
  auto where = cgroup_location_of_path("/berth//abc/", true, "/sys/fs/cgroup");
  EXPECT_TRUE(where.unified);
  EXPECT_EQ(where.unified_dir, "/sys/fs/cgroup/berth/abc");
}

TEST(cgroup_stats_reader, proc_cgroup_names_each_controller_of_a_line) {
  const char* text = "12:pids:/parent/abc\n"
                     "4:cpu,cpuacct:/parent/abc\n"
                     "3:memory:/parent/abc\n"
                     "2:blkio:/parent/abc\n"
                     "1:name=systemd:/user.slice\n"
                     "0::/\n";
  auto where = cgroup_location_of_process(text, false, "/r");
  EXPECT_EQ(where.controller_dirs.at("cpu"), "/r/cpu/parent/abc");
  EXPECT_EQ(where.controller_dirs.at("cpuacct"), "/r/cpuacct/parent/abc");
  EXPECT_EQ(where.controller_dirs.at("pids"), "/r/pids/parent/abc");
  EXPECT_EQ(where.controller_dirs.count("name=systemd"), 0u);
  auto unified = cgroup_location_of_process("0::/system.slice/x\n", true, "/r");
  EXPECT_EQ(unified.unified_dir, "/r/system.slice/x");
}

class cgroup_tree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("berth-cgroup-" + random_hex(8));
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& relative, const std::string& text) {
    auto path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  fs::path root_;
};

TEST_F(cgroup_tree, reads_a_v1_tree_from_its_files) {
  write("cpuacct/c1/cpuacct.usage", "2000\n");
  write("cpuacct/c1/cpuacct.stat", "user 1\nsystem 2\n");
  write("memory/c1/memory.stat", "cache 10\ntotal_inactive_file 4\n");
  write("memory/c1/memory.usage_in_bytes", "100\n");
  write("memory/c1/memory.limit_in_bytes", "1000\n");
  write("pids/c1/pids.current", "1\n");
  write("pids/c1/pids.max", "max\n");
  auto where = cgroup_location_of_path("/c1", false, root_.string());
  auto s = read_cgroup_stats(where, 0);
  ASSERT_TRUE(s) << error_message(s.error());
  EXPECT_EQ(s->cpu.total_ns, 2000u);
  EXPECT_EQ(s->cpu.kernel_ns, 20'000'000u);
  ASSERT_TRUE(s->memory);
  EXPECT_EQ(s->memory->usage, 100u);
  EXPECT_EQ(s->memory->limit, 1000u);
  EXPECT_EQ(s->memory->stats.at("total_inactive_file"), 4u);
  ASSERT_TRUE(s->pids);
  EXPECT_EQ(s->pids->current, 1u);
  EXPECT_FALSE(s->blkio.io_service_bytes_recursive); // no blkio directory
}

TEST_F(cgroup_tree, reads_a_v2_tree_from_its_files) {
  write("c2/cpu.stat", "usage_usec 3\nuser_usec 2\nsystem_usec 1\n");
  write("c2/memory.current", "4096\n");
  write("c2/memory.max", "8192\n");
  auto s = read_cgroup_stats(cgroup_location_of_path("/c2", true, root_.string()), 0);
  ASSERT_TRUE(s) << error_message(s.error());
  EXPECT_EQ(s->cpu.total_ns, 3000u);
  ASSERT_TRUE(s->memory);
  EXPECT_EQ(s->memory->usage, 4096u);
  EXPECT_EQ(s->memory->limit, 8192u);
}

TEST_F(cgroup_tree, a_cgroup_that_is_gone_is_not_found) {
  auto s = read_cgroup_stats(cgroup_location_of_path("/gone", false, root_.string()), 0);
  ASSERT_FALSE(s);
  EXPECT_EQ(error_kind(s.error()), errc::not_found);
}

// The kernel's own files: this process's cgroup, found through /proc/self/cgroup.
TEST(cgroup_stats_reader, reads_this_processs_own_cgroup) {
  bool unified = fs::exists("/sys/fs/cgroup/cgroup.controllers");
  auto where = locate_cgroup("relative/so/proc", static_cast<int>(::getpid()), unified);
  ASSERT_TRUE(where) << error_message(where.error());
  auto s = read_cgroup_stats(*where, 0);
  ASSERT_TRUE(s) << error_message(s.error());
  EXPECT_GT(s->cpu.total_ns, 0u);
  ASSERT_TRUE(s->memory);
  EXPECT_GT(s->memory->usage, 0u);
}

} // namespace
