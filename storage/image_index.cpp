// The in-memory index of images, references and layers.
#include "storage/image_index.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "storage/digest.hpp"
#include "storage/reference.hpp"

namespace berth::storage {

void image_index::put_image(image_record image) {
  auto id = image.id;
  images_[id] = std::move(image);
}

void image_index::remove_image(const std::string& id) {
  images_.erase(id);
  for (const auto& ref : references_to(id))
    remove_reference(ref);
}

const image_record* image_index::image(const std::string& id) const {
  auto i = images_.find(id);
  return i == images_.end() ? nullptr : &i->second;
}

void image_index::set_reference(const std::string& reference, const std::string& image_id) {
  remove_reference(reference);
  refs_[reference] = image_id;
  refs_by_image_.emplace(image_id, reference);
}

void image_index::remove_reference(const std::string& reference) {
  auto i = refs_.find(reference);
  if (i == refs_.end()) return;
  auto [first, last] = refs_by_image_.equal_range(i->second);
  for (auto j = first; j != last; ++j) {
    if (j->second == reference) {
      refs_by_image_.erase(j);
      break;
    }
  }
  refs_.erase(i);
}

std::string image_index::reference_target(const std::string& reference) const {
  auto i = refs_.find(reference);
  return i == refs_.end() ? std::string{} : i->second;
}

std::vector<std::string> image_index::references_to(const std::string& image_id) const {
  std::vector<std::string> out;
  auto [first, last] = refs_by_image_.equal_range(image_id);
  for (auto j = first; j != last; ++j)
    out.push_back(j->second);
  std::sort(out.begin(), out.end());
  return out;
}

void image_index::put_layer(layer_record layer) {
  auto id = layer.chain_id;
  layers_[id] = std::move(layer);
}

void image_index::remove_layer(const std::string& chain_id) {
  layers_.erase(chain_id);
}

const layer_record* image_index::layer(const std::string& chain_id) const {
  auto i = layers_.find(chain_id);
  return i == layers_.end() ? nullptr : &i->second;
}

std::map<std::string, int> image_index::layer_users() const {
  std::map<std::string, int> out;
  for (const auto& [id, img] : images_)
    for (const auto& chain : img.chain_ids)
      ++out[chain];
  return out;
}

uint64_t image_index::image_size(const image_record& image) const {
  uint64_t total = 0;
  for (const auto& chain : image.chain_ids)
    if (const auto* l = layer(chain)) total += l->size;
  return total;
}

std::vector<std::string> image_index::children(const std::string& id) const {
  std::vector<std::string> out;
  for (const auto& [child, img] : images_)
    if (img.parent == id) out.push_back(child);
  return out;
}

caf::expected<resolved_image> image_index::resolve(std::string_view name) const {
  if (is_full_image_id(name)) {
    std::string id =
        name.substr(0, 7) == "sha256:" ? std::string(name) : "sha256:" + std::string(name);
    if (const auto* img = image(id)) return resolved_image{img, {}};
    return no_such_image(name);
  }
  auto ref = parse_normalized(name);
  if (ref) {
    auto full = with_default_tag(*ref).string();
    auto target = reference_target(full);
    if (!target.empty()) {
      if (const auto* img = image(target)) return resolved_image{img, full};
    }
  }
  if (looks_like_id_prefix(name)) {
    std::string prefix =
        name.substr(0, 7) == "sha256:" ? std::string(name) : "sha256:" + std::string(name);
    const image_record* found = nullptr;
    size_t matches = 0;
    for (auto i = images_.lower_bound(prefix); i != images_.end() && i->first.rfind(prefix, 0) == 0;
         ++i) {
      found = &i->second;
      ++matches;
    }
    if (matches == 1) return resolved_image{found, {}};
    if (matches > 1)
      return make_error(errc::invalid_argument, "image ID prefix " + std::string(name) +
                                                    " is ambiguous: it matches " +
                                                    std::to_string(matches) + " images");
  }
  if (!ref) return ref.error();
  return no_such_image(name);
}

std::set<std::string> image_index::referenced_blobs() const {
  std::set<std::string> out;
  for (const auto& [id, img] : images_) {
    out.insert(id);
    if (!img.manifest_digest.empty()) out.insert(img.manifest_digest);
  }
  for (const auto& [chain, l] : layers_)
    if (!l.blob_digest.empty()) out.insert(l.blob_digest);
  return out;
}

caf::error no_such_image(std::string_view name) {
  std::string shown{name};
  if (auto ref = parse_normalized(name)) shown = with_default_tag(*ref).familiar_string();
  return make_error(errc::not_found, "No such image: " + shown);
}

std::string short_id(std::string_view id) {
  auto hex = digest_hex(id);
  return std::string(hex.substr(0, 12));
}

} // namespace berth::storage
