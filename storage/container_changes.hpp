// `docker diff`: what a container changed in its filesystem, read from its overlay upper
// directory against the image's layers. Blocking (walks directories); thread-safe (no state).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace berth::storage {

/// Docker's change kinds (the numbers are the API's `Kind`).
enum class change_kind : uint8_t { modified = 0, added = 1, deleted = 2 };

struct layer_change {
  std::string path; ///< absolute inside the container: "/etc/hostname"
  change_kind kind = change_kind::modified;
  bool operator==(const layer_change&) const = default;
};

/// The changes in `upper` (a container's overlay upper directory) over `lowers` (the image's
/// layer directories, top-most first), in dockerd's order (a depth-first walk, names sorted):
/// overlay whiteouts (character device 0/0) and opaque directories (trusted.overlay.opaque "y")
/// that hide something below are deletions; entries the lower layers show merged as overlayfs
/// merges them (layer_view) are modifications, others are additions. A directory that is only a
/// copied-up parent (is_copied_up_parent, as a commit decides) is not reported by itself. The
/// parent directory of an addition or deletion is reported modified (once) as dockerd does.
/// Nothing is followed: symlinks are entries, lower paths are resolved without symlinks.
[[nodiscard]] caf::expected<std::vector<layer_change>>
container_changes(const std::string& upper, const std::vector<std::string>& lowers);

} // namespace berth::storage
