// Docker's `local` volume driver, the rules part: volume names and the driver options
// (`type`, `device`, `o`, as for mount(8)), with dockerd's messages. Pure: no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth::storage {

/// dockerd's local volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (two characters at least). Error
/// (invalid_argument): `create x/y: "x/y" includes invalid characters for a local volume name,
/// only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use
/// absolute path`; one character: `create x: volume name is too short, names should be at least
/// two alphanumeric characters`.
[[nodiscard]] caf::error validate_volume_name(const std::string& name);

/// What a volume with options mounts over its _data directory when a container uses it.
struct local_mount {
  std::string type;        ///< "tmpfs", "ext4", "none" (with "bind" in o), ...
  std::string device;      ///< "tmpfs", "/dev/sdb1", "/srv/x"
  unsigned long flags = 0; ///< MS_* from `o`
  std::string data;        ///< the rest of `o` ("size=64m,uid=1000")
  bool operator==(const local_mount&) const = default;
};

/// Checks the options of `docker volume create -o`: only type, device, o (and size, refused:
/// no quota support); type and device go together. Errors as dockerd: `invalid option: "foo"`,
/// `missing required option: "device"`. No options: nullopt (a plain directory).
[[nodiscard]] caf::expected<std::optional<local_mount>>
parse_local_options(const std::map<std::string, std::string>& options);

} // namespace berth::storage
