// Tests metrics/: rendering, untyped values under dockerd's names, probes.
#include <gtest/gtest.h>

#include "metrics/actor_probe.hpp"
#include "metrics/daemon_probes.hpp"
#include "metrics/engine_probe.hpp"
#include "metrics/http_probe.hpp"
#include "metrics/network_probe.hpp"
#include "metrics/registry.hpp"

using namespace berth::metrics;

TEST(metrics, renders_families_and_untyped_values) {
  registry reg;
  engine_probe engine{reg};
  engine.set_subscribers(3);
  engine.event_emitted();
  engine.set_info({{"version", "0.1.0"}}, 2, 1024);
  auto text = reg.render();
  EXPECT_NE(text.find("# TYPE engine_daemon_events_subscribers_total untyped"), std::string::npos);
  EXPECT_NE(text.find("engine_daemon_events_subscribers_total 3"), std::string::npos);
  EXPECT_NE(text.find("engine_daemon_events_total 1"), std::string::npos);
  EXPECT_NE(text.find("engine_daemon_engine_info{version=\"0.1.0\"} 1"), std::string::npos);
}

TEST(metrics, http_and_actor_probes_label_by_route_and_actor) {
  registry reg;
  http_probe http{reg};
  http.observe("GET", "/containers/{id}/json", 200, 0.002);
  actor_probe actor{reg, "containers"};
  actor.observe(4, 0.0001);
  actor.restarted();
  auto text = reg.render();
  EXPECT_NE(text.find("berth_http_requests_total{code=\"200\",method=\"GET\",route=\"/containers/"
                      "{id}/json\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("berth_actor_mailbox_depth{actor=\"containers\"} 4"), std::string::npos);
  EXPECT_NE(text.find("berth_actor_restarts_total{actor=\"containers\"} 1"), std::string::npos);
}

TEST(metrics, daemon_probes_share_one_probe_per_actor_name) {
  daemon_probes probes;
  EXPECT_EQ(probes.actor("images").get(), probes.actor("images").get());
  EXPECT_NE(probes.registry().render().find("process_resident_memory_bytes"), std::string::npos);
}

TEST(metrics, action_timers_use_prometheus_default_buckets) {
  EXPECT_EQ(default_buckets(), (prometheus::Histogram::BucketBoundaries{
                                   0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
  registry reg;
  network_probe network{reg};
  network.observe_action("create", 0.02);
  auto text = reg.render();
  EXPECT_NE(
      text.find("engine_daemon_network_actions_seconds_bucket{action=\"create\",le=\"0.01\"} 0"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("engine_daemon_network_actions_seconds_bucket{action=\"create\",le=\"0.025\"} 1"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("engine_daemon_network_actions_seconds_bucket{action=\"create\",le=\"10\"} 1"),
      std::string::npos)
      << text;
}
