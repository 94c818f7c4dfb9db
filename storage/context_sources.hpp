// COPY and ADD sources in a build context (or in a stage's or image's root filesystem for
// COPY --from): resolving them as dockerd does, opening them without ever leaving the root, and
// the checksums the build cache compares.
//
// A source is a path relative to the root ("/" and "./" in front are dropped) or a Go
// filepath.Match pattern matched against every path in the root. A path that leaves the root
// lexically is refused ("forbidden path outside the build context: ../x ()"); symlinks on the way
// are followed as if the root were "/" (openat2 RESOLVE_IN_ROOT), so a link to /etc/passwd in the
// context names <root>/etc/passwd, never the host's. To copy a directory source, open it with
// open_in_root(root, path, O_RDONLY | O_DIRECTORY) and walk below it with openat(O_NOFOLLOW):
// symlinks inside are copied as symlinks, as dockerd's CopyWithTar does. Blocking (file system
// access).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth::storage {

/// One resolved source.
struct context_source {
  /// The source's path relative to the root as dockerd names it: what was written without a
  /// leading "/" or "./", or for a wildcard the matching path. Its last component is the name a
  /// copied file keeps (a symlink's own name, not its target's).
  std::string path;
  bool is_dir = false; ///< after following symlinks: a directory's contents are copied
};

/// Where the sources live: the build context, or a root file system (COPY --from), which only
/// changes the "not found" message.
enum class source_root { context, image };

/// dockerd's createCopyInstruction for local sources: every source resolved in order
/// (wildcards expand in lexical walk order), then checked against `dest`. Errors, prefixed
/// "<INSTRUCTION> failed: " like dockerd's:
///  - "file not found in build context or excluded by .dockerignore: stat <path>: file does not
///    exist" (for source_root::image: "stat <path>: file does not exist");
///  - "forbidden path outside the build context: <path> ()";
///  - "no source files were specified" (e.g. a wildcard matching nothing);
///  - "source can't be a URL for COPY"; for ADD a URL is refused (this builder has no network);
/// and without the prefix: "When using COPY with more than one source file, the destination must
/// be a directory and end with a /".
[[nodiscard]] caf::expected<std::vector<context_source>>
resolve_sources(int root_fd, std::string_view instruction, const std::vector<std::string>& sources,
                std::string_view dest, source_root kind = source_root::context);

/// Opens `path` (relative to the root; "" or "." is the root) with `flags` (O_PATH, O_RDONLY,
/// O_DIRECTORY...), resolving symlinks inside the root. Fails like resolve_sources for a path
/// leaving the root, with the system error otherwise.
[[nodiscard]] caf::expected<unique_fd> open_in_root(int root_fd, std::string_view path, int flags);

/// The cache checksum of one source: "file:<sha256 hex>" for a file, "dir:<sha256 hex>" for a
/// directory (everything below it, symlinks not followed). It covers the source's path, and
/// for every entry its relative name, type, permission bits (with setuid/setgid/sticky),
/// owner, size, contents and symlink target; not times or extended attributes.
[[nodiscard]] caf::expected<std::string> source_checksum(int root_fd, const context_source& source);

/// dockerd's combination for the history and the cache: the checksum itself when there is one,
/// "multi:<sha256 hex of them joined by ','>" for several.
[[nodiscard]] std::string combined_checksum(const std::vector<std::string>& checksums);

/// Whether `path`, joined to a root and cleaned, ends up outside it ("../x", "a/../../x"), as
/// dockerd's filepath.Join check sees it.
[[nodiscard]] bool leaves_root(std::string_view path);

/// dockerd's message for such a path: "forbidden path outside the build context: <path> ()".
[[nodiscard]] caf::error forbidden_path(std::string_view path);

/// Whether `source` is a URL dockerd would download (http:// or https://).
[[nodiscard]] bool is_url_source(std::string_view source);

} // namespace berth::storage
