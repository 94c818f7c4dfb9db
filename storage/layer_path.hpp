// Lexical rules for names inside a layer tar: cleaning entry names, splitting, symlink breakout.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include <caf/expected.hpp>

namespace berth::storage {

/// The longest entry or link name accepted from an archive (Linux's PATH_MAX).
inline constexpr size_t max_entry_name = 4096;

/// Cleans an entry name from an archive into a path relative to the layer root: leading "/" and
/// "./" are dropped, "a//b" and "a/./b" become "a/b", a trailing "/" is dropped. Returns "" for the
/// root itself; ".." is resolved lexically like Go's filepath.Clean in dockerd ("a/../b" is "b").
/// Refuses empty names, NUL bytes, names longer than `max_entry_name` and a ".." that climbs above
/// the root ("../x", "a/../../x"). The writer still resolves the result inside the root.
[[nodiscard]] caf::expected<std::string> clean_entry_name(std::string_view raw);

/// Splits a cleaned, non-empty name into its directory ("" at the root) and its last component.
[[nodiscard]] std::pair<std::string_view, std::string_view> split_entry_name(std::string_view name);

/// The cleaned name `name` below the cleaned directory `dir` ("" for the root): "dir/name".
[[nodiscard]] std::string join_entry_name(std::string_view dir, std::string_view name);

/// Returns whether a symlink at `link_name` (cleaned) whose target is `target` points outside the
/// layer root when read lexically from the link's directory. Absolute targets never escape: they
/// are resolved inside the container's root.
[[nodiscard]] bool symlink_escapes(std::string_view link_name, std::string_view target);

} // namespace berth::storage
