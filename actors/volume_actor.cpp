// A volume actor: one volume's record, users and mounts.
#include "actors/volume_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/instrumented.hpp"
#include "actors/state_store_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "metrics/daemon_probes.hpp"
#include "storage/volume_store.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"volumes"};

struct volume_actor_state {
  std::shared_ptr<const daemon_context> ctx;
  volume_record rec;
  std::set<std::string> mounted_for; ///< running containers using the mount (not stored)
  static inline const char* name = "volume";
};

using volume_pointer = volume_actor::stateful_pointer<volume_actor_state>;

storage::volume_paths paths(volume_pointer self) {
  return storage::paths_of_volume(self->state.ctx->config.data_root + "/volumes",
                                  self->state.rec.name);
}

void persist(volume_pointer self, std::vector<storage::state_op> ops,
             std::function<void(caf::error)> then) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) return then(make_error(errc::unavailable, "the state store is not available"));
  self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
      .await([then]() { then({}); }, [then](caf::error& err) { then(err); });
}

void persist(volume_pointer self, std::function<void(caf::error)> then) {
  persist(self,
          {storage::state_op::put("volume", self->state.rec.name, to_state_json(self->state.rec))},
          std::move(then));
}

void publish_event(volume_pointer self, const std::string& action,
                   std::map<std::string, std::string> extra = {}) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) return;
  event ev;
  ev.type = "volume";
  ev.action = action;
  ev.actor_id = self->state.rec.name;
  ev.attributes = std::move(extra);
  ev.attributes["driver"] = self->state.rec.driver;
  self->send(events, caf::publish_atom_v, std::move(ev));
}

void deliver(caf::response_promise& rp, const caf::error& err) {
  if (err)
    rp.deliver(err);
  else
    rp.deliver(caf::unit);
}

caf::result<void> create(volume_pointer self) {
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  auto rp = self->make_response_promise();
  auto p = paths(self);
  run_blocking(
      self, pool, [p]() { return storage::create_volume_directory(p); },
      [self, rp](caf::error err) mutable {
        if (err) return deliver(rp, err);
        persist(self, [self, rp](caf::error stored) mutable {
          if (!stored) publish_event(self, "create");
          deliver(rp, stored);
        });
      });
  return rp;
}

caf::result<void> change_users(volume_pointer self, const std::string& container, bool add) {
  auto& users = self->state.rec.users;
  if (add ? users.count(container) > 0 : users.count(container) == 0) return caf::unit;
  if (add)
    users.insert(container);
  else
    users.erase(container);
  auto rp = self->make_response_promise();
  persist(self, [rp](caf::error err) mutable { deliver(rp, err); });
  return rp;
}

caf::result<std::string> mount(volume_pointer self, const std::string& container,
                               const std::string& destination, bool read_only) {
  std::map<std::string, std::string> attributes{{"container", container},
                                                {"destination", destination},
                                                {"propagation", ""},
                                                {"read/write", read_only ? "false" : "true"}};
  auto p = paths(self);
  auto options = storage::parse_local_options(self->state.rec.options);
  if (!options) return options.error();
  bool first = self->state.mounted_for.empty();
  self->state.mounted_for.insert(container);
  if (!*options || !first) {
    publish_event(self, "mount", attributes);
    return p.data;
  }
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  auto rp = self->make_response_promise<std::string>();
  run_blocking(
      self, pool, [p, m = **options]() { return storage::mount_local_volume(m, p); },
      [self, rp, container, attributes, data = p.data](caf::error err) mutable {
        if (err) {
          self->state.mounted_for.erase(container);
          rp.deliver(err);
          return;
        }
        publish_event(self, "mount", attributes);
        rp.deliver(data);
      });
  return rp;
}

caf::result<void> unmount(volume_pointer self, const std::string& container) {
  if (!self->state.mounted_for.erase(container)) return caf::unit;
  publish_event(self, "unmount", {{"container", container}});
  auto options = storage::parse_local_options(self->state.rec.options);
  if (!self->state.mounted_for.empty() || !options || !*options) return caf::unit;
  auto pool = blocking_pool_of(self);
  if (!pool) return caf::unit;
  auto rp = self->make_response_promise();
  auto p = paths(self);
  run_blocking(
      self, pool, [p]() { return storage::unmount_local_volume(p); },
      [rp](caf::error err) mutable {
        if (err) lg.warn("cannot unmount a volume", {{"error", error_message(err)}});
        rp.deliver(caf::unit);
      });
  return rp;
}

caf::result<void> remove(volume_pointer self) {
  const auto& rec = self->state.rec;
  if (!rec.users.empty()) {
    std::string ids;
    for (const auto& u : rec.users)
      ids += (ids.empty() ? "" : " ") + u;
    return make_error(errc::conflict, "remove " + rec.name + ": volume is in use - [" + ids + "]");
  }
  auto pool = blocking_pool_of(self);
  if (!pool) return make_error(errc::unavailable, "the blocking pool is not running");
  auto rp = self->make_response_promise();
  auto p = paths(self);
  run_blocking(
      self, pool, [p]() { return storage::remove_volume_directory(p); },
      [self, rp](caf::error err) mutable {
        if (err) return deliver(rp, err);
        persist(self, {storage::state_op::erase("volume", self->state.rec.name)},
                [self, rp](caf::error stored) mutable {
                  if (stored) return deliver(rp, stored);
                  publish_event(self, "destroy");
                  rp.deliver(caf::unit);
                  self->quit();
                });
      });
  return rp;
}

caf::result<int64_t> usage(volume_pointer self) {
  auto pool = blocking_pool_of(self);
  if (!pool) return int64_t{0};
  auto rp = self->make_response_promise<int64_t>();
  auto p = paths(self);
  run_blocking(
      self, pool,
      [p]() -> caf::expected<int64_t> { return static_cast<int64_t>(storage::volume_size(p)); },
      [rp](caf::expected<int64_t> size) mutable { rp.deliver(size ? *size : int64_t{0}); });
  return rp;
}

volume_actor::behavior_type
volume_impl(volume_pointer self, std::shared_ptr<const daemon_context> ctx, volume_record record) {
  self->state.ctx = ctx;
  self->state.rec = std::move(record);
  auto probe = ctx->probes->actor("volume");
  return {
      timed(self, probe, [self](create_atom) { return create(self); }),
      timed(self, probe, [self](inspect_atom) { return self->state.rec; }),
      timed(self, probe, [self](caf::get_atom, usage_atom) { return usage(self); }),
      timed(self, probe,
            [self](acquire_atom, const std::string& c) { return change_users(self, c, true); }),
      timed(self, probe,
            [self](release_atom, const std::string& c) { return change_users(self, c, false); }),
      timed(self, probe,
            [self](mount_atom, const std::string& c, const std::string& destination,
                   bool read_only) { return mount(self, c, destination, read_only); }),
      timed(self, probe, [self](unmount_atom, const std::string& c) { return unmount(self, c); }),
      timed(self, probe, [self](caf::delete_atom) { return remove(self); }),
  };
}

} // namespace

std::string volume_mountpoint(const daemon_context& ctx, const std::string& name) {
  return storage::paths_of_volume(ctx.config.data_root + "/volumes", name).data;
}

volume_actor spawn_volume_actor(caf::actor_system& sys, std::shared_ptr<const daemon_context> ctx,
                                volume_record record) {
  return sys.spawn(volume_impl, std::move(ctx), std::move(record));
}

} // namespace berth::actors
