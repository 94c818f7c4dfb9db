// The containers manager: index by ID and name, create, resolve, list, prune, rename, restore.
#include "actors/containers_manager.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_exec.hpp"
#include "actors/container_lifecycle.hpp"
#include "actors/container_names.hpp"
#include "actors/container_networks.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/images_manager.hpp"
#include "actors/instrumented.hpp"
#include "actors/networks_manager.hpp"
#include "actors/state_store_actor.hpp"
#include "actors/volumes_manager.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/time.hpp"
#include "base/units.hpp"
#include "metrics/daemon_probes.hpp"
#include "net/port_spec.hpp"
#include "runtime/container_config.hpp"
#include "runtime/health_state.hpp"
#include "runtime/oci_spec.hpp"
#include "storage/layer_store.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

struct entry {
  container_actor actor;
  container_summary summary;
};

struct containers_state {
  std::shared_ptr<const daemon_context> ctx;
  std::map<std::string, entry> containers;    ///< by ID
  std::map<std::string, std::string> by_name; ///< name (no '/') → ID; also names being created
  std::shared_ptr<metrics::actor_probe> probe;
  // Start-up: restores still running, and who waits for them all to finish.
  bool loaded = false;
  size_t restores_pending = 0;
  std::vector<caf::response_promise> ready_waiters;
  static inline const char* name = "containers";
};

using containers_pointer = containers_manager_actor::stateful_pointer<containers_state>;

bool is_running_state(container_status s) {
  return s == container_status::running || s == container_status::restarting;
}

container_counts count(const containers_state& st) {
  container_counts c;
  for (const auto& [id, e] : st.containers) {
    ++c.total;
    if (e.summary.status == container_status::paused)
      ++c.paused;
    else if (is_running_state(e.summary.status))
      ++c.running;
    else
      ++c.stopped;
  }
  return c;
}

void publish_counts(containers_pointer self) {
  auto c = count(self->state);
  self->state.ctx->probes->containers()->set_states(c.running, c.paused, c.stopped);
}

std::string strip_slash(const std::string& name) {
  return !name.empty() && name.front() == '/' ? name.substr(1) : name;
}

caf::expected<std::string> find_id(const containers_state& st, const std::string& name_or_id) {
  auto key = strip_slash(name_or_id);
  if (key.empty()) return make_error(errc::not_found, "No such container: " + name_or_id);
  if (st.containers.count(key)) return key;
  if (auto n = st.by_name.find(key); n != st.by_name.end() && st.containers.count(n->second))
    return n->second;
  std::vector<std::string> matches;
  for (auto i = st.containers.lower_bound(key);
       i != st.containers.end() && i->first.compare(0, key.size(), key) == 0; ++i)
    matches.push_back(i->first);
  if (matches.size() == 1) return matches.front();
  if (matches.size() > 1)
    return make_error(errc::invalid_argument,
                      "multiple IDs found with provided prefix: " + name_or_id);
  return make_error(errc::not_found, "No such container: " + name_or_id);
}

void publish_created(containers_pointer self, const container_record& rec) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) return;
  event ev;
  ev.type = "container";
  ev.action = "create";
  ev.actor_id = rec.id;
  ev.attributes = rec.config.labels;
  ev.attributes["image"] = rec.config.image;
  ev.attributes["name"] = rec.name;
  self->send(events, caf::publish_atom_v, std::move(ev));
}

// Spawns a container actor the manager watches: a crash is answered by a restore from the store.
container_actor adopt(containers_pointer self, container_record rec, container_origin origin) {
  auto actor = spawn_container_actor(self->system(), self->state.ctx, std::move(rec), origin);
  self->monitor(actor);
  return actor;
}

void answer_ready_waiters(containers_pointer self) {
  auto& st = self->state;
  if (!st.loaded || st.restores_pending > 0) return;
  for (auto& w : st.ready_waiters)
    w.deliver(caf::unit);
  st.ready_waiters.clear();
}

// Asks a container loaded from the store to restore itself; counted until it answers.
void request_restore(containers_pointer self, const container_actor& actor) {
  ++self->state.restores_pending;
  auto settled = [self] {
    --self->state.restores_pending;
    answer_ready_waiters(self);
  };
  self->request(actor, caf::infinite, restore_atom_v)
      .then([settled]() { settled(); }, [settled](caf::error&) { settled(); });
}

void respawn(containers_pointer self, const std::string& id) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) return;
  self->request(store, std::chrono::seconds(60), load_atom_v, std::string("container"))
      .then([self, id](std::vector<storage::state_record>& rows) {
        for (const auto& row : rows) {
          if (row.id != id) continue;
          auto rec = container_from_state_json(row.body);
          auto i = self->state.containers.find(id);
          if (!rec || i == self->state.containers.end()) return;
          lg.warn("container actor failed, restoring it", {{"id", id}});
          i->second.actor = adopt(self, std::move(*rec), container_origin::restored);
          request_restore(self, i->second.actor);
          return;
        }
      });
}

// Sizes walk each read-write layer: on the blocking pool.
caf::result<std::vector<container_summary>> with_sizes(containers_pointer self,
                                                       std::vector<container_summary> list) {
  auto pool = blocking_pool_of(self);
  if (!pool) return list;
  auto rp = self->make_response_promise<std::vector<container_summary>>();
  run_blocking(
      self, pool,
      [list = std::move(list)]() mutable -> caf::expected<std::vector<container_summary>> {
        for (auto& s : list) {
          s.size_rw = static_cast<int64_t>(storage::layer_store::disk_usage(s.rw_dir));
          s.size_root_fs = s.size_rw + static_cast<int64_t>(s.image_size);
        }
        return list;
      },
      [rp](caf::expected<std::vector<container_summary>> sized) mutable {
        if (sized)
          rp.deliver(std::move(*sized));
        else
          rp.deliver(sized.error());
      });
  return rp;
}

// -- startup --------------------------------------------------------------------------------

void load_and_restore(containers_pointer self);

// Containers come back after the networks and volumes did: their endpoints, ports and volumes
// must exist first.
void restore_all(containers_pointer self) {
  auto networks = directory::lookup<networks_manager_actor>(self->system(), directory::networks);
  auto volumes = directory::lookup<volumes_manager_actor>(self->system(), directory::volumes);
  auto after_volumes = [self, volumes] {
    if (!volumes) return load_and_restore(self);
    self->request(volumes, caf::infinite, caf::get_atom_v, ready_atom_v)
        .await([self]() { load_and_restore(self); },
               [self](caf::error& err) {
                 lg.error("the volumes did not start", {{"error", error_message(err)}});
                 load_and_restore(self);
               });
  };
  if (!networks) return after_volumes();
  self->request(networks, caf::infinite, caf::get_atom_v, ready_atom_v)
      .await([after_volumes]() { after_volumes(); },
             [after_volumes](caf::error& err) {
               lg.error("the networks did not start", {{"error", error_message(err)}});
               after_volumes();
             });
}

void load_and_restore(containers_pointer self) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) return;
  self->request(store, std::chrono::seconds(60), load_atom_v, std::string("container"))
      .await(
          [self](std::vector<storage::state_record>& rows) {
            for (const auto& row : rows) {
              auto rec = container_from_state_json(row.body);
              if (!rec) {
                lg.error("skipping a corrupt container record",
                         {{"id", row.id}, {"error", error_message(rec.error())}});
                continue;
              }
              auto id = rec->id;
              auto name = rec->name;
              entry e;
              e.summary.id = id;
              e.summary.name = name;
              e.summary.status = rec->status;
              e.summary.created_nanos = rec->created_nanos;
              e.actor = adopt(self, std::move(*rec), container_origin::restored);
              self->state.by_name[name] = id;
              self->state.containers[id] = std::move(e);
            }
            for (const auto& [id, e] : self->state.containers)
              request_restore(self, e.actor);
            if (!rows.empty())
              lg.info("restoring containers", {{"count", static_cast<long>(rows.size())}});
            publish_counts(self);
            self->state.loaded = true;
            answer_ready_waiters(self);
          },
          [self](caf::error& err) {
            lg.error("cannot load containers", {{"error", error_message(err)}});
            self->state.loaded = true;
            answer_ready_waiters(self);
          });
}

// -- create ---------------------------------------------------------------------------------

struct create_draft {
  std::string name;
  runtime::container_config config;
  runtime::host_config host;
  std::vector<container_network> networks;
};

caf::expected<create_draft> parse_create(const containers_state& st, const create_request& req) {
  create_draft d;
  auto config = runtime::parse_container_config(req.body);
  if (!config) return config.error();
  d.config = std::move(*config);
  auto host = runtime::parse_host_config(req.body);
  if (!host) return host.error();
  d.host = std::move(*host);
  if (d.config.image.empty()) return make_error(errc::invalid_argument, "no image specified");
  auto mode = d.host.network_mode;
  if (mode.rfind("container:", 0) == 0) {
    // The full ID is stored (a later rename changes nothing); a container that does not exist
    // (yet) is an error of the start, as on dockerd.
    if (auto other = find_id(st, mode.substr(10))) d.host.network_mode = "container:" + *other;
  }
  auto networks = networks_for_create(req.body, d.host, d.config);
  if (!networks) return networks.error();
  d.networks = std::move(*networks);
  if (!d.host.runtime.empty() && !st.ctx->runtimes.runtimes.count(d.host.runtime))
    return make_error(errc::invalid_argument, "unknown or invalid runtime name: " + d.host.runtime);
  if (!req.name.empty()) {
    d.name = strip_slash(req.name);
    if (auto err = validate_container_name(d.name)) return err;
  }
  return d;
}

caf::error name_conflict(const containers_state& st, const std::string& name) {
  auto i = st.by_name.find(name);
  if (i == st.by_name.end()) return {};
  return make_error(errc::conflict, "Conflict. The container name \"/" + name +
                                        "\" is already in use by container \"" + i->second +
                                        "\". You have to remove (or rename) that container to "
                                        "be able to reuse that name.");
}

// dockerd writes the daemon's defaults into HostConfig at create, so inspect shows what applies.
void apply_create_defaults(const containers_state& st, runtime::host_config& host) {
  if (!host.privileged) {
    if (!host.masked_paths) host.masked_paths = runtime::default_masked_paths();
    if (!host.readonly_paths) host.readonly_paths = runtime::default_readonly_paths();
  }
  if (host.memory > 0 && host.memory_swap == 0) host.memory_swap = host.memory * 2;
  if (host.shm_size == 0)
    if (auto shm = units::parse_ram_bytes(st.ctx->config.default_shm_size)) host.shm_size = *shm;
}

container_record make_record(const containers_state& st, create_draft d, const image_view& image,
                             std::vector<std::string> command) {
  container_record rec;
  rec.id = random_hex(32);
  rec.name = std::move(d.name);
  rec.created_nanos = unix_nanos_now();
  rec.config = std::move(d.config);
  rec.host = std::move(d.host);
  rec.image_id = image.image.id;
  rec.image_size = image.size;
  rec.image_chain = image.image.chain_ids;
  rec.lower_dirs = lower_dirs_of(image);
  rec.image_config = image.image.config.value("config", nlohmann::json::object());
  rec.path = command.front();
  rec.args.assign(command.begin() + 1, command.end());
  rec.runtime = rec.host.runtime.empty() ? st.ctx->runtimes.default_runtime : rec.host.runtime;
  rec.host.runtime = rec.runtime; // dockerd records the runtime chosen at create
  rec.hostname = rec.config.hostname.empty() ? rec.id.substr(0, 12) : rec.config.hostname;
  rec.networks = std::move(d.networks);
  apply_create_defaults(st, rec.host);
  return rec;
}

void finish_create(containers_pointer self, container_record rec,
                   caf::typed_response_promise<create_result> rp, int64_t began) {
  auto pool = blocking_pool_of(self);
  // A failed create gives back its name and the volumes it took (removing those made for it).
  std::vector<std::string> volume_names;
  for (const auto& v : rec.volumes)
    if (v.type == "volume") volume_names.push_back(v.name);
  auto release = [self, volume_names, id = rec.id](const std::string& name) {
    self->state.by_name.erase(name);
    if (volume_names.empty()) return;
    if (auto volumes = directory::lookup<volumes_manager_actor>(self->system(), directory::volumes))
      self->request(volumes, std::chrono::seconds(60), release_atom_v, id, volume_names, true)
          .then([]() {}, [](caf::error&) {});
  };
  if (!pool) {
    release(rec.name);
    rp.deliver(make_error(errc::unavailable, "the blocking pool is not running"));
    return;
  }
  auto paths = paths_of(rec, self->state.ctx->config.data_root, self->state.ctx->config.exec_root);
  auto host = rec.host;
  run_blocking(
      self, pool,
      [paths, host]() -> caf::error {
        if (auto err = runtime::validate_bind_sources(host)) return err;
        if (auto err = create_bind_sources(host)) return err;
        return create_container_layer(paths);
      },
      [self, rec, rp, began, release, paths](caf::error err) mutable {
        if (err) {
          release(rec.name);
          (void)paths;
          {
            rp.deliver(err);
            return;
          }
        }
        auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
        if (!store) {
          release(rec.name);
          {
            rp.deliver(make_error(errc::unavailable, "the state store is not available"));
            return;
          }
        }
        std::vector<storage::state_op> ops{
            storage::state_op::put("container", rec.id, to_state_json(rec))};
        self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
            .await(
                [self, rec, rp, began]() mutable {
                  auto& st = self->state;
                  entry e;
                  e.summary.id = rec.id;
                  e.summary.name = rec.name;
                  e.summary.image = rec.config.image;
                  e.summary.image_id = rec.image_id;
                  e.summary.created_nanos = rec.created_nanos;
                  st.by_name[rec.name] = rec.id;
                  publish_created(self, rec);
                  auto id = rec.id;
                  e.actor = adopt(self, std::move(rec), container_origin::created);
                  st.containers[id] = std::move(e);
                  publish_counts(self);
                  st.ctx->probes->containers()->observe_action(
                      "create", static_cast<double>(monotonic_nanos() - began) / 1e9);
                  rp.deliver(create_result{id, {}});
                },
                [rp, release, rec](caf::error& e) mutable {
                  release(rec.name);
                  rp.deliver(e);
                });
      });
}

// Each network must exist; its entry takes the network's name (NetworkSettings.Networks keys).
// Not 404 for a missing one: the CLI answers a 404 from create by pulling the image.
void resolve_networks(containers_pointer self, std::shared_ptr<create_draft> draft, size_t i,
                      std::function<void(caf::error)> then) {
  while (i < draft->networks.size() &&
         (draft->networks[i].name == "bridge" || is_endpointless_network(draft->networks[i].name)))
    ++i;
  if (i == draft->networks.size()) return then({});
  auto networks = directory::lookup<networks_manager_actor>(self->system(), directory::networks);
  if (!networks) return then(make_error(errc::unavailable, "the networks manager is not running"));
  self->request(networks, std::chrono::seconds(10), resolve_atom_v, draft->networks[i].name)
      .then(
          [self, draft, i, then](network_ref& ref) {
            draft->networks[i].name = ref.name;
            resolve_networks(self, draft, i + 1, then);
          },
          [then](caf::error& err) {
            then(error_kind(err) == errc::not_found
                     ? make_error(errc::invalid_argument, error_message(err))
                     : err);
          });
}

// --volumes-from: what each named container has (its record, from its actor).
void collect_inherited(containers_pointer self, std::shared_ptr<container_record> rec, size_t i,
                       std::shared_ptr<std::vector<inherited_mounts>> found,
                       std::function<void(caf::error)> then) {
  const auto& entries = rec->host.volumes_from;
  if (i == entries.size()) return then({});
  auto parsed = parse_volumes_from(entries[i]);
  if (!parsed) return then(parsed.error());
  auto id = find_id(self->state, parsed->first);
  // Not 404: the CLI answers a 404 from create by pulling the image.
  if (!id) return then(make_error(errc::invalid_argument, error_message(id.error())));
  auto mode = parsed->second;
  self->request(self->state.containers.at(*id).actor, std::chrono::seconds(10), inspect_atom_v)
      .then(
          [self, rec, i, found, then, mode](container_record& other) {
            found->push_back({mode, other.volumes, other.host});
            collect_inherited(self, rec, i + 1, found, then);
          },
          [then](caf::error& err) { then(err); });
}

// The container's volumes: planned, then created or found (and the container recorded as their
// user) by the volumes manager.
void attach_volumes(containers_pointer self, container_record rec,
                    caf::typed_response_promise<create_result> rp, int64_t began) {
  auto shared = std::make_shared<container_record>(std::move(rec));
  auto inherited = std::make_shared<std::vector<inherited_mounts>>();
  auto fail = [self, shared, rp](caf::error err) mutable {
    self->state.by_name.erase(shared->name);
    rp.deliver(err);
  };
  collect_inherited(self, shared, 0, inherited, [=](caf::error err) mutable {
    if (err) return fail(err);
    auto volumes = volumes_for_create(shared->host, shared->config, *inherited);
    if (!volumes) return fail(volumes.error());
    shared->volumes = std::move(*volumes);
    std::vector<volume_claim> claims;
    for (const auto& v : shared->volumes)
      if (v.type == "volume") claims.push_back({v.name, v.driver, v.options, v.labels});
    if (claims.empty()) return finish_create(self, std::move(*shared), rp, began);
    auto volumes_manager =
        directory::lookup<volumes_manager_actor>(self->system(), directory::volumes);
    if (!volumes_manager)
      return fail(make_error(errc::unavailable, "the volumes manager is not running"));
    self->request(volumes_manager, std::chrono::seconds(60), acquire_atom_v, shared->id,
                  std::move(claims))
        .then(
            [=](std::vector<volume_claim>& named) mutable {
              size_t k = 0;
              for (auto& v : shared->volumes)
                if (v.type == "volume") v.name = named[k++].name;
              finish_create(self, std::move(*shared), rp, began);
            },
            [fail](caf::error& e) mutable { fail(e); });
  });
}

caf::result<create_result> create(containers_pointer self, create_request req) {
  auto& st = self->state;
  auto began = monotonic_nanos();
  auto draft = parse_create(st, req);
  if (!draft) return draft.error();
  if (draft->name.empty())
    draft->name =
        generate_container_name([&st](const std::string& n) { return st.by_name.count(n) > 0; });
  if (auto err = name_conflict(st, draft->name)) return err;
  auto images = directory::lookup<images_manager_actor>(self->system(), directory::images);
  if (!images)
    return make_error(errc::unavailable, "the images component is not available, try again");
  st.by_name[draft->name] = "(creating)"; // reserved while the image is looked up
  auto rp = self->make_response_promise<create_result>();
  auto image_name = draft->config.image;
  self->request(images, std::chrono::seconds(30), inspect_atom_v, image_name)
      .then(
          [self, draft = std::move(*draft), rp, began](image_view& image) mutable {
            runtime::merge_image_config(
                draft.config, image.image.config.value("config", nlohmann::json::object()));
            auto command = runtime::container_command(draft.config, nlohmann::json::object());
            if (!command) {
              self->state.by_name.erase(draft.name);
              {
                rp.deliver(command.error());
                return;
              }
            }
            auto names = std::make_shared<create_draft>(std::move(draft));
            resolve_networks(self, names, 0,
                             [self, names, image, command = std::move(*command), rp,
                              began](caf::error err) mutable {
                               if (err) {
                                 self->state.by_name.erase(names->name);
                                 rp.deliver(err);
                                 return;
                               }
                               auto rec = make_record(self->state, std::move(*names), image,
                                                      std::move(command));
                               attach_volumes(self, std::move(rec), rp, began);
                             });
          },
          [self, rp, name = draft->name](caf::error& err) mutable {
            self->state.by_name.erase(name);
            rp.deliver(err);
          });
  return rp;
}

// -- list / prune ---------------------------------------------------------------------------

// The ports of a publish= or expose= filter ("80", "80/udp", "8000-8080/tcp") as "80/tcp" keys,
// read like dockerd's portOp (nat.SplitProtoPort, nat.ParsePortRange), with its messages.
caf::expected<std::set<std::string>> filter_ports(const filter_args& f, const std::string& key) {
  std::set<std::string> out;
  for (const auto& value : f.get(key)) {
    if (value.find(':') != std::string::npos)
      return make_error(errc::invalid_argument,
                        "filter for '" + key + "' should not contain ':': " + value);
    auto [proto, port] = net::split_proto_port(value);
    auto bad = [&](const std::string& why) {
      return make_error(errc::invalid_argument,
                        "error while looking up for " + key + " " + value + ": " + why);
    };
    // nat.ParsePortRange, unlike parse_port_range (ParsePortRangeToInt), refuses "".
    if (port.empty()) return bad("empty string specified for ports");
    auto range = net::parse_port_range(port);
    if (!range) return bad(error_message(range.error()));
    for (uint32_t p = range->first; p <= range->second; ++p)
      out.insert(std::to_string(p) + "/" + proto);
  }
  return out;
}

bool status_filter_matches(const filter_args& f, container_status s) {
  return f.exact_match("status", to_string(s));
}

caf::expected<std::vector<container_summary>> list(const containers_state& st,
                                                   const container_list_query& q) {
  const auto& f = q.filters;
  if (auto err = f.validate({"ancestor", "before", "exited", "health", "id", "isolation", "is-task",
                             "label", "name", "network", "publish", "since", "status", "volume",
                             "expose"}))
    return err;
  for (const auto& s : f.get("status")) {
    static const std::set<std::string> valid{"created", "restarting", "running", "removing",
                                             "paused",  "exited",     "dead"};
    if (!valid.count(s))
      return make_error(errc::invalid_argument, "invalid filter 'status=" + s + "'");
  }
  for (const auto& h : f.get("health")) {
    if (h != "none" && !runtime::parse_health_status(h))
      return make_error(errc::invalid_argument,
                        "invalid filter 'health=" + h + "': invalid value for health (" + h +
                            "): must be one of none, starting, healthy, unhealthy");
  }
  auto created_of = [&](const std::string& key) -> caf::expected<int64_t> {
    int64_t t = 0;
    for (const auto& v : f.get(key)) {
      auto id = find_id(st, v);
      if (!id) return id.error();
      t = st.containers.at(*id).summary.created_nanos;
    }
    return t;
  };
  auto published = filter_ports(f, "publish");
  if (!published) return published.error();
  auto exposed = filter_ports(f, "expose");
  if (!exposed) return exposed.error();
  auto before = created_of("before");
  if (!before) return before.error();
  auto since = created_of("since");
  if (!since) return since.error();
  std::vector<container_summary> out;
  for (const auto& [id, e] : st.containers) {
    const auto& s = e.summary;
    bool shown = q.all || s.status == container_status::running ||
                 s.status == container_status::paused || s.status == container_status::restarting;
    if (!shown && !f.contains("status") && !f.contains("exited")) continue;
    if (!status_filter_matches(f, s.status) || !f.fuzzy_match("id", s.id) ||
        !f.match_kv_list("label", s.labels) ||
        !f.exact_match("health", s.health.empty() ? "none" : s.health))
      continue;
    if (f.contains("name")) {
      bool matched = false;
      for (const auto& n : f.get("name"))
        matched = matched || s.name.find(strip_slash(n)) != std::string::npos;
      if (!matched) continue;
    }
    // volume=: a volume's name, a bind's source or a mount's destination; network=: a
    // network's name or ID (dockerd's ps filters).
    auto any_of = [&](const std::string& filter, auto&& matches_value) {
      if (!f.contains(filter)) return true;
      for (const auto& value : f.get(filter))
        if (matches_value(value)) return true;
      return false;
    };
    if (!any_of("volume", [&](const std::string& v) {
          return std::find(s.mount_keys.begin(), s.mount_keys.end(), v) != s.mount_keys.end();
        }))
      continue;
    if (!any_of("network", [&](const std::string& n) {
          return std::any_of(s.networks.begin(), s.networks.end(), [&](const container_network& c) {
            return c.name == n || (c.endpoint && c.endpoint->network_id.rfind(n, 0) == 0);
          });
        }))
      continue;
    // Matched against the ports `docker ps` shows, as dockerd's container.Ports: publish= the
    // host ports, expose= the container ports; a container that is not running has none.
    bool has_ports = s.status == container_status::running || s.status == container_status::paused;
    if (!published->empty() &&
        (!has_ports ||
         std::none_of(s.ports.begin(), s.ports.end(), [&](const net::published_port& p) {
           return published->count(std::to_string(p.host_port) + "/" + p.proto) > 0;
         })))
      continue;
    if (!exposed->empty() &&
        (!has_ports ||
         (std::none_of(s.exposed_ports.begin(), s.exposed_ports.end(),
                       [&](const std::string& p) { return exposed->count(p) > 0; }) &&
          std::none_of(s.ports.begin(), s.ports.end(), [&](const net::published_port& p) {
            return exposed->count(std::to_string(p.container_port) + "/" + p.proto) > 0;
          }))))
      continue;
    if (f.contains("exited")) {
      if (s.status != container_status::exited ||
          !f.exact_match("exited", std::to_string(s.exit_code)))
        continue;
    }
    if (f.contains("ancestor")) {
      bool matched = false;
      for (const auto& a : f.get("ancestor"))
        matched = matched || s.image == a || s.image_id == a ||
                  (a.size() >= 4 && s.image_id.find(a) != std::string::npos) ||
                  s.image == a + ":latest";
      if (!matched) continue;
    }
    if (*before && s.created_nanos >= *before) continue;
    if (*since && s.created_nanos <= *since) continue;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const container_summary& a, const container_summary& b) {
    return a.created_nanos > b.created_nanos;
  });
  if (q.limit > 0 && static_cast<size_t>(q.limit) < out.size())
    out.resize(static_cast<size_t>(q.limit));
  return out;
}

caf::result<container_prune_result> prune(containers_pointer self, const filter_args& filters) {
  if (auto err = filters.validate({"until", "label", "label!"})) return err;
  int64_t until = 0;
  for (const auto& u : filters.get("until")) {
    auto t = parse_filter_time(u, unix_nanos_now());
    if (!t) return make_error(errc::invalid_argument, "invalid filter 'until=" + u + "'");
    until = *t;
  }
  std::vector<std::pair<std::string, container_actor>> doomed;
  for (const auto& [id, e] : self->state.containers) {
    const auto& s = e.summary;
    if (s.status != container_status::exited && s.status != container_status::created &&
        s.status != container_status::dead)
      continue;
    if (until && s.created_nanos >= until) continue;
    if (!filters.match_kv_list("label", s.labels)) continue;
    bool excluded = false;
    for (const auto& l : filters.get("label!")) {
      auto eq = l.find('=');
      auto it = s.labels.find(l.substr(0, eq));
      excluded = excluded || (it != s.labels.end() &&
                              (eq == std::string::npos || it->second == l.substr(eq + 1)));
    }
    if (!excluded) doomed.emplace_back(id, e.actor);
  }
  // Before the promise: once it exists, it is the only way to answer.
  if (doomed.empty()) return container_prune_result{};
  auto rp = self->make_response_promise<container_prune_result>();
  auto result = std::make_shared<container_prune_result>();
  auto remaining = std::make_shared<size_t>(doomed.size());
  for (auto& [id, actor] : doomed) {
    self->request(actor, std::chrono::seconds(60), caf::delete_atom_v, false, false)
        .then(
            [rp, result, remaining, id = id]() mutable {
              result->deleted.push_back(id);
              if (--*remaining == 0) rp.deliver(std::move(*result));
            },
            [rp, result, remaining](caf::error&) mutable {
              if (--*remaining == 0) rp.deliver(std::move(*result));
            });
  }
  return rp;
}

caf::result<void> rename(containers_pointer self, const std::string& name,
                         const std::string& new_name) {
  auto& st = self->state;
  auto id = find_id(st, name);
  if (!id) return id.error();
  auto target = strip_slash(new_name);
  if (target.empty())
    return make_error(errc::invalid_argument, "Neither old nor new names may be empty");
  if (auto err = validate_container_name(target)) return err;
  const auto& current = st.containers.at(*id).summary.name;
  if (current == target)
    return make_error(errc::invalid_argument,
                      "Renaming a container with the same name as its current name");
  if (auto err = name_conflict(st, target)) return err;
  auto old_name = current;
  st.by_name.erase(old_name);
  st.by_name[target] = *id;
  auto rp = self->make_response_promise();
  self->request(st.containers.at(*id).actor, std::chrono::seconds(30), rename_atom_v, target)
      .then([rp]() mutable { rp.deliver(caf::unit); },
            [self, rp, old_name, target, id = *id](caf::error& err) mutable {
              self->state.by_name.erase(target);
              self->state.by_name[old_name] = id;
              rp.deliver(err);
            });
  return rp;
}

caf::result<void> shutdown(containers_pointer self, bool stop_containers) {
  if (!stop_containers || self->state.containers.empty()) return caf::unit;
  auto rp = self->make_response_promise();
  auto remaining = std::make_shared<size_t>(self->state.containers.size());
  for (auto& [id, e] : self->state.containers)
    self->request(e.actor, std::chrono::seconds(60), shutdown_atom_v, true)
        .then(
            [rp, remaining]() mutable {
              if (--*remaining == 0) rp.deliver(caf::unit);
            },
            [rp, remaining](caf::error&) mutable {
              if (--*remaining == 0) rp.deliver(caf::unit);
            });
  return rp;
}

containers_manager_actor::behavior_type containers_impl(containers_pointer self,
                                                        std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  self->state.probe = ctx->probes->actor("containers");
  auto probe = self->state.probe;
  publish_counts(self);
  restore_all(self);
  // Container actors end with the manager (the daemon stopping); they are monitored, not linked,
  // so that one failing does not take the manager down.
  self->set_exit_handler([self](const caf::exit_msg& msg) {
    for (auto& [id, e] : self->state.containers)
      self->send_exit(e.actor, msg.reason);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](const caf::down_msg& msg) {
    if (!msg.reason || msg.reason == caf::exit_reason::user_shutdown)
      return; // removed, or stopping with the daemon
    for (auto& [id, e] : self->state.containers)
      if (e.actor.address() == msg.source) return respawn(self, id);
  });
  return {
      timed(self, probe, [self](caf::get_atom, counts_atom) { return count(self->state); }),
      timed(self, probe,
            [self](caf::get_atom, ready_atom) -> caf::result<void> {
              auto rp = self->make_response_promise();
              self->state.ready_waiters.push_back(rp);
              answer_ready_waiters(self);
              return rp;
            }),
      timed(self, probe,
            [self](caf::get_atom, users_atom) {
              std::vector<storage::image_user> users;
              for (const auto& [id, e] : self->state.containers)
                users.push_back({id, e.summary.image_id,
                                 is_running_state(e.summary.status) ||
                                     e.summary.status == container_status::paused});
              return users;
            }),
      timed(self, probe,
            [self](create_atom, create_request& req) { return create(self, std::move(req)); }),
      timed(self, probe,
            [self](resolve_atom, const std::string& name) -> caf::result<resolved_container> {
              auto id = find_id(self->state, name);
              if (!id) return id.error();
              return resolved_container{*id, self->state.containers.at(*id).actor};
            }),
      timed(self, probe,
            [self](resolve_atom, exec_atom,
                   const std::string& exec_id) -> caf::result<resolved_container> {
              auto owner =
                  self->state.ctx->execs ? self->state.ctx->execs->owner(exec_id) : std::nullopt;
              auto it = owner ? self->state.containers.find(*owner) : self->state.containers.end();
              if (it == self->state.containers.end())
                return make_error(errc::not_found, "No such exec instance: " + exec_id);
              return resolved_container{it->first, it->second.actor};
            }),
      timed(self, probe,
            [self](list_atom,
                   const container_list_query& q) -> caf::result<std::vector<container_summary>> {
              auto r = list(self->state, q);
              if (!r) return r.error();
              if (!q.size) return std::move(*r);
              return with_sizes(self, std::move(*r));
            }),
      timed(self, probe, [self](prune_atom, const filter_args& f) { return prune(self, f); }),
      timed(self, probe,
            [self](rename_atom, const std::string& name, const std::string& new_name) {
              return rename(self, name, new_name);
            }),
      timed(self, probe,
            [self](update_atom, container_summary& s) {
              auto i = self->state.containers.find(s.id);
              if (i == self->state.containers.end()) return;
              i->second.summary = std::move(s);
              publish_counts(self);
            }),
      timed(self, probe,
            [self](removed_atom, const std::string& id) {
              auto i = self->state.containers.find(id);
              if (i == self->state.containers.end()) return;
              self->state.by_name.erase(i->second.summary.name);
              self->state.containers.erase(i);
              publish_counts(self);
            }),
      timed(
          self, probe,
          [self](shutdown_atom, bool stop_containers) { return shutdown(self, stop_containers); }),
  };
}

} // namespace

containers_manager_actor spawn_containers_manager(caf::actor_system& sys,
                                                  std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(containers_impl, std::move(ctx));
}

} // namespace berth::actors
