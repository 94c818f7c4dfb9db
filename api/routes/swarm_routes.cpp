// Swarm routes: Berth is a single engine and never part of a swarm, so these answer as dockerd does
// on a node that has not joined one (503), which is what clients such as `docker info`,
// `docker network ls --filter scope=swarm` and compose probe for.
#include "api/exchange.hpp"
#include "api/routes/routes.hpp"
#include "base/error.hpp"

namespace berth::api {

namespace {

void not_in_swarm(const exchange_ptr& ex) {
  ex->reply_error(make_error(errc::unavailable, "This node is not part of a swarm"));
}

void not_a_manager(const exchange_ptr& ex) {
  ex->reply_error(make_error(errc::unavailable,
                             "This node is not a swarm manager. Use \"docker swarm init\" or "
                             "\"docker swarm join\" to connect this node to swarm and try again."));
}

void unsupported(const exchange_ptr& ex) {
  ex->reply_error(make_error(errc::unavailable, "swarm mode is not supported by Berth"));
}

} // namespace

void add_swarm_routes(router& r) {
  r.add("GET", "/swarm", not_a_manager);
  r.add("POST", "/swarm/leave", not_in_swarm);
  r.add("POST", "/swarm/update", not_a_manager);
  r.add("GET", "/swarm/unlockkey", not_a_manager);
  r.add("POST", "/swarm/init", unsupported);
  r.add("POST", "/swarm/join", unsupported);
  for (const char* area : {"/nodes", "/services", "/tasks", "/secrets", "/configs"}) {
    r.add("GET", area, not_a_manager);
    r.add("GET", std::string(area) + "/{id}", not_a_manager);
  }
}

} // namespace berth::api
