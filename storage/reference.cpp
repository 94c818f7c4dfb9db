// Image references: a hand-written scanner for distribution/reference's grammar.
//
// Grammar (distribution/reference):
//   reference        := name [":" tag] ["@" digest]
//   name             := [domain "/"] path
//   domain           := host [":" port]     host := domain-name | "[" ipv6 "]"
//   domain-name      := domain-component ("." domain-component)*
//   domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
//   path             := path-component ("/" path-component)*
//   path-component   := [a-z0-9]+ (separator [a-z0-9]+)*    separator := [._] | "__" | "-"+
//   tag              := [\w][\w.-]{0,127}
//   digest           := algorithm ":" [0-9a-fA-F]{32,}
//   algorithm        := [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)*
// Docker's regexp prefers reading the first component as a domain and falls back to reading the
// whole name as a path, so the scanner tries the two in that order.
#include "storage/reference.hpp"

#include <algorithm>
#include <optional>

#include "base/error.hpp"

namespace berth::storage {

namespace {

constexpr std::string_view legacy_default_domain = "index.docker.io";
constexpr std::string_view official_repo_prefix = "library/";
constexpr std::string_view localhost = "localhost";
constexpr std::string_view id_algorithm_prefix = "sha256:";
constexpr size_t id_length = 64;
constexpr size_t min_reference_digest_hex = 32;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alpha(char c) {
  return is_lower(c) || is_upper(c);
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
bool is_lower_alnum(char c) {
  return is_lower(c) || is_digit(c);
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_lower_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}

template <class Predicate>
bool all_of(std::string_view text, Predicate predicate) {
  return std::all_of(text.begin(), text.end(), predicate);
}

bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), is_upper);
}

std::string to_lower(std::string_view text) {
  std::string out{text};
  for (char& c : out)
    if (is_upper(c)) c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// Calls `check` on each piece of `text` between separators `sep`; true when all pass.
template <class Check>
bool all_pieces(std::string_view text, char sep, Check check) {
  while (true) {
    auto end = text.find(sep);
    if (!check(text.substr(0, end))) return false;
    if (end == std::string_view::npos) return true;
    text.remove_prefix(end + 1);
  }
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [._] | "__" | "-"+
bool is_path_component(std::string_view text) {
  size_t i = 0;
  while (true) {
    size_t run = i;
    while (i < text.size() && is_lower_alnum(text[i]))
      ++i;
    if (i == run) return false;
    if (i == text.size()) return true;
    if (text[i] == '.') {
      ++i;
    } else if (text[i] == '_') {
      ++i;
      if (i < text.size() && text[i] == '_') ++i;
    } else if (text[i] == '-') {
      while (i < text.size() && text[i] == '-')
        ++i;
    } else {
      return false;
    }
  }
}

bool is_path(std::string_view text) {
  return all_pieces(text, '/', is_path_component);
}

bool is_domain_component(std::string_view text) {
  return !text.empty() && text.front() != '-' && text.back() != '-' &&
         all_of(text, [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_port(std::string_view text) {
  return !text.empty() && all_of(text, is_digit);
}

/// host [":" port], host := domain-name | "[" [a-fA-F0-9:]+ "]".
bool is_domain(std::string_view text) {
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    auto address = text.substr(1, close - 1);
    if (address.empty() || !all_of(address, [](char c) { return is_hex(c) || c == ':'; }))
      return false;
    rest = text.substr(close + 1);
  } else {
    auto colon = text.find(':');
    if (!all_pieces(text.substr(0, colon), '.', is_domain_component)) return false;
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  return rest.empty() || (rest.front() == ':' && is_port(rest.substr(1)));
}

bool is_tag(std::string_view text) {
  return !text.empty() && text.size() <= max_tag_length && is_word(text.front()) &&
         all_of(text, [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

/// True when text is words joined by single characters from `separators`, each word a `first`
/// character followed by `rest` characters (the shape of digest algorithms, e.g. "sha256+b64").
template <class First, class Rest>
bool is_joined_words(std::string_view text, First first, Rest rest, std::string_view separators) {
  size_t i = 0;
  while (true) {
    if (i == text.size() || !first(text[i])) return false;
    ++i;
    while (i < text.size() && rest(text[i]))
      ++i;
    if (i == text.size()) return true;
    if (separators.find(text[i]) == std::string_view::npos) return false;
    ++i;
  }
}

/// The digest syntax a reference accepts before go-digest checks it:
/// [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}
bool is_reference_digest(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  auto hex = text.substr(colon + 1);
  return is_joined_words(text.substr(0, colon), is_alpha, is_alnum, "-_+.") &&
         hex.size() >= min_reference_digest_hex && all_of(hex, is_hex);
}

/// go-digest's DigestRegexpAnchored: [a-z0-9]+([.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+
bool is_go_digest_syntax(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return false;
  auto encoded = text.substr(colon + 1);
  return is_joined_words(text.substr(0, colon), is_lower_alnum, is_lower_alnum, ".+_-") &&
         !encoded.empty() &&
         all_of(encoded, [](char c) { return is_alnum(c) || c == '=' || c == '_' || c == '-'; });
}

/// The pieces of a reference that matched the grammar, as views into the scanned text.
struct reference_parts {
  std::string_view domain;
  std::string_view path;
  std::string_view tag;
  std::string_view digest;
};

/// path [":" tag] ["@" digest], with no domain.
std::optional<reference_parts> match_without_domain(std::string_view text) {
  // A path holds neither ':' nor '@', and a tag holds no '@', so the pieces split unambiguously.
  reference_parts parts;
  auto name_end = text.find_first_of(":@");
  parts.path = text.substr(0, name_end);
  if (!is_path(parts.path)) return std::nullopt;
  auto rest = name_end == std::string_view::npos ? std::string_view{} : text.substr(name_end);
  if (!rest.empty() && rest.front() == ':') {
    auto at = rest.find('@');
    parts.tag = rest.substr(1, at == std::string_view::npos ? at : at - 1);
    if (!is_tag(parts.tag)) return std::nullopt;
    rest = at == std::string_view::npos ? std::string_view{} : rest.substr(at);
  }
  if (!rest.empty()) { // rest.front() is '@'
    parts.digest = rest.substr(1);
    if (!is_reference_digest(parts.digest)) return std::nullopt;
  }
  return parts;
}

/// The whole grammar, preferring to read the first component as a domain (as Docker's regexp).
std::optional<reference_parts> match_reference(std::string_view text) {
  auto slash = text.find('/');
  if (slash != std::string_view::npos && is_domain(text.substr(0, slash))) {
    if (auto parts = match_without_domain(text.substr(slash + 1))) {
      parts->domain = text.substr(0, slash);
      return parts;
    }
  }
  return match_without_domain(text);
}

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error invalid_format() {
  return invalid("invalid reference format");
}

caf::error too_long() {
  return invalid("invalid reference format: longer than " + std::to_string(max_reference_length) +
                 " characters");
}

/// distribution/reference's Parse, for the canonical text `parse_normalized` builds.
caf::expected<reference> parse_canonical(std::string_view text) {
  auto parts = match_reference(text);
  if (!parts) {
    // Docker's hint: the text would be valid in lowercase, so the name has uppercase letters.
    auto lower = to_lower(text);
    if (lower != text && match_reference(lower))
      return invalid("repository name must be lowercase");
    return invalid_format();
  }
  if (parts->path.size() > max_path_length)
    return invalid("repository name must not be more than " + std::to_string(max_path_length) +
                   " characters");
  if (!parts->digest.empty())
    if (auto err = validate_digest(parts->digest)) return err;
  return reference{std::string{parts->domain}, std::string{parts->path}, std::string{parts->tag},
                   std::string{parts->digest}};
}

/// A name split into its registry and the rest ("path[:tag][@digest]"), the way Docker's
/// splitDockerDomain does it before the grammar is checked.
struct domain_split {
  std::string_view domain;
  std::string remainder;
};

domain_split split_docker_domain(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) // "ubuntu[:tag]": an official image on Docker Hub
    return {default_domain, std::string{official_repo_prefix} + std::string{text}};
  auto first = text.substr(0, slash);
  domain_split split;
  if (first == legacy_default_domain)
    split = {default_domain, std::string{text.substr(slash + 1)}};
  else if (first == localhost || first.find_first_of(".:") != std::string_view::npos ||
           has_upper(first)) // uppercase is never a path, so Docker reads it as a host name
    split = {first, std::string{text.substr(slash + 1)}};
  else
    split = {default_domain, std::string{text}};
  if (split.domain == default_domain && split.remainder.find('/') == std::string::npos)
    split.remainder.insert(0, official_repo_prefix);
  return split;
}

bool is_identifier(std::string_view text) {
  return text.size() == id_length && all_of(text, is_lower_hex);
}

/// name[:tag][@digest], or the digest alone for a reference without a name.
std::string with_tag_and_digest(std::string name, const reference& ref) {
  if (!ref.has_name()) return ref.digest;
  if (!ref.tag.empty()) name.append(":").append(ref.tag);
  if (!ref.digest.empty()) name.append("@").append(ref.digest);
  return name;
}

} // namespace

std::string reference::name() const {
  if (domain.empty()) return path;
  return domain + "/" + path;
}

std::string reference::familiar_name() const {
  if (domain != default_domain) return name();
  std::string_view familiar = path;
  if (familiar.starts_with(official_repo_prefix) &&
      familiar.find('/', official_repo_prefix.size()) == std::string_view::npos)
    familiar.remove_prefix(official_repo_prefix.size());
  return std::string{familiar};
}

std::string reference::string() const {
  return with_tag_and_digest(name(), *this);
}

std::string reference::familiar_string() const {
  return with_tag_and_digest(familiar_name(), *this);
}

caf::expected<reference> parse_normalized(std::string_view text) {
  if (text.size() > max_reference_length) return too_long();
  if (is_identifier(text))
    return invalid("invalid repository name (" + std::string{text} +
                   "), cannot specify 64-byte hexadecimal strings");
  auto split = split_docker_domain(text);
  auto remote = std::string_view{split.remainder}.substr(0, split.remainder.find(':'));
  if (has_upper(remote))
    return invalid("invalid reference format: repository name (" + std::string{remote} +
                   ") must be lowercase");
  std::string canonical{split.domain};
  canonical.append("/").append(split.remainder);
  return parse_canonical(canonical);
}

std::string familiar_text(std::string_view text) {
  auto ref = parse_normalized(text);
  return ref ? ref->familiar_string() : std::string{text};
}

caf::expected<reference> parse_any(std::string_view text) {
  if (text.size() > max_reference_length) return too_long();
  if (is_identifier(text))
    return reference{.digest = std::string{id_algorithm_prefix}.append(text)};
  if (!validate_digest(text)) return reference{.digest = std::string{text}};
  return parse_normalized(text);
}

reference with_default_tag(reference ref) {
  if (ref.has_name() && ref.tag.empty() && ref.digest.empty()) ref.tag = default_tag;
  return ref;
}

caf::expected<std::string> repo_tag_reference(std::string_view repo, std::string_view tag) {
  if (repo.empty()) return std::string{};
  auto ref = parse_normalized(repo);
  if (!ref) return ref.error();
  if (!ref->digest.empty()) return invalid("cannot import digest reference");
  if (!tag.empty()) {
    if (auto err = validate_tag(tag)) return err;
    ref->tag = std::string(tag);
  }
  return with_default_tag(*ref).string();
}

caf::error validate_tag(std::string_view tag) {
  if (is_tag(tag)) return {};
  return invalid("invalid tag format");
}

caf::error validate_digest(std::string_view digest) {
  auto colon = digest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == digest.size())
    return invalid("invalid checksum digest format");
  auto algorithm = digest.substr(0, colon);
  auto encoded = digest.substr(colon + 1);
  size_t hex_length = algorithm == "sha256"   ? 64
                      : algorithm == "sha384" ? 96
                      : algorithm == "sha512" ? 128
                                              : 0;
  if (hex_length == 0)
    return invalid(is_go_digest_syntax(digest) ? "unsupported digest algorithm"
                                               : "invalid checksum digest format");
  if (encoded.size() != hex_length) return invalid("invalid checksum digest length");
  if (!all_of(encoded, is_lower_hex)) return invalid("invalid checksum digest format");
  return {};
}

bool is_full_image_id(std::string_view text) {
  if (text.starts_with(id_algorithm_prefix)) text.remove_prefix(id_algorithm_prefix.size());
  return is_identifier(text);
}

bool looks_like_id_prefix(std::string_view text) {
  if (text.starts_with(id_algorithm_prefix)) text.remove_prefix(id_algorithm_prefix.size());
  return !text.empty() && text.size() <= id_length && all_of(text, is_lower_hex);
}

} // namespace berth::storage
