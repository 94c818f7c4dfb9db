// Decoding a Docker `Config` object without validating it: the create body's top level, or the
// "config" of an image (shared by parse_container_config and merge_image_config).
#pragma once

#include "runtime/container_config.hpp"
#include "runtime/json_fields.hpp"

namespace berth::runtime {

/// Reads every Config field of `fields`' object; type errors are left in `fields`.
[[nodiscard]] container_config decode_config(json_fields& fields);

} // namespace berth::runtime
