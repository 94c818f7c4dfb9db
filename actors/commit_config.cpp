// docker commit's image configuration.
#include "actors/commit_config.hpp"

#include "dockerfile/config_changes.hpp"
#include "runtime/config_decoding.hpp"

namespace berth::actors {

caf::expected<nlohmann::json>
commit_image_config(const runtime::container_config& container,
                    const std::optional<runtime::container_config>& requested,
                    const std::vector<std::string>& changes) {
  auto changed = runtime::to_json(requested ? *requested : container);
  if (auto err = dockerfile::apply_changes(changed, changes)) return err;
  runtime::json_fields fields{&changed, "Config", ""};
  auto config = runtime::decode_config(fields);
  if (!fields.ok()) return fields.error();
  runtime::merge_image_config(config, runtime::to_json(container));
  return runtime::to_json(config);
}

std::string commit_created_by(const runtime::container_config& container) {
  std::string out;
  if (!container.cmd) return out;
  for (size_t i = 0; i < container.cmd->size(); ++i)
    out += (i ? " " : "") + (*container.cmd)[i];
  return out;
}

} // namespace berth::actors
