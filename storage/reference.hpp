// Image references as Docker parses them: "busybox", "localhost:5000/a/b:t", "name@sha256:...".
//
// Follows github.com/distribution/reference v0.6 (ParseNormalizedNamed, ParseAnyReference,
// TagNameOnly, FamiliarName/FamiliarString) and go-digest v1.0.0, with Docker's error texts.
// Trust: the input is untrusted user text. It is bounded (max_reference_length) before scanning,
// scanned by hand in linear time without recursion, and fuzzed (tests/fuzz/reference_fuzz.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth::storage {

/// Longest reference text accepted before scanning (Docker has no such limit; nothing sensible
/// comes near it).
inline constexpr size_t max_reference_length = 4096;

/// Longest repository path, e.g. "library/busybox" (the domain is not counted, as in Docker).
inline constexpr size_t max_path_length = 255;

/// Longest tag.
inline constexpr size_t max_tag_length = 128;

/// Docker Hub's domain, which the familiar form leaves out.
inline constexpr std::string_view default_domain = "docker.io";

/// The tag `with_default_tag` adds.
inline constexpr std::string_view default_tag = "latest";

/// A parsed image reference: `[domain/]path[:tag][@digest]`, or a bare digest (no name).
struct reference {
  /// Registry host with optional port: "docker.io", "localhost:5000", "[::1]:5000". Empty for a
  /// bare digest, and for the rare name whose first component is neither a domain nor Docker Hub's
  /// (e.g. "foo_bar.com/x", which Docker keeps as a domain-less path).
  std::string domain;
  /// Repository path within the registry: "library/busybox", "me/bb". Empty for a bare digest.
  std::string path;
  /// Tag, or empty when there is none.
  std::string tag;
  /// Digest "algorithm:hex", or empty when there is none.
  std::string digest;

  /// True unless this is a bare digest from `parse_any`.
  [[nodiscard]] bool has_name() const { return !path.empty(); }

  /// The full repository name: "docker.io/library/busybox" (empty for a bare digest).
  [[nodiscard]] std::string name() const;

  /// The canonical text: name[:tag][@digest], e.g. "docker.io/library/busybox:latest".
  [[nodiscard]] std::string string() const;

  /// The name as the docker CLI shows it: "busybox", "me/bb", "localhost:5000/a/b".
  [[nodiscard]] std::string familiar_name() const;

  /// The text as the docker CLI shows it: familiar_name[:tag][@digest], e.g. "busybox:latest".
  [[nodiscard]] std::string familiar_string() const;

  friend bool operator==(const reference&, const reference&) = default;
};

/// Parses like Docker's ParseNormalizedNamed: "busybox" → docker.io/library/busybox (no tag is
/// added), "index.docker.io/x" → docker.io/library/x, "localhost/x" stays on localhost.
/// Errors (all errc::invalid_argument) carry Docker's wording, e.g. "invalid reference format".
[[nodiscard]] caf::expected<reference> parse_normalized(std::string_view text);

/// `text` as the docker CLI shows it (its `familiar_string`, e.g.
/// "docker.io/library/busybox:latest" → "busybox:latest") when it parses like `parse_normalized`;
/// else `text` unchanged.
[[nodiscard]] std::string familiar_text(std::string_view text);

/// Parses like Docker's ParseAnyReference: a 64-hex ID or a valid digest gives a bare digest
/// reference ("sha256:<hex>", no name); anything else goes through `parse_normalized`.
[[nodiscard]] caf::expected<reference> parse_any(std::string_view text);

/// Like Docker's TagNameOnly: adds the tag "latest" when there is neither tag nor digest.
[[nodiscard]] reference with_default_tag(reference ref);

/// Docker's httputils.RepoTagReference (the repo= and tag= of POST /commit): "" when `repo` is
/// empty; else `repo` parsed like `parse_normalized`, a digest refused ("cannot import digest
/// reference"), `tag` put in place of any tag `repo` has ("invalid tag format" when it is not one),
/// or "latest" when there is neither. Returns the normalized reference text.
[[nodiscard]] caf::expected<std::string> repo_tag_reference(std::string_view repo,
                                                            std::string_view tag);

/// Validates a tag on its own ("1.36", "latest"): `[\w][\w.-]{0,127}`.
/// Fails with "invalid tag format".
[[nodiscard]] caf::error validate_tag(std::string_view tag);

/// Validates a digest "algorithm:hex" like go-digest's Parse: sha256, sha384 and sha512 with
/// 64/96/128 lowercase hex digits. Fails with "invalid checksum digest format",
/// "invalid checksum digest length" or "unsupported digest algorithm".
[[nodiscard]] caf::error validate_digest(std::string_view digest);

/// True for a full image ID: 64 lowercase hex digits, or "sha256:" and 64 lowercase hex digits.
[[nodiscard]] bool is_full_image_id(std::string_view text);

/// True when text could be an image ID or a prefix of one: 1 to 64 lowercase hex digits,
/// optionally after "sha256:".
[[nodiscard]] bool looks_like_id_prefix(std::string_view text);

} // namespace berth::storage
