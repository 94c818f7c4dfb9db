// dockerd's image deletion and prune rules as plans.
#include "storage/image_delete.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "base/time.hpp"
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
    auto ref = parse_normalized(reference);
    auto shown = ref ? ref->familiar_string() : reference;
    plan.records.push_back({shown, {}});
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
    if (!prune || parent.empty()) return {};
    if (!scratch.references_to(parent).empty() || first_user(parent, -1)) return {};
    return delete_image(parent, false, true, true);
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
    auto t = parse_api_timestamp(u);
    if (!t) return make_error(errc::invalid_argument, "invalid filter 'until=" + u + "'");
    until = *t;
  }
  (void)now_nanos;
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

void apply_plan(const delete_plan& plan, image_index& index) {
  for (const auto& r : plan.remove_references)
    index.remove_reference(r);
  for (const auto& id : plan.remove_images)
    index.remove_image(id);
  for (const auto& chain : plan.remove_layers)
    index.remove_layer(chain);
}

} // namespace berth::storage
