// Which volumes a new container gets, as dockerd's registerMountPoints decides: the mounts of
// --volumes-from containers first, then -v and --mount (which win at the same destination), then
// an anonymous volume for every image or Config.Volumes path nothing else is mounted on.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/error.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"

namespace berth::actors {

/// A volume (or a bind inherited through --volumes-from) of a container, beyond what
/// HostConfig.Binds and HostConfig.Mounts say directly.
struct container_volume {
  std::string type = "volume"; ///< "volume", or "bind" (inherited)
  std::string name;            ///< the volume's name ("" until the volumes manager named it)
  std::string source;          ///< a bind's host path
  std::string destination;
  bool read_only = false;
  bool copy_data = true; ///< copy the image's content into an empty volume (not with nocopy)
  std::string mode;      ///< the -v mode text ("ro", "z", ...), as inspect shows it
  std::string driver = "local";
  std::map<std::string, std::string> options; ///< --mount volume-opt (new volumes only)
  std::map<std::string, std::string> labels;  ///< --mount volume-label (new volumes only)
  bool operator==(const container_volume&) const = default;
};

/// One --volumes-from entry with what that container has.
struct inherited_mounts {
  std::string mode;                      ///< "", "ro" or "rw"
  std::vector<container_volume> volumes; ///< its volumes and inherited binds
  runtime::host_config host;             ///< its Binds and Mounts (binds are inherited too)
};

/// Parses a --volumes-from entry ("c1", "c1:ro", "c1:rw") into container and mode. Error
/// "invalid mode for volumes-from: x".
[[nodiscard]] caf::expected<std::pair<std::string, std::string>>
parse_volumes_from(const std::string& entry);

/// The container's volumes in mount order. Errors: "Duplicate mount point: /d".
[[nodiscard]] caf::expected<std::vector<container_volume>>
volumes_for_create(const runtime::host_config& host, const runtime::container_config& config,
                   const std::vector<inherited_mounts>& from);

/// -v binds whose source does not exist yet are created (dockerd does so; --mount refuses).
/// Blocking.
[[nodiscard]] caf::error create_bind_sources(const runtime::host_config& host);

[[nodiscard]] nlohmann::json to_json(const container_volume& v);
[[nodiscard]] container_volume container_volume_from_json(const nlohmann::json& j);

/// Container inspect's "Mounts": binds, volumes and tmpfs mounts as dockerd lists them.
[[nodiscard]] nlohmann::json mounts_json(const runtime::host_config& host,
                                         const std::vector<container_volume>& volumes,
                                         const std::string& volumes_root);

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::container_volume)
