// The state store actor.
#include "actors/state_store_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instrumented.hpp"

namespace berth::actors {

namespace {

state_store_actor::behavior_type state_store_impl(state_store_actor::pointer self,
                                                  std::shared_ptr<storage::state_store> store,
                                                  std::shared_ptr<metrics::actor_probe> probe) {
  return {
      timed(self, probe,
            [store](commit_atom, const std::vector<storage::state_op>& ops) -> caf::result<void> {
              if (auto err = store->apply(ops)) return err;
              return caf::unit;
            }),
      timed(self, probe,
            [store](load_atom,
                    const std::string& kind) -> caf::result<std::vector<storage::state_record>> {
              auto rows = store->load(kind);
              if (!rows) return rows.error();
              return std::move(*rows);
            }),
  };
}

} // namespace

state_store_actor spawn_state_store_actor(caf::actor_system& sys,
                                          std::shared_ptr<storage::state_store> store,
                                          std::shared_ptr<metrics::actor_probe> probe) {
  return sys.spawn<caf::detached>(state_store_impl, std::move(store), std::move(probe));
}

} // namespace berth::actors
