// Tests metrics/container_stats_collector: per-container series, labelled, replaced as a whole.
#include <gtest/gtest.h>

#include "metrics/container_stats_collector.hpp"
#include "metrics/registry.hpp"

using namespace berth::metrics;

namespace {

container_figures web() {
  container_figures f;
  f.id = "0123abcd";
  f.name = "web";
  f.cpu_seconds = 1.5;
  f.memory_usage_bytes = 4096;
  f.network_receive_bytes = 100;
  f.network_transmit_bytes = 50;
  f.pids = 3;
  return f;
}

TEST(container_stats_collector, renders_each_containers_series_with_id_and_name) {
  registry reg;
  auto collector = std::make_shared<container_stats_collector>();
  reg.add(collector);
  collector->replace({web()});
  auto text = reg.render();
  EXPECT_NE(text.find("# TYPE berth_container_cpu_seconds_total counter"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(berth_container_cpu_seconds_total{id="0123abcd",name="web"} 1.5)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(berth_container_memory_usage_bytes{id="0123abcd",name="web"} 4096)"),
            std::string::npos);
  EXPECT_NE(
      text.find(R"(berth_container_network_receive_bytes_total{id="0123abcd",name="web"} 100)"),
      std::string::npos);
  EXPECT_NE(
      text.find(R"(berth_container_network_transmit_bytes_total{id="0123abcd",name="web"} 50)"),
      std::string::npos);
  EXPECT_NE(text.find(R"(berth_container_pids{id="0123abcd",name="web"} 3)"), std::string::npos);
}

TEST(container_stats_collector, a_replacement_drops_containers_that_are_gone) {
  registry reg;
  auto collector = std::make_shared<container_stats_collector>();
  reg.add(collector);
  collector->replace({web()});
  collector->replace({});
  auto text = reg.render();
  EXPECT_EQ(text.find("berth_container_"), std::string::npos) << text;
}

} // namespace
