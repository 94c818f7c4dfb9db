// Tests api/docker_json/container_json: the health parts of `docker ps` Status and of inspect's
// State (dockerd's shapes).
#include <gtest/gtest.h>

#include "api/docker_json/container_json.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

constexpr int64_t second = 1'000'000'000;

container_summary running_since_100s(std::string health) {
  container_summary s;
  s.status = container_status::running;
  s.started_at = 100 * second;
  s.health = std::move(health);
  return s;
}

} // namespace

TEST(container_json, ps_status_shows_the_health_like_dockerd) {
  int64_t now = 103 * second;
  EXPECT_EQ(api::status_text(running_since_100s(""), now), "Up 3 seconds");
  EXPECT_EQ(api::status_text(running_since_100s("starting"), now),
            "Up 3 seconds (health: starting)");
  EXPECT_EQ(api::status_text(running_since_100s("healthy"), now), "Up 3 seconds (healthy)");
  EXPECT_EQ(api::status_text(running_since_100s("unhealthy"), now), "Up 3 seconds (unhealthy)");
  auto paused = running_since_100s("unhealthy");
  paused.status = container_status::paused;
  EXPECT_EQ(api::status_text(paused, now), "Up 3 seconds (Paused)"); // dockerd: no health then
  auto exited = running_since_100s("unhealthy");
  exited.status = container_status::exited;
  exited.finished_at = 101 * second;
  EXPECT_EQ(api::status_text(exited, now), "Exited (0) 2 seconds ago");
}

TEST(container_json, inspect_state_has_health_only_once_a_healthcheck_ran) {
  container_record rec;
  rec.id = std::string(64, 'a');
  rec.status = container_status::running;
  auto paths = paths_of(rec, "/data", "/run/berth");
  auto state = api::container_inspect_json(rec, paths, api::max_api_version)["State"];
  EXPECT_FALSE(state.contains("Health"));

  rec.health = runtime::health_state{};
  state = api::container_inspect_json(rec, paths, api::max_api_version)["State"];
  EXPECT_EQ(state["Health"],
            nlohmann::json::parse(R"({"Status":"starting","FailingStreak":0,"Log":null})"));

  rec.health->status = runtime::health_status::unhealthy;
  rec.health->failing_streak = 2;
  rec.health->log = {{1'700'000'000'000'000'000, 1'700'000'000'500'000'000, 1, "no\n"}};
  state = api::container_inspect_json(rec, paths, api::max_api_version)["State"];
  EXPECT_EQ(state["Health"], nlohmann::json::parse(R"({"Status":"unhealthy","FailingStreak":2,
      "Log":[{"Start":"2023-11-14T22:13:20Z","End":"2023-11-14T22:13:20.5Z","ExitCode":1,
              "Output":"no\n"}]})"));
}
