// GET /containers/{id}/stats documents in dockerd 28's shape: its field order and omissions
// (Go's omitempty), RFC 3339 times with the zero time for "no sample", so the CLI computes
// CPU %, memory, block and network I/O exactly as it does against dockerd.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "actors/stats_sample.hpp"

namespace berth::api {

/// One document for `sample`; `previous` (the sample before it) fills preread and precpu_stats,
/// which are zero without it (the first document of a stream, one-shot).
[[nodiscard]] nlohmann::ordered_json stats_json(const std::string& id, const std::string& name,
                                                const actors::container_sample& sample,
                                                const actors::container_sample* previous);

/// The document of a container that is not running: name and ID, every figure zero.
[[nodiscard]] nlohmann::ordered_json empty_stats_json(const std::string& id,
                                                      const std::string& name);

/// A document as dockerd's encoder writes it: compact, with a trailing newline.
[[nodiscard]] std::string stats_line(const nlohmann::ordered_json& document);

} // namespace berth::api
