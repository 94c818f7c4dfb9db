// A volume as the daemon keeps it (kind "volume" in the state store), what a container asks of
// the volumes, and a volume's Docker API rendering.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <nlohmann/json.hpp>

namespace berth::actors {

struct volume_record {
  std::string name;
  std::string driver = "local";
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> options;
  int64_t created = 0;         ///< unix ns
  bool anonymous = false;      ///< made for a container (random name): `rm -v` removes it
  std::set<std::string> users; ///< the containers that reference it
};

[[nodiscard]] std::string to_state_json(const volume_record& v);
[[nodiscard]] caf::expected<volume_record> volume_from_state_json(const std::string& text);

/// GET /volumes/{name}: Name, Driver, Mountpoint, CreatedAt, Labels, Options, Scope (and
/// UsageData when `size` >= 0, as /system/df shows it).
[[nodiscard]] nlohmann::json volume_json(const volume_record& v, const std::string& mountpoint,
                                         int64_t size = -1);

/// A volume a container needs: by name (created when missing), or anonymous (name "").
struct volume_claim {
  std::string name;
  std::string driver = "local";
  std::map<std::string, std::string> options; ///< --mount volume-opt
  std::map<std::string, std::string> labels;  ///< --mount volume-label
};

struct volume_usage {
  volume_record record;
  int64_t size = 0;
};

struct volume_prune_result {
  std::vector<std::string> deleted;
  uint64_t space_reclaimed = 0;
};

} // namespace berth::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::volume_record)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::actors::volume_record>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::volume_claim)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::actors::volume_claim>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<berth::actors::volume_usage>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::actors::volume_prune_result)
