// The container actor: its behavior, persistence, events and summaries.
#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/instrumented.hpp"
#include "actors/state_store_actor.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"
#include "runtime/shim_client.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

// dockerd's list form: arguments with spaces in single quotes.
std::string joined_command(const container_record& rec) {
  std::string out = rec.path;
  for (const auto& a : rec.args)
    out += a.find(' ') != std::string::npos ? " '" + a + "'" : " " + a;
  return out;
}

void resize(container_pointer self, int rows, int cols, caf::response_promise reply) {
  if (!self->state.rec.running())
    return reply.deliver(
        make_error(errc::conflict, "Container " + self->state.rec.id + " is not running"));
  auto pool = blocking_pool_of(self);
  if (!pool)
    return reply.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
  auto state_dir = self->state.paths.shim_state;
  run_blocking(
      self, pool,
      [state_dir, rows, cols]() -> caf::expected<std::string> {
        return runtime::shim_command(state_dir,
                                     "resize " + std::to_string(rows) + " " + std::to_string(cols),
                                     std::chrono::seconds(5));
      },
      [self, reply, rows, cols](caf::expected<std::string> r) mutable {
        if (!r) return reply.deliver(r.error());
        publish_event(self, "resize",
                      {{"height", std::to_string(rows)}, {"width", std::to_string(cols)}});
        reply.deliver(caf::unit);
      });
}

void rename(container_pointer self, const std::string& new_name, caf::response_promise reply) {
  auto old_name = self->state.rec.name;
  self->state.rec.name = new_name;
  persist(self, [self, reply, old_name](caf::error err) mutable {
    if (err) {
      self->state.rec.name = old_name;
      return reply.deliver(err);
    }
    publish_event(self, "rename", {{"oldName", "/" + old_name}});
    publish_summary(self);
    reply.deliver(caf::unit);
  });
}

container_actor::behavior_type container_impl(container_pointer self,
                                              std::shared_ptr<const daemon_context> ctx,
                                              container_record record, container_origin origin) {
  self->state.ctx = ctx;
  self->state.paths = paths_of(record, ctx->config.data_root, ctx->config.exec_root);
  self->state.rec = std::move(record);
  self->state.probe = ctx->probes->actor("container");
  auto probe = self->state.probe;
  if (origin == container_origin::created) publish_summary(self);
  return {
      timed(self, probe,
            [self](restore_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              restore(self, rp);
              return rp;
            }),
      timed(self, probe,
            [self](start_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              begin_start(self, rp);
              return rp;
            }),
      timed(self, probe,
            [self](stop_atom, int timeout, const std::string& signal) -> caf::result<void> {
              auto rp = self->make_response_promise();
              begin_stop(self, timeout, signal, rp);
              return rp;
            }),
      timed(self, probe,
            [self](signal_atom, const std::string& signal) -> caf::result<void> {
              auto rp = self->make_response_promise();
              send_signal(self, signal, rp);
              return rp;
            }),
      timed(self, probe,
            [self](restart_atom, int timeout, const std::string& signal) -> caf::result<void> {
              auto rp = self->make_response_promise();
              auto& st = self->state;
              if (st.removing)
                return make_error(errc::conflict,
                                  "removal of container " + st.rec.id + " is already in progress");
              st.restart_replies.push_back(rp);
              if (st.rec.running()) {
                st.restart_after_exit = true;
                begin_stop(self, timeout, signal, caf::response_promise{});
              } else {
                begin_start(self, caf::response_promise{});
              }
              return rp;
            }),
      timed(self, probe,
            [self](wait_atom, wait_condition condition) -> caf::result<wait_result> {
              auto& st = self->state;
              if (condition == wait_condition::not_running && !st.rec.running() && !st.starting &&
                  st.rec.status != container_status::restarting)
                return wait_result{st.rec.exit_code, {}};
              auto rp = self->make_response_promise<wait_result>();
              st.waiters.push_back({condition, rp});
              return rp;
            }),
      timed(self, probe,
            [self](caf::delete_atom, bool force, bool volumes) -> caf::result<void> {
              auto rp = self->make_response_promise();
              if (volumes) self->state.remove_volumes = true;
              begin_remove(self, force, rp);
              return rp;
            }),
      timed(self, probe,
            [self](attach_atom, attach_request& req) -> caf::result<void> {
              auto& st = self->state;
              if (st.removing || st.rec.status == container_status::dead)
                return make_error(errc::conflict, "container " + st.rec.id + " is being removed");
              add_attach(self, std::move(req));
              publish_event(self, "attach");
              return caf::unit;
            }),
      timed(self, probe,
            [self](resize_atom, int rows, int cols) -> caf::result<void> {
              auto rp = self->make_response_promise();
              resize(self, rows, cols, rp);
              return rp;
            }),
      timed(self, probe,
            [self](rename_atom, const std::string& name) -> caf::result<void> {
              auto rp = self->make_response_promise();
              rename(self, name, rp);
              return rp;
            }),
      timed(self, probe,
            [self](inspect_atom) {
              auto rec = self->state.rec;
              rec.exec_ids.clear();
              for (const auto& [id, exec] : self->state.execs)
                rec.exec_ids.push_back(id);
              return rec;
            }),
      timed(self, probe,
            [self](caf::get_atom, logs_atom) {
              const auto& st = self->state;
              auto driver =
                  st.rec.host.log.type.empty() ? st.ctx->config.log_driver : st.rec.host.log.type;
              return log_location{st.paths.log, st.rec.config.tty, st.rec.running(), driver};
            }),
      timed(self, probe,
            [self](connect_atom, container_network& network) -> caf::result<void> {
              auto rp = self->make_response_promise();
              connect_network(self, std::move(network), rp);
              return rp;
            }),
      timed(self, probe,
            [self](disconnect_atom, const std::string& network) -> caf::result<void> {
              auto rp = self->make_response_promise();
              disconnect_network(self, network, rp);
              return rp;
            }),
      timed(self, probe,
            [self](exited_atom, const runtime::shim_exit& status) { handle_exit(self, status); }),
      timed(self, probe,
            [self](attached_atom, uint64_t id, bool ok) { attach_connected(self, id, ok); }),
      timed(self, probe,
            [self](timer_atom, uint8_t kind, uint64_t generation) {
              if (kind == static_cast<uint8_t>(container_timer::stop_deadline))
                stop_deadline(self, generation);
              else if (kind == static_cast<uint8_t>(container_timer::restart_backoff))
                restart_timer(self, generation);
            }),
      timed(self, probe,
            [self](pause_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              pause_container(self, true, rp);
              return rp;
            }),
      timed(self, probe,
            [self](unpause_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              pause_container(self, false, rp);
              return rp;
            }),
      timed(self, probe,
            [self](update_atom,
                   const container_update& update) -> caf::result<std::vector<std::string>> {
              auto rp = self->make_response_promise<std::vector<std::string>>();
              update_container(self, update, rp);
              return rp;
            }),
      timed(self, probe,
            [self](commit_atom, container_commit_request& req) -> caf::result<std::string> {
              auto rp = self->make_response_promise<std::string>();
              commit_container(self, std::move(req), rp);
              return rp;
            }),
      timed(self, probe,
            [self](exec_atom, create_atom, exec_config& config) {
              return create_exec(self, std::move(config));
            }),
      timed(self, probe,
            [self](exec_atom, start_atom, const std::string& id,
                   exec_start_request& request) -> caf::result<void> {
              auto rp = self->make_response_promise();
              start_exec(self, id, std::move(request), rp);
              return rp;
            }),
      timed(self, probe,
            [self](exec_atom, inspect_atom, const std::string& id) -> caf::result<exec_info> {
              auto rp = self->make_response_promise<exec_info>();
              inspect_exec(self, id, rp);
              return rp;
            }),
      timed(self, probe,
            [self](exec_atom, resize_atom, const std::string& id, int rows,
                   int cols) -> caf::result<void> {
              auto rp = self->make_response_promise();
              resize_exec(self, id, rows, cols, rp);
              return rp;
            }),
      timed(self, probe,
            [self](exec_atom, attached_atom, const std::string& id, bool ok) {
              exec_attached(self, id, ok);
            }),
      timed(self, probe,
            [self](exec_atom, exited_atom, const std::string& id, const runtime::shim_exit& status,
                   bool known) { exec_exited(self, id, status, known); }),
      timed(self, probe,
            [self](archive_atom, archive_request& request) -> caf::result<void> {
              auto rp = self->make_response_promise();
              request_archive(self, std::move(request), rp);
              return rp;
            }),
      timed(self, probe,
            [self](health_atom, health_event& event) { handle_health_event(self, event); }),
      timed(self, probe,
            [self](shutdown_atom, bool stop_containers) -> caf::result<void> {
              if (!stop_containers || !self->state.rec.running()) return caf::unit;
              auto rp = self->make_response_promise();
              begin_stop(self, -1, "", rp);
              return rp;
            }),
  };
}

} // namespace

void persist(container_pointer self, std::function<void(caf::error)> then) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) {
    then(make_error(errc::unavailable, "the state store is not available, try again"));
    return;
  }
  std::vector<storage::state_op> ops{
      storage::state_op::put("container", self->state.rec.id, to_state_json(self->state.rec))};
  self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
      .await([then]() { then({}); }, [then](caf::error& err) { then(err); });
}

void publish_event(container_pointer self, const std::string& action,
                   std::map<std::string, std::string> extra) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) return;
  const auto& rec = self->state.rec;
  event ev;
  ev.type = "container";
  ev.action = action;
  ev.actor_id = rec.id;
  ev.attributes = rec.config.labels;
  ev.attributes["image"] = rec.config.image;
  ev.attributes["name"] = rec.name;
  for (auto& [k, v] : extra)
    ev.attributes[k] = std::move(v);
  self->send(events, caf::publish_atom_v, std::move(ev));
}

void publish_summary(container_pointer self) {
  auto manager = directory::lookup<containers_manager_actor>(self->system(), directory::containers);
  if (!manager) return;
  const auto& rec = self->state.rec;
  container_summary s;
  s.id = rec.id;
  s.name = rec.name;
  s.image = rec.config.image;
  s.image_id = rec.image_id;
  s.command = joined_command(rec);
  s.created_nanos = rec.created_nanos;
  s.status = self->state.removing ? container_status::removing : rec.status;
  s.exit_code = rec.exit_code;
  s.started_at = rec.started_at;
  s.finished_at = rec.finished_at;
  s.labels = rec.config.labels;
  s.network_mode = rec.host.network_mode;
  if (rec.health) s.health = runtime::to_string(rec.health->status);
  s.rw_dir = self->state.paths.layer_dir + "/diff";
  s.image_size = rec.image_size;
  s.networks = rec.networks;
  s.exposed_ports = rec.config.exposed_ports;
  s.ports = rec.ports;
  for (const auto& v : rec.volumes) {
    s.mount_keys.push_back(v.type == "volume" ? v.name : v.source);
    s.mount_keys.push_back(v.destination);
  }
  for (const auto& spec : rec.host.binds)
    if (auto m = runtime::parse_bind(spec); m && m->type == "bind") {
      s.mount_keys.push_back(m->source);
      s.mount_keys.push_back(m->target);
    }
  self->send(manager, update_atom_v, std::move(s));
}

void observe_action(container_pointer self, const std::string& action, int64_t began) {
  self->state.ctx->probes->containers()->observe_action(
      action, static_cast<double>(monotonic_nanos() - began) / 1e9);
}

void answer_waiters(container_pointer self, bool exited_now, bool removed) {
  auto& st = self->state;
  std::vector<container_state::waiter> keep;
  for (auto& w : st.waiters) {
    bool done = (w.condition == wait_condition::removed && removed) ||
                (w.condition != wait_condition::removed && (exited_now || removed));
    if (done)
      w.reply.deliver(wait_result{st.rec.exit_code, {}});
    else
      keep.push_back(std::move(w));
  }
  st.waiters = std::move(keep);
}

container_actor spawn_container_actor(caf::actor_system& sys,
                                      std::shared_ptr<const daemon_context> ctx,
                                      container_record record, container_origin origin) {
  return sys.spawn(container_impl, std::move(ctx), std::move(record), origin);
}

} // namespace berth::actors
