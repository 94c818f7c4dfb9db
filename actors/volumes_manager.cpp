// The volumes manager: the index of volumes, the API's operations, and containers' claims.
#include "actors/volumes_manager.hpp"

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/instrumented.hpp"
#include "actors/state_store_actor.hpp"
#include "actors/volume_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"
#include "storage/local_volume.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"volumes"};
constexpr auto volume_timeout = std::chrono::seconds(60);
constexpr const char* anonymous_label = "com.docker.volume.anonymous";

struct volumes_state {
  std::shared_ptr<const daemon_context> ctx;
  struct entry {
    volume_record record; ///< the manager's copy (refreshed from the actor's replies)
    volume_actor actor;
  };
  std::map<std::string, entry> volumes; ///< by name
  bool ready = false;
  std::vector<caf::response_promise> ready_waiters;
  static inline const char* name = "volumes";
};

using volumes_pointer = volumes_manager_actor::stateful_pointer<volumes_state>;

caf::error no_such_volume(const std::string& name) {
  return make_error(errc::not_found, "get " + name + ": no such volume");
}

void adopt(volumes_pointer self, volume_record record) {
  auto name = record.name;
  auto actor = spawn_volume_actor(self->system(), self->state.ctx, record);
  self->monitor(actor);
  self->state.volumes[name] = {std::move(record), actor};
}

void answer_ready_waiters(volumes_pointer self) {
  if (!self->state.ready) return;
  for (auto& rp : self->state.ready_waiters)
    rp.deliver(caf::unit);
  self->state.ready_waiters.clear();
}

void restore_all(volumes_pointer self) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) {
    self->state.ready = true;
    return;
  }
  self->request(store, std::chrono::seconds(60), load_atom_v, std::string("volume"))
      .await(
          [self](std::vector<storage::state_record>& rows) {
            for (const auto& row : rows) {
              auto v = volume_from_state_json(row.body);
              if (!v) {
                lg.error("skipping a corrupt volume record", {{"name", row.id}});
                continue;
              }
              adopt(self, std::move(*v));
            }
            self->state.ready = true;
            answer_ready_waiters(self);
          },
          [self](caf::error& err) {
            lg.error("cannot load volumes", {{"error", error_message(err)}});
            self->state.ready = true;
            answer_ready_waiters(self);
          });
}

caf::error check_driver(const std::string& driver) {
  if (driver.empty() || driver == "local") return {};
  return make_error(errc::not_found, "error looking up volume plugin " + driver + ": plugin \"" +
                                         driver + "\" not found");
}

// Makes a volume (actor, directory, record) and answers with its record.
void make_volume(volumes_pointer self, volume_record record,
                 std::function<void(caf::expected<volume_record>)> then) {
  auto name = record.name;
  adopt(self, record);
  auto actor = self->state.volumes.at(name).actor;
  self->request(actor, volume_timeout, create_atom_v)
      .then([then, record]() { then(record); },
            [self, then, name, actor](caf::error& err) {
              self->state.volumes.erase(name);
              self->send_exit(actor, caf::exit_reason::user_shutdown);
              then(err);
            });
}

// dockerd's create errors name the volume: "create data: invalid option: \"foo\"".
caf::error in_create(const std::string& name, const caf::error& err) {
  return make_error(error_kind(err).value_or(errc::invalid_argument),
                    "create " + name + ": " + error_message(err));
}

caf::result<volume_record> create(volumes_pointer self, const volume_create_request& req) {
  auto name = req.name.empty() ? random_hex(32) : req.name;
  if (auto err = check_driver(req.driver)) return in_create(name, err);
  if (auto i = self->state.volumes.find(name); i != self->state.volumes.end())
    return i->second.record; // dockerd: the same name and driver is the same volume
  auto options = storage::parse_local_options(req.options);
  if (!options) return in_create(name, options.error());
  if (auto err = storage::validate_volume_name(name)) return err;
  volume_record record;
  record.name = name;
  record.anonymous = req.name.empty(); // dockerd labels an unnamed volume anonymous
  record.labels = req.labels;
  if (record.anonymous) record.labels[anonymous_label] = "";
  record.options = req.options;
  record.created = unix_nanos_now();
  auto rp = self->make_response_promise<volume_record>();
  make_volume(self, std::move(record), [rp](caf::expected<volume_record> made) mutable {
    if (made)
      rp.deliver(std::move(*made));
    else
      rp.deliver(made.error());
  });
  return rp;
}

bool is_anonymous(const volume_record& v) {
  return v.anonymous || v.labels.count(anonymous_label) > 0;
}

caf::expected<bool> matches(const volume_record& v, const filter_args& f) {
  auto dangling = f.get_bool_or("dangling", false);
  if (!dangling) return dangling.error();
  if (f.contains("dangling") && v.users.empty() != *dangling) return false;
  if (!f.exact_match("driver", v.driver) || !f.match_kv_list("label", v.labels)) return false;
  if (!f.pattern_match("name", v.name)) return false;
  return true;
}

caf::result<std::vector<volume_record>> list(volumes_pointer self, const filter_args& f) {
  if (auto err = f.validate({"dangling", "driver", "label", "name"})) return err;
  std::vector<volume_record> out;
  for (const auto& [name, e] : self->state.volumes) {
    auto m = matches(e.record, f);
    if (!m) return m.error();
    if (*m) out.push_back(e.record);
  }
  return out;
}

caf::result<void> remove(volumes_pointer self, const std::string& name, bool force) {
  auto i = self->state.volumes.find(name);
  if (i == self->state.volumes.end()) {
    if (force) return caf::unit;
    return no_such_volume(name);
  }
  auto rp = self->make_response_promise();
  self->request(i->second.actor, volume_timeout, caf::delete_atom_v)
      .then(
          [self, rp, name]() mutable {
            self->state.volumes.erase(name);
            rp.deliver(caf::unit);
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

// Prunes one candidate after the other: its size first (reclaimed space), then its removal.
void prune_next(volumes_pointer self, std::shared_ptr<std::vector<std::string>> candidates,
                std::shared_ptr<volume_prune_result> result,
                caf::typed_response_promise<volume_prune_result> rp) {
  if (candidates->empty()) {
    if (auto events = directory::lookup<events_actor>(self->system(), directory::events)) {
      event ev;
      ev.type = "volume";
      ev.action = "prune";
      ev.attributes["reclaimed"] = std::to_string(result->space_reclaimed);
      self->send(events, caf::publish_atom_v, std::move(ev));
    }
    rp.deliver(*result);
    return;
  }
  auto name = candidates->back();
  candidates->pop_back();
  auto i = self->state.volumes.find(name);
  if (i == self->state.volumes.end() || !i->second.record.users.empty())
    return prune_next(self, candidates, result, rp);
  auto actor = i->second.actor;
  self->request(actor, volume_timeout, caf::get_atom_v, usage_atom_v)
      .then(
          [self, candidates, result, rp, name, actor](int64_t size) mutable {
            self->request(actor, volume_timeout, caf::delete_atom_v)
                .then(
                    [self, candidates, result, rp, name, size]() mutable {
                      self->state.volumes.erase(name);
                      result->deleted.push_back(name);
                      result->space_reclaimed += static_cast<uint64_t>(size);
                      prune_next(self, candidates, result, rp);
                    },
                    [self, candidates, result, rp](caf::error&) mutable {
                      prune_next(self, candidates, result, rp);
                    });
          },
          [self, candidates, result, rp](caf::error&) mutable {
            prune_next(self, candidates, result, rp);
          });
}

caf::result<volume_prune_result> prune(volumes_pointer self, const filter_args& f) {
  if (auto err = f.validate({"label", "label!", "all"})) return err;
  auto all = f.get_bool_or("all", false);
  if (!all) return all.error();
  auto candidates = std::make_shared<std::vector<std::string>>();
  for (const auto& [name, e] : self->state.volumes) {
    const auto& v = e.record;
    // Volumes with mount options are never pruned (dockerd: their data is not ours).
    if (!v.users.empty() || !v.options.empty() || (!*all && !is_anonymous(v))) continue;
    if (!f.match_kv_list("label", v.labels)) continue;
    bool excluded = false;
    for (const auto& l : f.get("label!")) {
      filter_args one;
      one.add("label", l);
      excluded = excluded || one.match_kv_list("label", v.labels);
    }
    if (!excluded) candidates->push_back(name);
  }
  auto rp = self->make_response_promise<volume_prune_result>();
  prune_next(self, candidates, std::make_shared<volume_prune_result>(), rp);
  return rp;
}

// -- containers' claims ---------------------------------------------------------------------

void acquire_next(volumes_pointer self, std::string container,
                  std::shared_ptr<std::vector<volume_claim>> claims, size_t i,
                  caf::typed_response_promise<std::vector<volume_claim>> rp) {
  if (i == claims->size()) {
    rp.deliver(*claims);
    return;
  }
  auto& claim = (*claims)[i];
  auto take = [self, container, claims, i, rp](const std::string& name) mutable {
    auto& e = self->state.volumes.at(name);
    e.record.users.insert(container);
    self->request(e.actor, volume_timeout, acquire_atom_v, container)
        .then([self, container, claims, i,
               rp]() mutable { acquire_next(self, container, claims, i + 1, rp); },
              [rp](caf::error& err) mutable { rp.deliver(err); });
  };
  if (auto err = check_driver(claim.driver)) {
    rp.deliver(err);
    return;
  }
  if (!claim.name.empty() && self->state.volumes.count(claim.name)) return take(claim.name);
  volume_record record;
  record.anonymous = claim.name.empty();
  record.name = record.anonymous ? random_hex(32) : claim.name;
  if (auto err = storage::validate_volume_name(record.name)) {
    rp.deliver(err);
    return;
  }
  auto options = storage::parse_local_options(claim.options);
  if (!options) {
    rp.deliver(options.error());
    return;
  }
  record.options = claim.options;
  record.labels = claim.labels;
  if (record.anonymous) record.labels[anonymous_label] = "";
  record.created = unix_nanos_now();
  claim.name = record.name;
  make_volume(self, record, [take, rp](caf::expected<volume_record> made) mutable {
    if (!made) {
      rp.deliver(made.error());
      return;
    }
    take(made->name);
  });
}

void release_next(volumes_pointer self, std::string container,
                  std::shared_ptr<std::vector<std::string>> names, bool remove_anonymous,
                  caf::response_promise rp) {
  if (names->empty()) return rp.deliver(caf::unit);
  auto name = names->back();
  names->pop_back();
  auto i = self->state.volumes.find(name);
  if (i == self->state.volumes.end())
    return release_next(self, container, names, remove_anonymous, rp);
  i->second.record.users.erase(container);
  auto actor = i->second.actor;
  bool remove =
      remove_anonymous && is_anonymous(i->second.record) && i->second.record.users.empty();
  auto next = [self, container, names, remove_anonymous, rp]() mutable {
    release_next(self, container, names, remove_anonymous, rp);
  };
  self->request(actor, volume_timeout, release_atom_v, container)
      .then(
          [self, actor, name, remove, next]() mutable {
            if (!remove) return next();
            self->request(actor, volume_timeout, caf::delete_atom_v)
                .then(
                    [self, name, next]() mutable {
                      self->state.volumes.erase(name);
                      next();
                    },
                    [next](caf::error&) mutable { next(); });
          },
          [next](caf::error&) mutable { next(); });
}

caf::result<std::vector<volume_usage>> usage(volumes_pointer self) {
  if (self->state.volumes.empty()) return std::vector<volume_usage>{};
  auto rp = self->make_response_promise<std::vector<volume_usage>>();
  auto out = std::make_shared<std::vector<volume_usage>>();
  auto remaining = std::make_shared<size_t>(self->state.volumes.size());
  for (const auto& [name, e] : self->state.volumes) {
    auto record = e.record;
    self->request(e.actor, volume_timeout, caf::get_atom_v, usage_atom_v)
        .then(
            [rp, out, remaining, record](int64_t size) mutable {
              out->push_back({record, size});
              if (--*remaining == 0) rp.deliver(*out);
            },
            [rp, out, remaining, record](caf::error&) mutable {
              out->push_back({record, -1});
              if (--*remaining == 0) rp.deliver(*out);
            });
  }
  return rp;
}

volumes_manager_actor::behavior_type volumes_impl(volumes_pointer self,
                                                  std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("volumes");
  self->set_down_handler([self](const caf::down_msg& msg) {
    for (auto i = self->state.volumes.begin(); i != self->state.volumes.end(); ++i)
      if (i->second.actor.address() == msg.source) {
        if (msg.reason && msg.reason != caf::exit_reason::user_shutdown) {
          lg.error("a volume actor failed; it starts again", {{"volume", i->first}});
          auto record = i->second.record;
          self->state.volumes.erase(i);
          adopt(self, record);
        }
        return;
      }
  });
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (auto& [name, e] : self->state.volumes)
      self->send_exit(e.actor, msg.reason);
    self->quit(msg.reason);
  });
  restore_all(self);
  return {
      timed(
          self, probe,
          [self](caf::get_atom, counts_atom) { return volume_counts{self->state.volumes.size()}; }),
      timed(self, probe,
            [self](caf::get_atom, ready_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              self->state.ready_waiters.push_back(rp);
              answer_ready_waiters(self);
              return rp;
            }),
      timed(self, probe,
            [self](create_atom, const volume_create_request& req) { return create(self, req); }),
      timed(self, probe, [self](list_atom, const filter_args& f) { return list(self, f); }),
      timed(self, probe,
            [self](inspect_atom, const std::string& name) -> caf::result<volume_record> {
              auto i = self->state.volumes.find(name);
              if (i == self->state.volumes.end()) return no_such_volume(name);
              return i->second.record;
            }),
      timed(self, probe,
            [self](caf::delete_atom, const std::string& name, bool force) {
              return remove(self, name, force);
            }),
      timed(self, probe, [self](prune_atom, const filter_args& f) { return prune(self, f); }),
      timed(self, probe, [self](caf::get_atom, usage_atom) { return usage(self); }),
      timed(self, probe,
            [self](acquire_atom, const std::string& container,
                   std::vector<volume_claim>& claims) -> caf::result<std::vector<volume_claim>> {
              auto rp = self->make_response_promise<std::vector<volume_claim>>();
              acquire_next(self, container,
                           std::make_shared<std::vector<volume_claim>>(std::move(claims)), 0, rp);
              return rp;
            }),
      timed(self, probe,
            [self](release_atom, const std::string& container, std::vector<std::string>& names,
                   bool remove_anonymous) -> caf::result<void> {
              auto rp = self->make_response_promise();
              release_next(self, container,
                           std::make_shared<std::vector<std::string>>(std::move(names)),
                           remove_anonymous, rp);
              return rp;
            }),
      timed(self, probe,
            [self](mount_atom, const std::string& name, const std::string& container,
                   const std::string& destination, bool read_only) -> caf::result<std::string> {
              auto i = self->state.volumes.find(name);
              if (i == self->state.volumes.end()) return no_such_volume(name);
              return self->delegate(i->second.actor, mount_atom_v, container, destination,
                                    read_only);
            }),
      timed(self, probe,
            [self](unmount_atom, const std::string& name,
                   const std::string& container) -> caf::result<void> {
              auto i = self->state.volumes.find(name);
              if (i == self->state.volumes.end()) return caf::unit;
              return self->delegate(i->second.actor, unmount_atom_v, container);
            }),
  };
}

} // namespace

volumes_manager_actor spawn_volumes_manager(caf::actor_system& sys,
                                            std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(volumes_impl, std::move(ctx));
}

} // namespace berth::actors
