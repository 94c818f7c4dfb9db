// The in-memory index of images, references and layers that the images manager owns: lookup by
// name or ID prefix with dockerd's rules, references per image, layer usage. Pure data: no I/O,
// no locking (one owner).
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "storage/image_record.hpp"
#include "storage/layer_store.hpp"

namespace berth::storage {

/// The outcome of looking an image up by what the user typed.
struct resolved_image {
  const image_record* image = nullptr;
  std::string reference; ///< normalized reference that matched ("" when matched by ID)
};

class image_index {
 public:
  // -- images --------------------------------------------------------------------------------
  void put_image(image_record image);
  void remove_image(const std::string& id);
  [[nodiscard]] const image_record* image(const std::string& id) const;
  [[nodiscard]] const std::map<std::string, image_record>& images() const { return images_; }

  // -- references ("docker.io/library/busybox:latest", "...@sha256:...") ----------------------
  void set_reference(const std::string& reference, const std::string& image_id);
  void remove_reference(const std::string& reference);
  /// The image a normalized reference points at, or "".
  [[nodiscard]] std::string reference_target(const std::string& reference) const;
  /// Normalized references to `image_id`, sorted.
  [[nodiscard]] std::vector<std::string> references_to(const std::string& image_id) const;
  [[nodiscard]] const std::map<std::string, std::string>& references() const { return refs_; }

  // -- layers ----------------------------------------------------------------------------------
  void put_layer(layer_record layer);
  void remove_layer(const std::string& chain_id);
  [[nodiscard]] const layer_record* layer(const std::string& chain_id) const;
  [[nodiscard]] const std::map<std::string, layer_record>& layers() const { return layers_; }

  /// How many images use each chain ID (a layer used by no image may be removed).
  [[nodiscard]] std::map<std::string, int> layer_users() const;

  /// Sum of the layer sizes of an image.
  [[nodiscard]] uint64_t image_size(const image_record& image) const;

  /// Images whose parent is `id`.
  [[nodiscard]] std::vector<std::string> children(const std::string& id) const;

  // -- lookup ----------------------------------------------------------------------------------
  /// dockerd's lookup: a full ID; else a reference (":latest" implied); else a unique ID prefix.
  /// Fails with 404 "No such image: x", 400 for an invalid reference or an ambiguous prefix.
  [[nodiscard]] caf::expected<resolved_image> resolve(std::string_view name) const;

  /// Every blob an image or layer needs (config, layer blobs): what garbage collection keeps.
  [[nodiscard]] std::set<std::string> referenced_blobs() const;

 private:
  std::map<std::string, image_record> images_;
  std::map<std::string, std::string> refs_;
  std::multimap<std::string, std::string> refs_by_image_;
  std::map<std::string, layer_record> layers_;
};

/// "No such image: busybox:latest" (the tag added like dockerd when the name has none).
[[nodiscard]] caf::error no_such_image(std::string_view name);

/// The 12-character short form of an ID ("sha256:" stripped).
[[nodiscard]] std::string short_id(std::string_view id);

} // namespace berth::storage
