// Unpacked layers under <data-root>/overlay2, one directory per chain ID, shared by every image
// and container that uses the layer. Directory layout follows dockerd's overlay2 driver:
//   <cache-id>/diff   the layer's files          <cache-id>/link   its short name
//   l/<short>         symlink to ../<cache-id>/diff (short paths keep mount options small)
// Records (which chain ID lives in which directory) are owned by the images manager and
// persisted in the state store; this class only does the filesystem work. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth::storage {

/// A stored layer.
struct layer_record {
  std::string chain_id;    ///< identity (with everything below)
  std::string diff_id;     ///< sha256 of the uncompressed layer tar
  std::string parent;      ///< chain ID of the layer below, "" for a base layer
  std::string cache_id;    ///< directory name under overlay2/
  std::string link_id;     ///< short name under overlay2/l/
  uint64_t size = 0;       ///< bytes of file content
  std::string blob_digest; ///< the layer tar as stored in the content store
  std::string media_type;  ///< of that blob (tar, tar+gzip, tar+zstd)
  uint64_t tar_size = 0;   ///< uncompressed tar size (for save)
};

class layer_store {
 public:
  /// Opens (creating) the store under `root`.
  [[nodiscard]] static caf::expected<std::unique_ptr<layer_store>> open(const std::string& root);

  /// Makes a fresh layer directory for `chain_id`, lets `fill` put the layer's files into the
  /// diff directory it is given (returning the content size), flushes the filesystem and returns
  /// the record. On failure the directory is removed.
  [[nodiscard]] caf::expected<layer_record>
  create(const std::string& chain_id, const std::string& diff_id, const std::string& parent,
         const std::function<caf::expected<uint64_t>(const std::string& diff_dir)>& fill) const;

  /// The diff directory of a layer.
  [[nodiscard]] std::string diff_dir(const layer_record& layer) const;

  /// The short lower-dir path of a layer ("<root>/l/<short>").
  [[nodiscard]] std::string link_path(const layer_record& layer) const;

  /// Removes a layer's directory and link.
  [[nodiscard]] caf::error remove(const layer_record& layer) const;

  /// Removes directories and links not in `known_cache_ids` (left by a crash).
  [[nodiscard]] size_t remove_orphans(const std::set<std::string>& known_cache_ids) const;

  /// Bytes used by a directory tree (for reporting).
  [[nodiscard]] static uint64_t disk_usage(const std::string& dir);

  [[nodiscard]] const std::string& root() const { return root_; }

 private:
  explicit layer_store(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

} // namespace berth::storage
