// The build cache's records (see build_cache.hpp).
#include "storage/build_cache.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace berth::storage {

namespace {

std::string step_of(const image_record& image) {
  auto history = image.config.find("history");
  if (history == image.config.end() || !history->is_array() || history->empty()) return {};
  const auto& last = history->back();
  return last.is_object() ? last.value("created_by", std::string{}) : std::string{};
}

} // namespace

bool is_build_cache_image(const image_index& index, const image_record& image) {
  return !image.parent.empty() && index.references_to(image.id).empty();
}

std::vector<build_cache_record> build_cache_records(const image_index& index) {
  std::vector<const image_record*> cache;
  for (const auto& [id, image] : index.images())
    if (is_build_cache_image(index, image)) cache.push_back(&image);
  std::sort(cache.begin(), cache.end(),
            [](const auto* a, const auto* b) { return a->created_nanos < b->created_nanos; });
  auto users = index.layer_users();
  std::map<std::string, int> cache_users;
  for (const auto* image : cache)
    for (const auto& chain : image->chain_ids)
      ++cache_users[chain];
  std::set<std::string> counted;
  std::vector<build_cache_record> out;
  for (const auto* image : cache) {
    build_cache_record r{image->id, image->parent, step_of(*image), 0, image->created_nanos};
    if (!image->chain_ids.empty()) {
      const auto& top = image->chain_ids.back();
      const auto* layer = index.layer(top);
      if (layer && users[top] == cache_users[top] && counted.insert(top).second)
        r.size = layer->size;
    }
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace berth::storage
