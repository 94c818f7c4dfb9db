// Tests runtime/cgroup_stats: the v1 and v2 file parsers and dockerd's statsV1/statsV2 shapes,
// over text samples of the kernel's files.
#include <limits>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "runtime/cgroup_stats.hpp"

using namespace berth::runtime;

namespace {

constexpr uint64_t gib = 1ull << 30;
constexpr uint64_t max_u64 = std::numeric_limits<uint64_t>::max();

// A cgroup whose files are the map's texts ("controller/file" on v1, "file" on v2).
cgroup_file_reader files(std::map<std::string, std::string> texts) {
  return [texts = std::move(texts)](std::string_view controller,
                                    std::string_view file) -> std::optional<std::string> {
    auto key =
        controller.empty() ? std::string(file) : std::string(controller) + "/" + std::string(file);
    auto i = texts.find(key);
    if (i == texts.end()) return std::nullopt;
    return i->second;
  };
}

const char* v1_memory_stat = "cache 1048576\n"
                             "rss 2097152\n"
                             "rss_huge 0\n"
                             "shmem 0\n"
                             "mapped_file 524288\n"
                             "dirty 0\n"
                             "writeback 0\n"
                             "workingset_refault_anon 0\n"
                             "swap 0\n"
                             "pgpgin 1200\n"
                             "pgpgout 400\n"
                             "pgfault 3000\n"
                             "pgmajfault 2\n"
                             "inactive_anon 0\n"
                             "active_anon 2097152\n"
                             "inactive_file 786432\n"
                             "active_file 262144\n"
                             "unevictable 0\n"
                             "hierarchical_memory_limit 67108864\n"
                             "hierarchical_memsw_limit 134217728\n"
                             "total_cache 1048576\n"
                             "total_rss 2097152\n"
                             "total_inactive_file 786432\n"
                             "total_active_file 262144\n";

std::map<std::string, std::string> v1_files() {
  return {
      {"cpuacct/cpuacct.stat", "user 150\nsystem 25\n"},
      {"cpuacct/cpuacct.usage", "1834567890\n"},
      {"cpuacct/cpuacct.usage_percpu", "1000000000 834567890 \n"},
      {"cpu/cpu.stat", "nr_periods 40\nnr_throttled 3\nthrottled_time 123456\nnr_bursts 0\n"
                       "burst_time 0\n"},
      {"memory/memory.stat", v1_memory_stat},
      {"memory/memory.usage_in_bytes", "4194304\n"},
      {"memory/memory.max_usage_in_bytes", "5242880\n"},
      {"memory/memory.failcnt", "0\n"},
      {"memory/memory.limit_in_bytes", "67108864\n"},
      {"pids/pids.current", "3\n"},
      {"pids/pids.max", "max\n"},
      {"blkio/blkio.throttle.io_service_bytes", "8:0 Read 1048576\n8:0 Write 4096\n"
                                                "8:0 Sync 4096\n8:0 Async 1048576\n"
                                                "8:0 Discard 0\n8:0 Total 1052672\n"
                                                "Total 1052672\n"},
      {"blkio/blkio.throttle.io_serviced", "8:0 Read 12\n8:0 Write 1\nTotal 13\n"},
  };
}

TEST(cgroup_stats, flat_keyed_files_read_negative_values_as_zero_and_skip_bad_lines) {
  auto m = parse_flat_keyed("a 1\nb -1\nbroken\nc 2 3\nd 18446744073709551615\n");
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m["a"], 1u);
  EXPECT_EQ(m["b"], 0u);
  EXPECT_EQ(m["d"], max_u64);
}

TEST(cgroup_stats, single_values_and_max) {
  EXPECT_EQ(parse_single_value("42\n", 0), 42u);
  EXPECT_EQ(parse_single_value("max\n", 0), 0u);
  EXPECT_EQ(parse_single_value("max", max_u64), max_u64);
  EXPECT_EQ(parse_single_value("-1", 7), 0u);
  EXPECT_FALSE(parse_single_value("", 0));
  EXPECT_FALSE(parse_single_value("12abc", 0));
}

TEST(cgroup_stats, percpu_usage_tolerates_the_trailing_space) {
  EXPECT_EQ(parse_percpu_usage("19793545 20970088 \n"),
            (std::vector<uint64_t>{19793545, 20970088}));
  EXPECT_TRUE(parse_percpu_usage("").empty());
}

TEST(cgroup_stats, blkio_v1_lines_keep_ops_and_skip_the_grand_total) {
  auto e = parse_blkio_v1("8:0 Read 10\n8:0 Write 20\n253:1 Total 30\nTotal 30\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0], (blkio_entry{8, 0, "Read", 10}));
  EXPECT_EQ(e[1], (blkio_entry{8, 0, "Write", 20}));
  EXPECT_EQ(e[2], (blkio_entry{253, 1, "Total", 30}));
  // Files without an op column (blkio.time_recursive, sectors_recursive).
  auto plain = parse_blkio_v1("8:0 4096\n");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0], (blkio_entry{8, 0, "", 4096}));
}

TEST(cgroup_stats, io_stat_v2_gives_a_read_and_a_write_entry_per_device) {
  auto e = parse_io_stat_v2("8:0 rbytes=1048576 wbytes=4096 rios=10 wios=1 dbytes=0 dios=0\n"
                            "253:0 rbytes=7 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0], (blkio_entry{8, 0, "read", 1048576}));
  EXPECT_EQ(e[1], (blkio_entry{8, 0, "write", 4096}));
  EXPECT_EQ(e[2], (blkio_entry{253, 0, "read", 7}));
  EXPECT_EQ(e[3], (blkio_entry{253, 0, "write", 0}));
}

TEST(cgroup_stats, v1_cpu_in_nanoseconds_with_percpu_and_throttling) {
  auto s = collect_cgroup_v1_stats(files(v1_files()), 8 * gib);
  EXPECT_EQ(s.cpu.total_ns, 1834567890u);
  EXPECT_EQ(s.cpu.user_ns, 1'500'000'000u); // 150 ticks of 10 ms
  EXPECT_EQ(s.cpu.kernel_ns, 250'000'000u);
  EXPECT_EQ(s.cpu.percpu_ns, (std::vector<uint64_t>{1000000000, 834567890}));
  EXPECT_EQ(s.cpu.throttling_periods, 40u);
  EXPECT_EQ(s.cpu.throttled_periods, 3u);
  EXPECT_EQ(s.cpu.throttled_time_ns, 123456u);
}

TEST(cgroup_stats, v1_memory_has_dockerds_32_keys_and_the_limit) {
  auto s = collect_cgroup_v1_stats(files(v1_files()), 8 * gib);
  ASSERT_TRUE(s.memory);
  EXPECT_EQ(s.memory->usage, 4194304u);
  EXPECT_EQ(s.memory->max_usage, 5242880u);
  EXPECT_EQ(s.memory->limit, 64u << 20);
  EXPECT_EQ(s.memory->stats.size(), 32u);
  EXPECT_EQ(s.memory->stats.at("cache"), 1048576u);
  EXPECT_EQ(s.memory->stats.at("total_inactive_file"), 786432u);
  EXPECT_EQ(s.memory->stats.at("inactive_file"), 786432u);
  EXPECT_EQ(s.memory->stats.at("total_unevictable"), 0u); // absent from the file: 0
  EXPECT_EQ(s.memory->stats.count("swap"), 0u);           // not one of dockerd's keys
}

TEST(cgroup_stats, v1_unlimited_memory_is_capped_at_the_machines) {
  auto texts = v1_files();
  texts["memory/memory.limit_in_bytes"] = "9223372036854771712\n";
  auto s = collect_cgroup_v1_stats(files(texts), 8 * gib);
  ASSERT_TRUE(s.memory);
  EXPECT_EQ(s.memory->limit, 8 * gib);
}

TEST(cgroup_stats, v1_pids_max_reads_as_no_limit) {
  auto s = collect_cgroup_v1_stats(files(v1_files()), 8 * gib);
  ASSERT_TRUE(s.pids);
  EXPECT_EQ(s.pids->current, 3u);
  EXPECT_EQ(s.pids->limit, 0u);
  auto texts = v1_files();
  texts["pids/pids.max"] = "100\n";
  EXPECT_EQ(collect_cgroup_v1_stats(files(texts), 0).pids->limit, 100u);
}

TEST(cgroup_stats, v1_blkio_falls_back_to_the_throttle_files_and_lists_every_kind) {
  auto s = collect_cgroup_v1_stats(files(v1_files()), 8 * gib);
  ASSERT_TRUE(s.blkio.io_service_bytes_recursive);
  EXPECT_EQ(s.blkio.io_service_bytes_recursive->size(), 6u);
  EXPECT_EQ(s.blkio.io_service_bytes_recursive->front(), (blkio_entry{8, 0, "Read", 1048576}));
  ASSERT_TRUE(s.blkio.io_serviced_recursive);
  EXPECT_EQ(s.blkio.io_serviced_recursive->size(), 2u);
  // dockerd copies the kinds it has no data for as [] on v1.
  ASSERT_TRUE(s.blkio.sectors_recursive);
  EXPECT_TRUE(s.blkio.sectors_recursive->empty());
  ASSERT_TRUE(s.blkio.io_time_recursive);
  EXPECT_TRUE(s.blkio.io_time_recursive->empty());
}

TEST(cgroup_stats, v1_blkio_prefers_the_cfq_files_when_they_hold_data) {
  auto texts = v1_files();
  texts["blkio/blkio.io_serviced_recursive"] = "8:0 Read 5\n8:0 Write 6\nTotal 11\n";
  texts["blkio/blkio.io_service_bytes_recursive"] = "8:0 Read 500\n8:0 Write 600\nTotal 1100\n";
  texts["blkio/blkio.sectors_recursive"] = "8:0 12\n";
  auto s = collect_cgroup_v1_stats(files(texts), 0);
  ASSERT_TRUE(s.blkio.io_service_bytes_recursive);
  ASSERT_EQ(s.blkio.io_service_bytes_recursive->size(), 2u);
  EXPECT_EQ(s.blkio.io_service_bytes_recursive->front().value, 500u);
  ASSERT_TRUE(s.blkio.sectors_recursive);
  EXPECT_EQ(s.blkio.sectors_recursive->front(), (blkio_entry{8, 0, "", 12}));
  ASSERT_TRUE(s.blkio.io_queue_recursive); // the file is missing: still []
  EXPECT_TRUE(s.blkio.io_queue_recursive->empty());
}

TEST(cgroup_stats, v1_without_controllers_leaves_their_parts_out) {
  auto s = collect_cgroup_v1_stats(files({{"cpuacct/cpuacct.usage", "5\n"}}), 0);
  EXPECT_EQ(s.cpu.total_ns, 5u);
  EXPECT_FALSE(s.memory);
  EXPECT_FALSE(s.pids);
  EXPECT_FALSE(s.blkio.io_service_bytes_recursive);
}

std::map<std::string, std::string> v2_files() {
  return {
      {"cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n"
                   "core_sched.force_idle_usec 0\nnr_periods 7\nnr_throttled 1\n"
                   "throttled_usec 900\nnr_bursts 0\nburst_usec 0\n"},
      {"memory.stat", "anon 2097152\nfile 1048576\nkernel 180224\nkernel_stack 32768\n"
                      "pagetables 49152\nsock 0\nshmem 0\nfile_mapped 524288\nfile_dirty 0\n"
                      "file_writeback 0\nanon_thp 0\ninactive_anon 0\nactive_anon 2097152\n"
                      "inactive_file 786432\nactive_file 262144\nunevictable 0\n"
                      "slab_reclaimable 40000\nslab_unreclaimable 50000\nslab 90000\n"
                      "pgfault 3000\npgmajfault 2\n"},
      {"memory.current", "4194304\n"},
      {"memory.max", "max\n"},
      {"memory.peak", "5242880\n"},
      {"memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n"},
      {"pids.current", "2\n"},
      {"pids.max", "max\n"},
      {"io.stat", "8:0 rbytes=8192 wbytes=0 rios=2 wios=0 dbytes=0 dios=0\n"},
  };
}

TEST(cgroup_stats, v2_cpu_converts_microseconds) {
  auto s = collect_cgroup_v2_stats(files(v2_files()), 8 * gib);
  EXPECT_EQ(s.cpu.total_ns, 2'500'000'000u);
  EXPECT_EQ(s.cpu.user_ns, 2'000'000'000u);
  EXPECT_EQ(s.cpu.kernel_ns, 500'000'000u);
  EXPECT_TRUE(s.cpu.percpu_ns.empty());
  EXPECT_EQ(s.cpu.throttling_periods, 7u);
  EXPECT_EQ(s.cpu.throttled_periods, 1u);
  EXPECT_EQ(s.cpu.throttled_time_ns, 900'000u);
}

TEST(cgroup_stats, v2_memory_has_the_v2_keys_and_the_oom_count) {
  auto s = collect_cgroup_v2_stats(files(v2_files()), 8 * gib);
  ASSERT_TRUE(s.memory);
  EXPECT_EQ(s.memory->usage, 4194304u);
  EXPECT_EQ(s.memory->max_usage, 0u);  // dockerd does not report it on v2
  EXPECT_EQ(s.memory->limit, 8 * gib); // "max", capped at the machine's memory
  EXPECT_EQ(s.memory->failcnt, 1u);
  EXPECT_EQ(s.memory->stats.size(), 31u);
  EXPECT_EQ(s.memory->stats.at("inactive_file"), 786432u);
  EXPECT_EQ(s.memory->stats.at("anon"), 2097152u);
  EXPECT_EQ(s.memory->stats.count("cache"), 0u);
  EXPECT_EQ(s.memory->stats.count("pagetables"), 0u);
}

TEST(cgroup_stats, v2_pids_max_is_the_largest_value_and_io_only_service_bytes) {
  auto s = collect_cgroup_v2_stats(files(v2_files()), 8 * gib);
  ASSERT_TRUE(s.pids);
  EXPECT_EQ(s.pids->current, 2u);
  EXPECT_EQ(s.pids->limit, max_u64);
  ASSERT_TRUE(s.blkio.io_service_bytes_recursive);
  EXPECT_EQ(s.blkio.io_service_bytes_recursive->size(), 2u);
  EXPECT_FALSE(s.blkio.io_serviced_recursive);
  EXPECT_FALSE(s.blkio.sectors_recursive);
}

TEST(cgroup_stats, v2_with_a_limit_and_no_io) {
  auto texts = v2_files();
  texts["memory.max"] = "67108864\n";
  texts["io.stat"] = "";
  auto s = collect_cgroup_v2_stats(files(texts), 8 * gib);
  EXPECT_EQ(s.memory->limit, 64u << 20);
  EXPECT_FALSE(s.blkio.io_service_bytes_recursive); // null, as dockerd's nil slice
}

} // namespace
