// A build's private files under <data-root>/builder/<random>: the unpacked context, the layer
// directories COPY/ADD steps write, and read-only mounts of images (COPY --from, --chown names).
// Blocking: every member function runs on the blocking pool. Not thread-safe: one build's steps
// use it one after another.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_source.hpp"
#include "base/fd.hpp"
#include "storage/build_context.hpp"
#include "storage/context_sources.hpp"

namespace berth::actors {

/// What one COPY/ADD step copies.
struct copy_spec {
  std::string instruction;              ///< "COPY" or "ADD"
  std::vector<std::string> sources;     ///< substituted, as written
  std::string dest;                     ///< normalized (absolute)
  std::string chown;                    ///< --chown, "" for root
  bool extract_archives = false;        ///< ADD
  std::vector<std::string> lowers;      ///< the current image's layers, top-most first
  bool from_image = false;              ///< --from: read from `from_lowers`, not the context
  std::vector<std::string> from_lowers; ///< that image's layers, top-most first
};

/// The sources found and their cache checksum.
struct prepared_copy {
  std::vector<storage::context_source> sources;
  std::string checksum; ///< "file:<hex>", "dir:<hex>" or "multi:<hex>"
};

class build_workspace {
 public:
  /// Makes the directory under `root`, unpacks the context from `body` into it and reads the
  /// Dockerfile `dockerfile` (storage::extract_build_context).
  [[nodiscard]] static caf::expected<std::shared_ptr<build_workspace>>
  open(const std::string& root, byte_source& body, const std::string& dockerfile);

  ~build_workspace();
  build_workspace(const build_workspace&) = delete;
  build_workspace& operator=(const build_workspace&) = delete;

  storage::build_context context;

  /// Resolves the sources (in the context, or in the --from image's files) and checksums them.
  [[nodiscard]] caf::expected<prepared_copy> prepare_copy(const copy_spec& spec);

  /// Writes the step's files into a fresh directory and returns its path (the layer's upper
  /// directory for the images manager).
  [[nodiscard]] caf::expected<std::string> write_copy(const copy_spec& spec,
                                                      const prepared_copy& prepared);

  /// Unmounts and removes everything; idempotent.
  void remove();

 private:
  explicit build_workspace(std::string dir) : dir_(std::move(dir)) {}

  /// A directory holding the files of the image with `lowers` (a layer directory itself, an
  /// empty directory, or a read-only overlay mount made here once per distinct `lowers` and
  /// kept until remove()).
  [[nodiscard]] caf::expected<std::string> image_root(const std::vector<std::string>& lowers);
  /// Where a COPY reads from: the context, or (--from) the image's root, opened into `holder`.
  [[nodiscard]] caf::expected<int> source_root(const copy_spec& spec, unique_fd& holder);
  [[nodiscard]] std::string fresh_dir(const std::string& what);

  std::string dir_;
  unique_fd context_fd_;
  std::map<std::vector<std::string>, std::string> roots_; ///< image_root's, by layer list
  size_t counter_ = 0;
};

} // namespace berth::actors
