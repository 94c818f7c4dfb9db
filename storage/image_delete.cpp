// dockerd's image deletion and prune rules as plans.
#include "storage/image_delete.hpp"

#include <algorithm>
#include <set>

#include "base/error.hpp"
#include "base/time.hpp"
#include "storage/build_cache.hpp"
#include "storage/digest.hpp"
#include "storage/reference.hpp"

namespace berth::storage {

namespace {

// The planner works on a scratch copy of the index so that each rule sees the effects of the
// ones before it, exactly like dockerd's sequential code.
struct planner {
  image_index scratch;
  const std::vector<image_user>& users;
  delete_plan plan;

  const image_user* first_user(const std::string& id, int running) const {
    for (const auto& u : users)
      if (u.image_id == id && (running < 0 || u.running == (running == 1))) return &u;
    return nullptr;
  }

  void untag(const std::string& reference, const std::string& image_id) {
    scratch.remove_reference(reference);
    plan.remove_references.push_back(reference);
    plan.records.push_back({familiar_text(reference), {}});
    plan.events.push_back({"untag", image_id, image_id});
  }

  // dockerd's checkImageDeleteConflict: hard conflicts can't be forced, soft ones can.
  caf::error conflict(const std::string& id, bool hard_only, bool check_references) const {
    auto fail = [&](bool hard, const std::string& why) {
      return make_error(errc::conflict, "conflict: unable to delete " + short_id(id) + " (" +
                                            (hard ? "cannot be forced" : "must be forced") +
                                            ") - " + why);
    };
    if (!scratch.children(id).empty()) return fail(true, "image has dependent child images");
    if (const auto* u = first_user(id, 1))
      return fail(true, "image is being used by running container " + short_id(u->container_id));
    if (hard_only) return {};
    if (check_references && !scratch.references_to(id).empty())
      return fail(false, "image is referenced in multiple repositories");
    if (const auto* u = first_user(id, 0))
      return fail(false, "image is being used by stopped container " + short_id(u->container_id));
    return {};
  }

  // dockerd's imageDeleteHelper: delete the image, release its layers, maybe prune the parent.
  caf::error delete_image(const std::string& id, bool force, bool prune, bool quiet) {
    if (auto err = conflict(id, force, true)) {
      if (quiet) return {};
      return err;
    }
    const auto* img = scratch.image(id);
    if (!img) return {};
    auto parent = img->parent;
    for (const auto& ref : scratch.references_to(id))
      untag(ref, id);
    // A container still needs the image's layers: with force the image loses its references
    // but stays (dangling) until no container uses it.
    if (first_user(id, -1)) return {};
    remove(id);
    if (!prune || parent.empty()) return {};
    if (!scratch.references_to(parent).empty() || first_user(parent, -1)) return {};
    return delete_image(parent, false, true, true);
  }

  // Removes an image from the scratch index and releases the layers only it used.
  void remove(const std::string& id) {
    const auto* img = scratch.image(id);
    if (!img) return;
    auto chains = img->chain_ids;
    scratch.remove_image(id);
    plan.remove_images.push_back(id);
    plan.events.push_back({"delete", id, id});
    plan.records.push_back({{}, id});
    auto after = scratch.layer_users();
    // Layers this image was the last user of, top-most first (dockerd lists them that way).
    for (auto chain = chains.rbegin(); chain != chains.rend(); ++chain) {
      if (after.count(*chain) || std::find(plan.remove_layers.begin(), plan.remove_layers.end(),
                                           *chain) != plan.remove_layers.end())
        continue;
      if (const auto* l = scratch.layer(*chain)) plan.space_reclaimed += l->size;
      plan.remove_layers.push_back(*chain);
      plan.records.push_back({{}, *chain});
      scratch.remove_layer(*chain);
    }
  }

  // The images left whose parent went: they are stored again without the link.
  void reparent_orphans() {
    std::set<std::string> removed{plan.remove_images.begin(), plan.remove_images.end()};
    for (const auto& [id, img] : scratch.images())
      if (!img.parent.empty() && removed.count(img.parent)) {
        auto copy = img;
        copy.parent.clear();
        plan.reparented.push_back(std::move(copy));
      }
  }
};

bool is_id_reference(std::string_view name, const std::string& id) {
  if (is_full_image_id(name)) return true;
  std::string prefix =
      name.substr(0, 7) == "sha256:" ? std::string(name) : "sha256:" + std::string(name);
  return looks_like_id_prefix(name) && id.rfind(prefix, 0) == 0;
}

} // namespace

caf::expected<delete_plan> plan_image_delete(const image_index& index, std::string_view name,
                                             bool force, bool prune,
                                             const std::vector<image_user>& users) {
  auto found = index.resolve(name);
  if (!found) return found.error();
  planner p{index, users, {}};
  auto id = found->image->id;
  auto refs = p.scratch.references_to(id);
  if (!found->reference.empty() && !is_id_reference(name, id)) {
    // A reference was named: untag it; the image goes only with its last reference.
    const auto* user = p.first_user(id, -1);
    if (user && refs.size() == 1 && !force)
      return make_error(errc::conflict, "conflict: unable to remove repository reference \"" +
                                            std::string(name) + "\" (must force) - container " +
                                            short_id(user->container_id) +
                                            " is using its referenced image " + short_id(id));
    p.untag(found->reference, id);
    // With the last tag of a repository gone, its digest references go too.
    auto removed = parse_normalized(found->reference);
    refs = p.scratch.references_to(id);
    if (removed && removed->digest.empty()) {
      bool tag_left = false;
      for (const auto& r : refs) {
        auto other = parse_normalized(r);
        tag_left = tag_left || (other && other->digest.empty() && other->name() == removed->name());
      }
      if (!tag_left)
        for (const auto& r : refs) {
          auto other = parse_normalized(r);
          if (other && !other->digest.empty() && other->name() == removed->name()) p.untag(r, id);
        }
    }
    if (!p.scratch.references_to(id).empty() || user) return std::move(p.plan);
    if (auto err = p.delete_image(id, force, prune, false)) return err;
    return std::move(p.plan);
  }
  // An ID was named: with references in one repository at most, they all go (unless in use).
  std::set<std::string> repositories;
  for (const auto& r : refs)
    if (auto parsed = parse_normalized(r)) repositories.insert(parsed->name());
  if (repositories.size() <= 1) {
    if (auto err = p.conflict(id, force, false)) return err;
    for (const auto& r : refs)
      p.untag(r, id);
  }
  if (auto err = p.delete_image(id, force, prune, false)) return err;
  return std::move(p.plan);
}

caf::expected<delete_plan> plan_image_prune(const image_index& index, const filter_args& filters,
                                            const std::vector<image_user>& users,
                                            int64_t now_nanos) {
  if (auto err = filters.validate({"dangling", "until", "label", "label!"})) return err;
  auto dangling_only = filters.get_bool_or("dangling", true);
  if (!dangling_only) return dangling_only.error();
  int64_t until = 0;
  for (const auto& u : filters.get("until")) {
    auto t = parse_filter_time(u, now_nanos);
    if (!t) return make_error(errc::invalid_argument, "invalid filter 'until=" + u + "'");
    until = *t;
  }
  planner p{index, users, {}};
  std::vector<std::string> candidates;
  for (const auto& [id, img] : index.images()) {
    if (*dangling_only && !index.references_to(id).empty()) continue;
    if (p.first_user(id, -1)) continue;
    if (until > 0 && img.created_nanos >= until) continue;
    auto labels = img.labels();
    if (!filters.match_kv_list("label", labels)) continue;
    bool excluded = false;
    for (const auto& l : filters.get("label!")) {
      auto eq = l.find('=');
      auto key = l.substr(0, eq);
      auto it = labels.find(key);
      if (it != labels.end() && (eq == std::string::npos || it->second == l.substr(eq + 1)))
        excluded = true;
    }
    if (!excluded) candidates.push_back(id);
  }
  // Children before parents, so that a chain of unused images goes in one prune.
  for (int round = 0; round < 64 && !candidates.empty(); ++round) {
    std::vector<std::string> deferred;
    for (const auto& id : candidates) {
      if (!p.scratch.image(id)) continue;
      if (!p.scratch.children(id).empty()) {
        deferred.push_back(id);
        continue;
      }
      (void)p.delete_image(id, true, false, true);
    }
    if (deferred.size() == candidates.size()) break;
    candidates = std::move(deferred);
  }
  return std::move(p.plan);
}

namespace {

// The `until` of a build cache prune (or its older name `unused-for`), 0 when none.
caf::expected<int64_t> cache_until(const filter_args& filters, int64_t now_nanos) {
  auto until = filters.get("until");
  auto unused_for = filters.get("unused-for");
  if (!until.empty() && !unused_for.empty())
    return make_error(errc::invalid_argument, "conflicting filters: \"until\" and \"unused-for\"");
  auto key = unused_for.empty() ? "until" : "unused-for";
  until.insert(until.end(), unused_for.begin(), unused_for.end());
  if (until.empty()) return int64_t{0};
  if (until.size() > 1) return make_error(errc::invalid_argument, "filters expect only one value");
  auto t = parse_filter_time(until.front(), now_nanos);
  if (!t)
    return make_error(errc::invalid_argument, "\"" + std::string(key) +
                                                  "\" filter expects a duration (e.g., '24h') or "
                                                  "a timestamp");
  return *t;
}

// True when `wanted` is empty or one of its IDs (full, short, with or without "sha256:") is `id`'s.
bool matches_id_prefix(const std::vector<std::string>& wanted, const std::string& id) {
  if (wanted.empty()) return true;
  return std::any_of(wanted.begin(), wanted.end(), [&](const std::string& w) {
    auto prefix = w.starts_with("sha256:") ? w : "sha256:" + w;
    return !w.empty() && id.starts_with(prefix);
  });
}

bool is_build_cache(const image_index& index, const image_record& img, const filter_args& filters,
                    int64_t until) {
  if (!is_build_cache_image(index, img)) return false;
  if (until > 0 && img.created_nanos >= until) return false;
  // Every cache record of the classic builder is a "regular" one in buildkit's terms.
  auto types = filters.get("type");
  if (!types.empty() && std::find(types.begin(), types.end(), "regular") == types.end())
    return false;
  return matches_id_prefix(filters.get("id"), img.id) &&
         matches_id_prefix(filters.get("parent"), img.parent);
}

} // namespace

caf::expected<delete_plan> plan_build_cache_prune(const image_index& index,
                                                  const build_cache_prune_options& options,
                                                  const std::vector<image_user>& users,
                                                  int64_t now_nanos) {
  const auto& filters = options.filters;
  if (auto err = filters.validate({"until", "unused-for", "id", "parent", "type", "description",
                                   "inuse", "shared", "private"}))
    return err;
  auto until = cache_until(filters, now_nanos);
  if (!until) return until.error();
  std::vector<const image_record*> candidates;
  for (const auto& [id, img] : index.images())
    if (is_build_cache(index, img, filters, *until)) candidates.push_back(&img);
  std::sort(candidates.begin(), candidates.end(),
            [](const auto* a, const auto* b) { return a->created_nanos < b->created_nanos; });
  // Removes the candidates oldest first (those in use stay) while `more()` says so.
  auto plan_oldest = [&](auto more) {
    planner p{index, users, {}};
    for (const auto* img : candidates) {
      if (!more(p.plan)) break;
      if (!p.first_user(img->id, -1)) p.remove(img->id);
    }
    p.reparent_orphans();
    std::erase_if(p.plan.records, [&](const delete_record& r) {
      return std::find(p.plan.remove_images.begin(), p.plan.remove_images.end(), r.deleted) ==
             p.plan.remove_images.end();
    });
    return std::move(p.plan);
  };
  auto everything = plan_oldest([](const delete_plan&) { return true; });
  if (options.reserved_space == 0) return everything;
  // Keep the newest cache within the reserved space: drop the oldest images until it fits.
  auto total = everything.space_reclaimed;
  return plan_oldest([&](const delete_plan& plan) {
    return total - plan.space_reclaimed > options.reserved_space;
  });
}

void apply_plan(const delete_plan& plan, image_index& index) {
  for (const auto& r : plan.remove_references)
    index.remove_reference(r);
  for (const auto& id : plan.remove_images)
    index.remove_image(id);
  for (const auto& chain : plan.remove_layers)
    index.remove_layer(chain);
  for (const auto& image : plan.reparented)
    index.put_image(image);
}

} // namespace berth::storage
