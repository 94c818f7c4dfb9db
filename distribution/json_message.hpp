// Docker's JSON message stream (jsonmessage) as pull and push write it: one JSON object per line
// ("\r\n" terminated, as dockerd's streamformatter writes them) with a status, an id, progress
// (`progressDetail` plus the pre-rendered `progress` bar older clients print), an error
// (`errorDetail` and the deprecated `error`) or out-of-band `aux` data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace berth::distribution {

/// A transfer's position: bytes done of `total` (0 when unknown).
struct progress_detail {
  uint64_t current = 0;
  uint64_t total = 0;
};

/// One message of the stream.
struct json_message {
  std::string id;     ///< a layer's short ID, a tag, or "" for the whole operation
  std::string status; ///< "Downloading", "Pull complete", "Digest: sha256:..."
  /// Set for per-layer updates (possibly empty: `"progressDetail":{}` makes the CLI keep one
  /// line per ID); absent for plain messages ("Pulling from ...", "Status: ...").
  std::optional<progress_detail> progress;
  std::optional<std::string> error;          ///< an error ends the stream
  std::optional<nlohmann::ordered_json> aux; ///< key order kept (dockerd: Tag, Digest, Size)
};

/// The `progress` string dockerd's jsonmessage renders for a 200-column terminal:
/// "[=====>      ]  1.234MB/5.678MB", or just the size when the total is unknown; "" when both
/// are 0.
[[nodiscard]] std::string progress_bar(const progress_detail& p);

/// The message as one line of the stream, ending in "\r\n". Invalid UTF-8 is replaced.
[[nodiscard]] std::string format_json_message(const json_message& m);

} // namespace berth::distribution
