// Looking into and changing a container: top, pause/unpause, update, export, changes (diff).
#include <fcntl.h>

#include <caf/event_based_actor.hpp>
#include <nlohmann/json.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "api/actor_bridge.hpp"
#include "api/json_body.hpp"
#include "api/response_sink.hpp"
#include "api/routes/container_lookup.hpp"
#include "api/routes/routes.hpp"
#include "base/random.hpp"
#include "base/sys.hpp"
#include "runtime/container_top.hpp"
#include "storage/container_changes.hpp"
#include "storage/overlay_mount.hpp"
#include "storage/rootfs_export.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;
using actors::container_record;
using actors::container_status;
using actors::containers_manager_actor;

caf::actor blocking_pool(const exchange_ptr& ex) {
  return find_actor<caf::actor>(ex, actors::directory::blocking);
}

void publish_container_event(const exchange_ptr& ex, const container_record& rec,
                             const std::string& action) {
  auto events = actors::directory::lookup<actors::events_actor>(ex->context().system(),
                                                                actors::directory::events);
  if (!events) return;
  actors::event ev;
  ev.type = "container";
  ev.action = action;
  ev.actor_id = rec.id;
  ev.attributes = rec.config.labels;
  ev.attributes["image"] = rec.config.image;
  ev.attributes["name"] = rec.name;
  caf::anon_send(events, caf::publish_atom_v, std::move(ev));
}

void top(const exchange_ptr& ex) {
  auto pool = blocking_pool(ex);
  if (!pool) return;
  auto ps_args = ex->request().query.get("ps_args");
  with_record(ex, [ex, pool, ps_args](caf::event_based_actor* self, container_record& rec,
                                      const actors::container_actor&) {
    if (rec.status == container_status::restarting)
      return ex->reply_error(
          make_error(errc::conflict, "Container " + rec.id +
                                         " is restarting, wait until the container is running"));
    if (!rec.running())
      return ex->reply_error(make_error(errc::conflict, "container " + rec.id + " is not running"));
    actors::run_blocking(
        self, pool,
        [pid = rec.pid, ps_args]() -> caf::expected<runtime::top_result> {
          auto pids = runtime::cgroup_pids_of(pid);
          if (!pids) return pids.error();
          return runtime::run_top(ps_args, *pids);
        },
        [ex, rec](caf::expected<runtime::top_result> r) {
          if (!r) return ex->reply_error(r.error());
          publish_container_event(ex, rec, "top");
          ex->reply_json(200, json{{"Titles", r->titles}, {"Processes", r->processes}});
        });
  });
}

void pause(const exchange_ptr& ex, bool freeze) {
  auto target = find_actor<containers_manager_actor>(ex, actors::directory::containers);
  if (!target) return;
  auto timeout = ex->context().request_timeout();
  with_actor(ex, [ex, target, timeout, freeze](caf::event_based_actor* self) {
    self->request(target, timeout, actors::resolve_atom_v, ex->request().param("id"))
        .then(
            [self, ex, freeze](actors::resolved_container& found) {
              auto done = [ex]() { ex->reply_status(204); };
              auto fail = [ex](caf::error& err) { ex->reply_error(err); };
              if (freeze)
                self->request(found.actor, std::chrono::seconds(60), actors::pause_atom_v)
                    .then(done, fail);
              else
                self->request(found.actor, std::chrono::seconds(60), actors::unpause_atom_v)
                    .then(done, fail);
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void pause_route(const exchange_ptr& ex) {
  pause(ex, true);
}

void unpause_route(const exchange_ptr& ex) {
  pause(ex, false);
}

void update(const exchange_ptr& ex) {
  auto target = find_actor<containers_manager_actor>(ex, actors::directory::containers);
  if (!target) return;
  auto body = json_object_body(ex);
  if (!body) return ex->reply_error(body.error());
  auto timeout = ex->context().request_timeout();
  actors::container_update update{std::move(*body)};
  with_actor(ex, [ex, target, timeout, update](caf::event_based_actor* self) {
    self->request(target, timeout, actors::resolve_atom_v, ex->request().param("id"))
        .then(
            [self, ex, update](actors::resolved_container& found) {
              self->request(found.actor, std::chrono::seconds(60), actors::update_atom_v, update)
                  .then(
                      [ex](std::vector<std::string>& warnings) {
                        ex->reply_json(200, json{{"Warnings", warnings}});
                      },
                      [ex](caf::error& err) { ex->reply_error(err); });
            },
            [ex](caf::error& err) { ex->reply_error(err); });
  });
}

void changes(const exchange_ptr& ex) {
  auto pool = blocking_pool(ex);
  if (!pool) return;
  with_record(ex, [ex, pool](caf::event_based_actor* self, container_record& rec,
                             const actors::container_actor&) {
    auto cfg = ex->context().config();
    auto paths = actors::paths_of(rec, cfg->data_root, cfg->exec_root);
    actors::run_blocking(
        self, pool,
        [upper = paths.layer_dir + "/diff", lowers = rec.lower_dirs]() {
          return storage::container_changes(upper, lowers);
        },
        [ex](caf::expected<std::vector<storage::layer_change>> r) {
          if (!r) return ex->reply_error(r.error());
          json out = json::array();
          for (const auto& c : *r)
            out.push_back({{"Path", c.path}, {"Kind", static_cast<int>(c.kind)}});
          ex->reply_json(200, out);
        });
  });
}

// The container's root for reading: its own mount while it runs, else a read-only overlay of its
// layer over the image's, mounted for the export only.
caf::error export_container(const actors::container_paths& paths,
                            const std::vector<std::string>& image_layers,
                            const std::string& scratch_parent, byte_sink& out) {
  if (storage::is_mount_point(paths.rootfs)) {
    auto root = sys::open(paths.rootfs, O_RDONLY | O_DIRECTORY);
    if (!root) return root.error();
    return storage::export_rootfs(root->get(), out);
  }
  if (auto err = sys::make_dirs(scratch_parent, 0700)) return err;
  auto target = scratch_parent + "/" + random_hex(8);
  if (auto err = sys::make_dirs(target, 0700)) return err;
  std::vector<std::string> lowers{paths.layer_dir + "/diff"};
  lowers.insert(lowers.end(), image_layers.begin(), image_layers.end());
  if (auto err = storage::mount_overlay(lowers, "", "", target)) {
    (void)sys::remove(target);
    return err;
  }
  caf::error result;
  {
    auto root = sys::open(target, O_RDONLY | O_DIRECTORY);
    result = root ? storage::export_rootfs(root->get(), out) : root.error();
  }
  (void)storage::unmount(target);
  (void)sys::remove(target);
  return result;
}

void export_route(const exchange_ptr& ex) {
  auto pool = blocking_pool(ex);
  if (!pool) return;
  with_record(ex, [ex, pool](caf::event_based_actor* self, container_record& rec,
                             const actors::container_actor&) {
    auto cfg = ex->context().config();
    auto paths = actors::paths_of(rec, cfg->data_root, cfg->exec_root);
    auto scratch = cfg->exec_root + "/export";
    auto sink = std::make_shared<response_sink>(ex, "application/x-tar");
    // The export may outlast the request deadline: the bridge waits for the job, not a reply.
    actors::run_blocking(
        self, pool,
        [paths, layers = rec.lower_dirs, scratch, sink]() -> caf::error {
          return export_container(paths, layers, scratch, *sink);
        },
        [ex, sink, rec](caf::error err) {
          if (!err) {
            publish_container_event(ex, rec, "export");
            if (!sink->started()) (void)sink->write("", 0);
            return sink->finish();
          }
          if (sink->started())
            sink->finish();
          else
            ex->reply_error(err);
        });
  });
}

} // namespace

void add_container_tool_routes(router& r) {
  r.add("GET", "/containers/{id}/top", top);
  r.add("POST", "/containers/{id}/pause", pause_route);
  r.add("POST", "/containers/{id}/unpause", unpause_route);
  r.add("POST", "/containers/{id}/update", update);
  r.add("GET", "/containers/{id}/changes", changes);
  r.add("GET", "/containers/{id}/export", export_route);
}

} // namespace berth::api
