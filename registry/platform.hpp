// Platforms as `--platform` names them ("linux", "linux/amd64", "linux/arm64/v8") and choosing
// an image manifest from an index for one, following containerd's platforms package:
// architecture aliases normalised (x86_64 → amd64, aarch64 → arm64), arm64's v8 variant
// equivalent to none, a wanted platform without variant matching any variant (the default
// one, then none, preferred).
#pragma once

#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "registry/manifest.hpp"

namespace berth::registry {

/// Parses "os[/arch[/variant]]" (an architecture alone, e.g. "arm64", means linux/arm64).
/// Errors (errc::invalid_argument) read like containerd's: "\"x/y/z/w\": unknown operating
/// system or architecture: invalid argument".
[[nodiscard]] caf::expected<platform> parse_platform(std::string_view text);

/// The platform this daemon runs images for: linux and the build's architecture.
[[nodiscard]] platform default_platform();

/// "linux/amd64", "linux/arm64/v8".
[[nodiscard]] std::string format_platform(const platform& p);

/// The normalised form: aliases replaced, default variants applied for comparison.
[[nodiscard]] platform normalize_platform(platform p);

/// True when an index entry for `have` can run where `want` is wanted.
[[nodiscard]] bool platform_matches(const platform& want, const platform& have);

/// The index entry for `want`: errc::not_found "no matching manifest for linux/amd64 in the
/// manifest list entries" when none matches.
[[nodiscard]] caf::expected<descriptor> select_manifest(const manifest& index,
                                                        const platform& want);

} // namespace berth::registry
