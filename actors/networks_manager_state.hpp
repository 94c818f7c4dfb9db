// The networks manager's private state and the functions its source files share
// (networks_manager.cpp: the behavior, lookups, create/list/delete/prune; networks_ports.cpp:
// published ports; networks_startup.cpp: restore and the built-in networks). Nothing outside the
// networks manager includes this header.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/response_promise.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/network_actor.hpp"
#include "actors/networks_manager.hpp"
#include "net/network_spec_record.hpp"
#include "net/port_spec_allocator.hpp"

namespace berth::actors {

struct networks_state {
  std::shared_ptr<const daemon_context> ctx;
  struct entry {
    net::network_record record;
    network_actor actor;
  };
  std::map<std::string, entry> networks;     ///< by ID
  std::set<std::string> names_being_created; ///< reserved while a create runs
  /// Ports published per container, as stored (kind "ports").
  struct published {
    endpoint_info endpoint;
    std::vector<net::published_port> ports;
  };
  std::map<std::string, published> ports; ///< by container ID
  std::unique_ptr<net::port_allocator> allocator;
  bool ready = false;
  std::vector<caf::response_promise> ready_waiters;
  static inline const char* name = "networks";
};

using networks_pointer = networks_manager_actor::stateful_pointer<networks_state>;

// -- networks_manager.cpp ---------------------------------------------------------------------
/// Finds a network as dockerd does: full ID, then exact name, then unique ID prefix.
[[nodiscard]] caf::expected<const networks_state::entry*> find_network(const networks_state& st,
                                                                       const std::string& key);
/// Adds a spawned network to the index (monitored; the entry goes when the actor quits).
void adopt_network(networks_pointer self, net::network_record record, network_actor actor);
/// Emits a network event.
void publish_network_event(networks_pointer self, const net::network_record& record,
                           const std::string& action);

// -- networks_ports.cpp -----------------------------------------------------------------------
[[nodiscard]] caf::result<std::vector<net::published_port>> publish(networks_pointer self,
                                                                    publish_request request);
[[nodiscard]] caf::result<void> unpublish(networks_pointer self, const std::string& container);
/// Reads a stored "ports" row.
[[nodiscard]] caf::expected<networks_state::published> published_from_json(const std::string& text);

// -- networks_startup.cpp ---------------------------------------------------------------------
/// Loads the stored networks and ports, rebuilds the packet filter, restores every network,
/// creates the built-in ones that are missing, then answers the ready waiters.
void start_networks(networks_pointer self);
/// Answers `(get, ready)` waiters once start-up is done.
void answer_ready_waiters(networks_pointer self);

} // namespace berth::actors
