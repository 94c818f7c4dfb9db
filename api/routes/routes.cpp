// The route tables.
#include "api/routes/routes.hpp"

#include "actors/directory.hpp"
#include "api/actor_bridge.hpp"
#include "metrics/metrics_actor.hpp"

namespace berth::api {

std::shared_ptr<router> make_docker_router() {
  auto r = std::make_shared<router>();
  add_system_routes(*r);
  add_events_routes(*r);
  add_image_routes(*r);
  add_container_routes(*r);
  add_exec_routes(*r);
  add_network_routes(*r);
  add_swarm_routes(*r);
  add_volume_routes(*r);
  add_container_tool_routes(*r);
  add_stats_routes(*r);
  add_archive_routes(*r);
  add_commit_routes(*r);
  add_build_routes(*r);
  add_distribution_routes(*r);
  return r;
}

std::shared_ptr<router> make_metrics_router() {
  auto r = std::make_shared<router>();
  auto serve = [](const exchange_ptr& ex) {
    auto target = find_actor<metrics::metrics_actor>(ex, actors::directory::metrics);
    if (!target) return;
    ask(
        ex, target,
        [ex](std::string& text) {
          http_response res;
          res.content_type = "text/plain; version=0.0.4; charset=utf-8";
          res.body = std::move(text);
          ex->reply(std::move(res));
        },
        caf::get_atom_v, actors::metrics_atom_v);
  };
  r->add("GET", "/metrics", serve);
  r->add("HEAD", "/metrics", serve);
  return r;
}

} // namespace berth::api
