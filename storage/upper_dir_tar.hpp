// A container's overlay upper directory as a layer tar in Docker's format (docker commit, and
// each RUN step of a build): what the container added or changed, with overlayfs' deletion
// markers turned into the OCI/AUFS whiteouts image layers carry. Blocking (walks directories);
// thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <sys/stat.h>
#include <vector>

#include <caf/expected.hpp>

#include "base/byte_sink.hpp"

namespace berth::storage {

/// What a conversion wrote.
struct upper_tar_result {
  uint64_t entries = 0; ///< tar entries; 0 means the container changed nothing (an empty layer)
};

/// Paths (relative to the root) that the runtime creates in every container as mount targets and
/// that dockerd keeps in a container's separate init layer, so they never reach a commit:
/// etc/hosts, etc/hostname, etc/resolv.conf, etc/mtab, proc, sys, dev/pts, dev/shm, dev/console,
/// .dockerenv. Whatever the upper directory holds at these paths is left out, with its contents.
[[nodiscard]] const std::set<std::string>& runtime_mount_targets();

/// Whether the directory `rel` of an upper directory, neither opaque nor inside an opaque one,
/// with `st`, is no change by itself but only there for what is inside it: overlayfs copied it
/// up from `below` (the merged lower layers' entry at `rel`: a directory with the same mode and
/// owner) to change something inside, or it is a parent of runtime_mount_targets() (etc, dev)
/// that dockerd keeps in a container's init layer when the image has none. A commit writes such
/// a directory only with a change inside it, and docker diff reports it only as the parent of one.
[[nodiscard]] bool is_copied_up_parent(const std::string& rel, const struct stat& st,
                                       const std::optional<struct stat>& below);

/// Writes the upper directory `upper` of a container's overlay mount as a layer tar to `out`.
/// `lowers` are the layer directories below it (its image, top-most first), read as overlayfs
/// merges them (whiteouts, opaque directories).
///
/// Entries (names relative, directories ending in "/", in a depth-first walk with sorted names):
/// - an overlay whiteout (character device 0/0) becomes an empty regular file ".wh.<name>"
///   (mode 0600, the whiteout's owner and time), never a device;
/// - an opaque directory (trusted.overlay.opaque "y") is written, followed by an empty
///   "<dir>/.wh..wh..opq" (the directory's permissions and owner);
/// - a directory that exists below with the same type, mode and owner and that is neither opaque
///   nor inside an opaque one is only written when something inside it is: overlayfs copies
///   directories up for their children, and one whose children all went (or are runtime mount
///   targets) is no change;
/// - regular files (with their security.capability attribute), symlinks, hard links within the
///   upper directory, devices and FIFOs as they are; sockets are skipped;
/// - runtime_mount_targets() are left out.
/// Nothing is followed: every entry is opened relative to its parent's descriptor with O_NOFOLLOW.
/// A file that changes while it is read (a running container not paused) is cut or padded to the
/// size it had when listed. Assumes the overlay mount uses neither redirect_dir nor metacopy (the
/// daemon enables neither), so the upper directory holds whole files and directories.
[[nodiscard]] caf::expected<upper_tar_result>
write_upper_dir_tar(const std::string& upper, const std::vector<std::string>& lowers,
                    byte_sink& out);

} // namespace berth::storage
