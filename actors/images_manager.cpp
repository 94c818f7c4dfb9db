// The images manager: startup, queries, tag, delete, prune, and the bookkeeping of jobs.
#include "actors/images_manager.hpp"

#include <set>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/images_manager_state.hpp"
#include "actors/instrumented.hpp"
#include "actors/state_store_actor.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "metrics/daemon_probes.hpp"
#include "storage/content_store.hpp"
#include "storage/reference.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"images"};

constexpr auto users_timeout = std::chrono::seconds(10);

// -- startup ---------------------------------------------------------------------------------

void load_index(images_pointer self, std::function<void()> done) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) {
    lg.error("state store not running: starting with an empty image index");
    done();
    return;
  }
  auto timeout = std::chrono::seconds(60);
  self->request(store, timeout, load_atom_v, std::string(kind_layer))
      .await(
          [=](std::vector<storage::state_record>& layers) {
            for (const auto& row : layers)
              if (auto l = storage::layer_from_state_json(row.body))
                self->state.index.put_layer(std::move(*l));
            self->request(store, timeout, load_atom_v, std::string(kind_image))
                .await(
                    [=](std::vector<storage::state_record>& images) {
                      for (const auto& row : images)
                        if (auto img = storage::image_from_state_json(row.body))
                          self->state.index.put_image(std::move(*img));
                      self->request(store, timeout, load_atom_v, std::string(kind_reference))
                          .await(
                              [=](std::vector<storage::state_record>& refs) {
                                for (const auto& row : refs) {
                                  auto target = nlohmann::json::parse(row.body, nullptr, false);
                                  if (!target.is_discarded() && target.contains("image"))
                                    self->state.index.set_reference(
                                        row.id, target["image"].get<std::string>());
                                }
                                done();
                              },
                              [=](caf::error& err) {
                                lg.error("cannot load references", {{"error", error_message(err)}});
                                done();
                              });
                    },
                    [=](caf::error& err) {
                      lg.error("cannot load images", {{"error", error_message(err)}});
                      done();
                    });
          },
          [=](caf::error& err) {
            lg.error("cannot load layers", {{"error", error_message(err)}});
            done();
          });
}

// Removes what a crash left behind: layer directories no record knows, unreferenced blobs.
void clean_up_after_crash(images_pointer self) {
  auto pool = blocking_pool_of(self);
  if (!pool) return;
  std::set<std::string> cache_ids;
  for (const auto& [chain, l] : self->state.index.layers())
    cache_ids.insert(l.cache_id);
  auto keep = self->state.index.referenced_blobs();
  auto ctx = self->state.ctx;
  run_blocking_awaited(
      self, pool,
      [ctx, cache_ids, keep]() -> caf::expected<std::pair<size_t, storage::gc_result>> {
        auto orphans = ctx->layers->remove_orphans(cache_ids);
        auto gc = ctx->content->collect_garbage(keep);
        return std::make_pair(orphans, gc);
      },
      [](caf::expected<std::pair<size_t, storage::gc_result>> r) {
        if (r && (r->first > 0 || r->second.removed > 0))
          lg.info("cleaned up the image store",
                  {{"orphan_layers", static_cast<long>(r->first)},
                   {"blobs_removed", static_cast<long>(r->second.removed)}});
      });
}

// -- queries ---------------------------------------------------------------------------------

/// An image's references as the docker CLI shows them: "busybox:latest", "busybox@sha256:...".
struct shown_references {
  std::vector<std::string> tags;
  std::vector<std::string> digests;
};

shown_references references_of(const storage::image_index& index, const std::string& image_id) {
  shown_references out;
  for (const auto& r : index.references_to(image_id)) {
    auto ref = storage::parse_normalized(r);
    if (!ref) continue;
    if (ref->digest.empty())
      out.tags.push_back(ref->familiar_string());
    else
      out.digests.push_back(ref->familiar_name() + "@" + ref->digest);
  }
  return out;
}

// dockerd's reference filter: path-style glob on the familiar name, with or without the tag.
bool glob_match(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i > 0 && text[i - 1] == '/') return false;
      if (glob_match(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  if (pattern.front() == '?' ? text.front() != '/' : pattern.front() == text.front())
    return glob_match(pattern.substr(1), text.substr(1));
  return false;
}

// dockerd matches the familiar and canonical forms, with and without the tag, and lists only the
// matching references of an image; an image left with none is not listed.
bool apply_reference_filter(const filter_args& filters, image_view& v) {
  if (!filters.contains("reference")) return true;
  auto matches = [&](const std::string& familiar) {
    auto ref = storage::parse_normalized(familiar);
    if (!ref) return false;
    std::vector<std::string> targets{familiar, ref->familiar_name(),
                                     storage::with_default_tag(*ref).string(), ref->name()};
    for (const auto& pattern : filters.get("reference"))
      for (const auto& target : targets)
        if (glob_match(pattern, target)) return true;
    return false;
  };
  std::erase_if(v.repo_tags, [&](const std::string& r) { return !matches(r); });
  std::erase_if(v.repo_digests, [&](const std::string& r) { return !matches(r); });
  return !v.repo_tags.empty() || !v.repo_digests.empty();
}

caf::expected<int64_t> image_time_filter(const images_state& st, const filter_args& filters,
                                         const std::string& name) {
  int64_t out = 0;
  for (const auto& value : filters.get(name)) {
    auto found = st.index.resolve(value);
    if (!found) return found.error();
    out = found->image->created_nanos;
  }
  return out;
}

caf::expected<std::vector<image_view>> list_images(const images_state& st,
                                                   const image_list_query& q) {
  const auto& f = q.filters;
  if (auto err = f.validate({"before", "dangling", "label", "reference", "since", "until"}))
    return err;
  auto dangling =
      f.contains("dangling") ? f.get_bool_or("dangling", false) : caf::expected<bool>(false);
  if (!dangling) return dangling.error();
  auto before = image_time_filter(st, f, "before");
  if (!before) return before.error();
  auto since = image_time_filter(st, f, "since");
  if (!since) return since.error();
  int64_t until = 0;
  for (const auto& u : f.get("until")) {
    auto t = parse_filter_time(u, unix_nanos_now());
    if (!t) return make_error(errc::invalid_argument, "invalid filter 'until=" + u + "'");
    until = *t;
  }
  std::vector<image_view> out;
  for (const auto& [id, img] : st.index.images()) {
    auto v = make_view(st, img);
    bool tagged = !v.repo_tags.empty();
    if (f.contains("dangling") && *dangling == tagged) continue;
    if (!q.all && !tagged && !st.index.children(id).empty()) continue;
    if (*before && img.created_nanos >= *before) continue;
    if (*since && img.created_nanos <= *since) continue;
    if (until && img.created_nanos >= until) continue;
    if (!f.match_kv_list("label", img.labels())) continue;
    if (!apply_reference_filter(f, v)) continue;
    out.push_back(std::move(v));
  }
  std::sort(out.begin(), out.end(), [](const image_view& a, const image_view& b) {
    return a.image.created_nanos > b.image.created_nanos;
  });
  return out;
}

uint64_t layers_size(const images_state& st) {
  uint64_t out = 0;
  for (const auto& [chain, l] : st.index.layers())
    out += l.size;
  return out;
}

// GET /system/df's images and build cache (the counts of /info need only layers_size).
image_usage usage_of(const images_state& st) {
  image_usage out;
  auto users = st.index.layer_users();
  out.layers_size = layers_size(st);
  for (const auto& [id, img] : st.index.images()) {
    uint64_t shared = 0;
    for (const auto& chain : img.chain_ids)
      if (users[chain] > 1)
        if (const auto* l = st.index.layer(chain)) shared += l->size;
    out.shared_size[id] = shared;
    out.images.push_back(make_view(st, img));
  }
  out.build_cache = storage::build_cache_records(st.index);
  return out;
}

// dockerd's image cache: the newest child of the step's image with the step's container config.
std::string cached_child(const images_state& st, const build_cache_probe& probe) {
  const storage::image_record* best = nullptr;
  for (const auto& id : st.index.children(probe.parent_id)) {
    const auto* img = st.index.image(id);
    auto it = img->config.find("container_config");
    if (it == img->config.end() || *it != probe.container_config) continue;
    if (!best || img->created_nanos > best->created_nanos) best = img;
  }
  return best ? best->id : std::string{};
}

// -- tag -------------------------------------------------------------------------------------

caf::expected<std::string> target_reference(const tag_request& req) {
  auto ref = storage::parse_normalized(req.repo);
  if (!ref) return ref.error();
  if (!ref->digest.empty())
    return make_error(errc::invalid_argument, "refusing to create a tag with a digest reference");
  if (!ref->tag.empty() && !req.tag.empty())
    return make_error(errc::invalid_argument, "invalid reference format");
  if (!req.tag.empty()) {
    if (auto err = storage::validate_tag(req.tag)) return err;
    ref->tag = req.tag;
  }
  return storage::with_default_tag(*ref).string();
}

// -- delete / prune --------------------------------------------------------------------------

// Asks the containers manager which containers use which image, then runs `next`.
void with_image_users(images_pointer self,
                      std::function<void(caf::expected<std::vector<storage::image_user>>)> next) {
  auto containers =
      directory::lookup<containers_manager_actor>(self->system(), directory::containers);
  if (!containers) {
    next(make_error(errc::unavailable, "the containers component is not available, try again"));
    return;
  }
  self->request(containers, users_timeout, caf::get_atom_v, users_atom_v)
      .then([next](std::vector<storage::image_user>& users) mutable { next(std::move(users)); },
            [next](caf::error& err) mutable { next(err); });
}

// Persists and applies a delete plan, emits its events, then removes layer directories and
// unreferenced blobs off the scheduler.
void execute_plan(images_pointer self, storage::delete_plan plan,
                  std::function<void(caf::expected<delete_outcome>)> reply) {
  std::vector<storage::state_op> ops;
  for (const auto& r : plan.remove_references)
    ops.push_back(storage::state_op::erase(kind_reference, r));
  for (const auto& id : plan.remove_images)
    ops.push_back(storage::state_op::erase(kind_image, id));
  for (const auto& chain : plan.remove_layers)
    ops.push_back(storage::state_op::erase(kind_layer, chain));
  for (const auto& image : plan.reparented)
    ops.push_back(storage::state_op::put(kind_image, image.id, storage::to_state_json(image)));
  std::vector<storage::layer_record> doomed;
  for (const auto& chain : plan.remove_layers)
    if (const auto* l = self->state.index.layer(chain)) doomed.push_back(*l);
  persist(self, std::move(ops), [=](caf::error err) mutable {
    if (err) return reply(err);
    storage::apply_plan(plan, self->state.index);
    for (const auto& ev : plan.events)
      publish_image_event(self, ev.action, ev.image_id, ev.name);
    // As dockerd, rmi and prune answer once the layers are gone from disk.
    auto outcome = delete_outcome{plan.records, plan.space_reclaimed};
    remove_layers_and_collect(self, std::move(doomed),
                              [reply, outcome]() mutable { reply(std::move(outcome)); });
  });
}

// The image's local parents, nearest first, as far as they are still stored.
std::vector<image_ancestor> ancestors_of(const images_state& st, const storage::image_record& img) {
  std::vector<image_ancestor> out;
  std::set<std::string> seen{img.id};
  for (const auto* p = st.index.image(img.parent); p && seen.insert(p->id).second;
       p = st.index.image(p->parent)) {
    out.push_back({p->id, references_of(st.index, p->id).tags});
  }
  return out;
}

template <class Result>
void deliver(caf::typed_response_promise<Result> rp, caf::expected<Result> r) {
  if (r)
    rp.deliver(std::move(*r));
  else
    rp.deliver(r.error());
}

// rmi and the prunes: `plan_with(users)` plans against the containers' use of images, then the
// plan is executed; the promise answers with the outcome or the planning error.
template <class PlanWith>
caf::result<delete_outcome> run_delete_plan(images_pointer self, PlanWith plan_with) {
  auto rp = self->make_response_promise<delete_outcome>();
  with_image_users(self, [self, rp, plan_with](auto users) mutable {
    if (!users) {
      rp.deliver(users.error());
      return;
    }
    auto plan = plan_with(*users);
    if (!plan) {
      rp.deliver(plan.error());
      return;
    }
    execute_plan(self, std::move(*plan),
                 [rp](caf::expected<delete_outcome> r) mutable { deliver(rp, std::move(r)); });
  });
  return rp;
}

} // namespace

// -- shared helpers (images_manager_state.hpp) -----------------------------------------------

image_view make_view(const images_state& st, const storage::image_record& img) {
  image_view v;
  v.image = img;
  auto references = references_of(st.index, img.id);
  v.repo_tags = std::move(references.tags);
  v.repo_digests = std::move(references.digests);
  v.size = st.index.image_size(img);
  for (const auto& chain : img.chain_ids)
    if (const auto* l = st.index.layer(chain)) v.layers.push_back(*l);
  v.layer_root = st.ctx->layers ? st.ctx->layers->root() : "";
  return v;
}

std::vector<std::string> lower_dirs_of(const image_view& v) {
  std::vector<std::string> out;
  for (auto l = v.layers.rbegin(); l != v.layers.rend(); ++l)
    out.push_back(v.layer_root + "/l/" + l->link_id);
  return out;
}

void persist(images_pointer self, std::vector<storage::state_op> ops,
             std::function<void(caf::error)> then) {
  auto store = directory::lookup<state_store_actor>(self->system(), directory::state);
  if (!store) {
    then(make_error(errc::unavailable, "the state store is not available, try again"));
    return;
  }
  // await: no other message sees the index between this commit and its application.
  self->request(store, std::chrono::seconds(30), commit_atom_v, std::move(ops))
      .await([then]() { then({}); }, [then](caf::error& err) { then(err); });
}

void publish_image_event(images_pointer self, const std::string& action, const std::string& id,
                         const std::string& name) {
  auto events = directory::lookup<events_actor>(self->system(), directory::events);
  if (!events) return;
  event ev;
  ev.type = "image";
  ev.action = action;
  ev.actor_id = id;
  ev.attributes["name"] = name;
  self->send(events, caf::publish_atom_v, std::move(ev));
}

void remove_layers_and_collect(images_pointer self, std::vector<storage::layer_record> doomed,
                               std::function<void()> removed) {
  auto pool = blocking_pool_of(self);
  if (!pool) {
    if (removed) removed();
    return;
  }
  auto ctx = self->state.ctx;
  auto collect = [self, pool, ctx] {
    auto keep = self->state.index.referenced_blobs();
    run_blocking_awaited(
        self, pool,
        [ctx, keep]() -> caf::expected<storage::gc_result> {
          return ctx->content->collect_garbage(keep);
        },
        [](caf::expected<storage::gc_result> r) {
          if (r && r->removed > 0)
            lg.debug("collected unreferenced blobs", {{"blobs", static_cast<long>(r->removed)},
                                                      {"bytes", static_cast<long>(r->bytes)}});
        });
  };
  if (doomed.empty()) {
    if (removed) removed();
    return collect();
  }
  run_blocking(
      self, pool,
      [ctx, doomed = std::move(doomed)]() -> caf::error {
        for (const auto& l : doomed)
          if (auto err = ctx->layers->remove(l))
            lg.warn("could not remove a layer directory",
                    {{"layer", l.chain_id}, {"error", error_message(err)}});
        return {};
      },
      [removed, collect](caf::error) {
        if (removed) removed();
        collect();
      });
}

images_manager_actor::behavior_type images_impl(images_pointer self,
                                                std::shared_ptr<const daemon_context> ctx) {
  self->state.ctx = ctx;
  auto probe = ctx->probes->actor("images");
  self->state.probe = probe;
  load_index(self, [self] {
    self->state.ready = true;
    lg.info("image store loaded",
            {{"images", static_cast<long>(self->state.index.images().size())},
             {"layers", static_cast<long>(self->state.index.layers().size())}});
    clean_up_after_crash(self);
  });
  self->set_down_handler([self](const caf::down_msg& msg) { job_died(self, msg); });
  return {
      timed(self, probe,
            [self](caf::get_atom, counts_atom) {
              return image_counts{self->state.index.images().size(),
                                  static_cast<int64_t>(layers_size(self->state))};
            }),
      timed(self, probe,
            [self](list_atom, const image_list_query& q) -> caf::result<std::vector<image_view>> {
              auto r = list_images(self->state, q);
              if (!r) return r.error();
              return std::move(*r);
            }),
      timed(self, probe,
            [self](inspect_atom, const std::string& name) -> caf::result<image_view> {
              auto found = self->state.index.resolve(name);
              if (!found) return found.error();
              auto view = make_view(self->state, *found->image);
              view.ancestors = ancestors_of(self->state, *found->image);
              return view;
            }),
      timed(self, probe,
            [self](tag_atom, const tag_request& req) -> caf::result<void> {
              auto found = self->state.index.resolve(req.source);
              if (!found) return found.error();
              auto reference = target_reference(req);
              if (!reference) return reference.error();
              auto image = *found->image;
              image.last_tag_nanos = unix_nanos_now();
              auto rp = self->make_response_promise();
              auto ref = *reference;
              persist(self,
                      {storage::state_op::put(kind_reference, ref,
                                              nlohmann::json{{"image", image.id}}.dump()),
                       storage::state_op::put(kind_image, image.id, storage::to_state_json(image))},
                      [self, rp, ref, image](caf::error err) mutable {
                        if (err) {
                          rp.deliver(err);
                          return;
                        }
                        self->state.index.set_reference(ref, image.id);
                        self->state.index.put_image(image);
                        publish_image_event(self, "tag", image.id, storage::familiar_text(ref));
                        rp.deliver(caf::unit);
                      });
              return rp;
            }),
      timed(self, probe,
            [self](caf::delete_atom, const delete_request& req) -> caf::result<delete_outcome> {
              return run_delete_plan(self, [self, req](const auto& users) {
                return storage::plan_image_delete(self->state.index, req.name, req.force, req.prune,
                                                  users);
              });
            }),
      timed(self, probe,
            [self](prune_atom, const filter_args& filters) -> caf::result<delete_outcome> {
              return run_delete_plan(self, [self, filters](const auto& users) {
                return storage::plan_image_prune(self->state.index, filters, users,
                                                 unix_nanos_now());
              });
            }),
      timed(self, probe,
            [self](prune_atom, const storage::build_cache_prune_options& options)
                -> caf::result<delete_outcome> {
              return run_delete_plan(self, [self, options](const auto& users) {
                return storage::plan_build_cache_prune(self->state.index, options, users,
                                                       unix_nanos_now());
              });
            }),
      timed(self, probe,
            [self](load_atom, load_request& req) -> caf::result<load_outcome> {
              return start_load(self, std::move(req));
            }),
      timed(self, probe,
            [self](import_atom, import_request& req) -> caf::result<std::string> {
              return start_import(self, std::move(req));
            }),
      timed(self, probe,
            [self](commit_atom, image_commit_request& req) -> caf::result<std::string> {
              return start_commit(self, std::move(req));
            }),
      timed(self, probe,
            [self](save_atom, save_request& req) -> caf::result<void> {
              return start_save(self, std::move(req));
            }),
      timed(self, probe, [self](caf::get_atom, usage_atom) { return usage_of(self->state); }),
      timed(self, probe,
            [self](caf::get_atom, const build_cache_probe& q) {
              return cached_child(self->state, q);
            }),
      timed(self, probe,
            [self](pull_atom, image_pull_request& req) -> caf::result<image_pull_outcome> {
              return start_pull(self, std::move(req));
            }),
      timed(self, probe,
            [self](push_atom, image_push_request& req) -> caf::result<void> {
              return start_push(self, std::move(req));
            }),
      timed(self, probe,
            [self](job_done_atom, uint64_t id, image_job_outcome& outcome) {
              finish_job(self, id, std::move(outcome));
            }),
  };
}

images_manager_actor spawn_images_manager(caf::actor_system& sys,
                                          std::shared_ptr<const daemon_context> ctx) {
  return sys.spawn(images_impl, std::move(ctx));
}

} // namespace berth::actors
