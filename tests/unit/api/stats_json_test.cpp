// Tests api/docker_json/stats_json: docker stats documents in dockerd 28's shape.
#include <gtest/gtest.h>

#include "api/docker_json/stats_json.hpp"

using namespace berth;
using namespace berth::api;
using ojson = nlohmann::ordered_json;

namespace {

actors::container_sample sample_at(int64_t read, uint64_t cpu_ns, uint64_t system_ns) {
  actors::container_sample s;
  s.read_nanos = read;
  s.cgroup.cpu.total_ns = cpu_ns;
  s.cgroup.cpu.kernel_ns = cpu_ns / 4;
  s.cgroup.cpu.user_ns = cpu_ns / 2;
  s.cgroup.cpu.percpu_ns = {cpu_ns / 2, cpu_ns / 2};
  s.system.usage_ns = system_ns;
  s.system.online_cpus = 2;
  runtime::memory_counters m;
  m.usage = 4 << 20;
  m.max_usage = 5 << 20;
  m.limit = 64 << 20;
  m.stats = {{"total_inactive_file", 1 << 20}, {"cache", 2 << 20}};
  s.cgroup.memory = m;
  s.cgroup.pids = runtime::pids_counters{3, 0};
  s.cgroup.blkio.io_service_bytes_recursive =
      std::vector<runtime::blkio_entry>{{8, 0, "Read", 4096}};
  s.cgroup.blkio.io_serviced_recursive = std::vector<runtime::blkio_entry>{};
  net::interface_statistics eth1{"eth1", {}};
  eth1.counters.rx_bytes = 10;
  net::interface_statistics eth0{"eth0", {}};
  eth0.counters.rx_bytes = 100;
  eth0.counters.tx_bytes = 50;
  s.networks = std::vector<net::interface_statistics>{eth1, eth0};
  return s;
}

std::vector<std::string> keys_of(const ojson& j) {
  std::vector<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it)
    out.push_back(it.key());
  return out;
}

TEST(stats_json, a_stopped_container_is_dockerds_zeroed_document) {
  EXPECT_EQ(stats_line(empty_stats_json("abc", "web")),
            R"({"name":"/web","id":"abc","read":"0001-01-01T00:00:00Z",)"
            R"("preread":"0001-01-01T00:00:00Z","pids_stats":{},"blkio_stats":{)"
            R"("io_service_bytes_recursive":null,"io_serviced_recursive":null,)"
            R"("io_queue_recursive":null,"io_service_time_recursive":null,)"
            R"("io_wait_time_recursive":null,"io_merged_recursive":null,"io_time_recursive":null,)"
            R"("sectors_recursive":null},"num_procs":0,"storage_stats":{},)"
            R"("cpu_stats":{"cpu_usage":{"total_usage":0,"usage_in_kernelmode":0,)"
            R"("usage_in_usermode":0},"throttling_data":{"periods":0,"throttled_periods":0,)"
            R"("throttled_time":0}},"precpu_stats":{"cpu_usage":{"total_usage":0,)"
            R"("usage_in_kernelmode":0,"usage_in_usermode":0},"throttling_data":{"periods":0,)"
            R"("throttled_periods":0,"throttled_time":0}},"memory_stats":{}})"
            "\n");
}

TEST(stats_json, fields_come_in_dockerds_order) {
  auto j = stats_json("abc", "web", sample_at(1'700'000'000'500'000'000, 10, 20), nullptr);
  EXPECT_EQ(keys_of(j),
            (std::vector<std::string>{"name", "id", "read", "preread", "pids_stats", "blkio_stats",
                                      "num_procs", "storage_stats", "cpu_stats", "precpu_stats",
                                      "memory_stats", "networks"}));
  EXPECT_EQ(keys_of(j["cpu_stats"]), (std::vector<std::string>{"cpu_usage", "system_cpu_usage",
                                                               "online_cpus", "throttling_data"}));
  EXPECT_EQ(keys_of(j["cpu_stats"]["cpu_usage"]),
            (std::vector<std::string>{"total_usage", "percpu_usage", "usage_in_kernelmode",
                                      "usage_in_usermode"}));
  EXPECT_EQ(keys_of(j["memory_stats"]),
            (std::vector<std::string>{"usage", "max_usage", "stats", "limit"}));
  EXPECT_EQ(keys_of(j["memory_stats"]["stats"]),
            (std::vector<std::string>{"cache", "total_inactive_file"})); // sorted like Go's maps
  EXPECT_EQ(keys_of(j["networks"]), (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_EQ(keys_of(j["networks"]["eth0"]),
            (std::vector<std::string>{"rx_bytes", "rx_packets", "rx_errors", "rx_dropped",
                                      "tx_bytes", "tx_packets", "tx_errors", "tx_dropped"}));
}

TEST(stats_json, values_times_and_omitted_zeros) {
  auto j = stats_json("abc", "web", sample_at(1'700'000'000'500'000'000, 10, 20), nullptr);
  EXPECT_EQ(j["read"], "2023-11-14T22:13:20.5Z");
  EXPECT_EQ(j["preread"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(j["pids_stats"], ojson({{"current", 3}})); // limit 0 is omitted
  EXPECT_EQ(j["cpu_stats"]["cpu_usage"]["total_usage"], 10);
  EXPECT_EQ(j["cpu_stats"]["system_cpu_usage"], 20);
  EXPECT_EQ(j["cpu_stats"]["online_cpus"], 2);
  EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["total_usage"], 0);
  EXPECT_FALSE(j["precpu_stats"].contains("system_cpu_usage"));
  EXPECT_EQ(j["memory_stats"]["limit"], 64 << 20);
  EXPECT_EQ(j["blkio_stats"]["io_service_bytes_recursive"],
            ojson::parse(R"([{"major":8,"minor":0,"op":"Read","value":4096}])"));
  EXPECT_EQ(j["blkio_stats"]["io_serviced_recursive"], ojson::array());
  EXPECT_TRUE(j["blkio_stats"]["sectors_recursive"].is_null());
  EXPECT_EQ(j["networks"]["eth0"]["rx_bytes"], 100);
  EXPECT_EQ(j["networks"]["eth0"]["tx_bytes"], 50);
}

TEST(stats_json, the_previous_sample_fills_preread_and_precpu) {
  auto before = sample_at(1'700'000'000'000'000'000, 5, 7);
  auto now = sample_at(1'700'000'001'000'000'000, 10, 20);
  auto j = stats_json("abc", "web", now, &before);
  EXPECT_EQ(j["preread"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(j["read"], "2023-11-14T22:13:21Z");
  EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["total_usage"], 5);
  EXPECT_EQ(j["precpu_stats"]["system_cpu_usage"], 7);
  EXPECT_EQ(j["precpu_stats"]["cpu_usage"]["percpu_usage"], ojson::array({2, 2}));
}

TEST(stats_json, no_interfaces_means_no_networks_field) {
  auto s = sample_at(1, 1, 1);
  s.networks = std::vector<net::interface_statistics>{};
  EXPECT_FALSE(stats_json("a", "b", s, nullptr).contains("networks"));
  s.networks.reset();
  EXPECT_FALSE(stats_json("a", "b", s, nullptr).contains("networks"));
  s.cgroup.memory.reset();
  s.cgroup.pids.reset();
  auto j = stats_json("a", "b", s, nullptr);
  EXPECT_EQ(j["memory_stats"], ojson::object());
  EXPECT_EQ(j["pids_stats"], ojson::object());
}

} // namespace
