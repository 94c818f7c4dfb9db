// The order of a container's mounts (oci_mounts.cpp builds its OCI spec's list with it), shared
// with the other places that mount the same binds, e.g. docker cp's view of a stopped container.
#pragma once

#include <cstddef>
#include <string_view>

namespace berth::runtime {

/// How deep a mount's destination is, as dockerd's mount sort counts it: the separators of the
/// cleaned path ("/a" 1, "/a/b/" and "//a/b" 2). Mounting by increasing depth puts parents
/// before their children.
[[nodiscard]] size_t mount_depth(std::string_view destination);

} // namespace berth::runtime
