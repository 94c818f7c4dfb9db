// Go's filepath.Match, chunk by chunk as Go scans it (so errors and corner cases agree).
#include "dockerfile/go_path_match.hpp"

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"

namespace berth::dockerfile {

namespace {

caf::error syntax_error() {
  return make_error(errc::invalid_argument, "syntax error in pattern");
}

/// Splits off the leading stars and the chunk up to the next star outside a class.
struct chunk_scan {
  bool star = false;
  std::string_view chunk;
  std::string_view rest;
};

chunk_scan scan_chunk(std::string_view pattern) {
  chunk_scan out;
  while (!pattern.empty() && pattern.front() == '*') {
    pattern.remove_prefix(1);
    out.star = true;
  }
  bool in_range = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;
    } else if (c == '[') {
      in_range = true;
    } else if (c == ']') {
      in_range = false;
    } else if (c == '*' && !in_range) {
      break;
    }
  }
  out.chunk = pattern.substr(0, i);
  out.rest = pattern.substr(i);
  return out;
}

/// getEsc: one (possibly escaped) character of a class; the class must go on after it.
caf::expected<char32_t> class_char(std::string_view& chunk) {
  if (chunk.empty() || chunk.front() == '-' || chunk.front() == ']') return syntax_error();
  if (chunk.front() == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return syntax_error();
  }
  auto [r, n] = decode_rune(chunk);
  bool invalid = r == replacement_char && n == 1;
  chunk.remove_prefix(n);
  if (invalid || chunk.empty()) return syntax_error();
  return r;
}

/// matchChunk: matches `chunk` at the start of `s`; on success `s` is left after the match.
/// The whole chunk is always checked for syntax, even after the match failed.
caf::expected<bool> match_chunk(std::string_view chunk, std::string_view& s) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    char c = chunk.front();
    if (c == '[') {
      char32_t r = 0;
      if (!failed) {
        auto [rune, n] = decode_rune(s);
        r = rune;
        s.remove_prefix(n);
      }
      chunk.remove_prefix(1);
      bool negated = false;
      if (!chunk.empty() && chunk.front() == '^') {
        negated = true;
        chunk.remove_prefix(1);
      }
      bool match = false;
      int ranges = 0;
      for (;;) {
        if (!chunk.empty() && chunk.front() == ']' && ranges > 0) {
          chunk.remove_prefix(1);
          break;
        }
        auto lo = class_char(chunk);
        if (!lo) return lo.error();
        char32_t hi = *lo;
        if (chunk.front() == '-') {
          chunk.remove_prefix(1);
          auto h = class_char(chunk);
          if (!h) return h.error();
          hi = *h;
        }
        if (*lo <= r && r <= hi) match = true;
        ++ranges;
      }
      if (match == negated) failed = true;
      continue;
    }
    if (c == '?') {
      if (!failed) {
        if (s.front() == '/') failed = true;
        s.remove_prefix(decode_rune(s).second);
      }
      chunk.remove_prefix(1);
      continue;
    }
    if (c == '\\') {
      chunk.remove_prefix(1);
      if (chunk.empty()) return syntax_error();
    }
    if (!failed) {
      if (chunk.front() != s.front()) failed = true;
      s.remove_prefix(1);
    }
    chunk.remove_prefix(1);
  }
  return !failed;
}

} // namespace

caf::expected<bool> go_path_match(std::string_view pattern, std::string_view name) {
  while (!pattern.empty()) {
    auto scan = scan_chunk(pattern);
    pattern = scan.rest;
    if (scan.star && scan.chunk.empty()) return name.find('/') == std::string_view::npos;
    auto rest = name;
    auto ok = match_chunk(scan.chunk, rest);
    if (ok && *ok && (rest.empty() || !pattern.empty())) {
      name = rest;
      continue;
    }
    if (!ok) return ok.error();
    bool matched_later = false;
    if (scan.star) {
      for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        auto tail = name.substr(i + 1);
        auto later = match_chunk(scan.chunk, tail);
        if (later && *later) {
          if (pattern.empty() && !tail.empty()) continue;
          name = tail;
          matched_later = true;
          break;
        }
        if (!later) return later.error();
      }
    }
    if (matched_later) continue;
    // No match: the rest of the pattern must still be well-formed.
    while (!pattern.empty()) {
      auto next = scan_chunk(pattern);
      pattern = next.rest;
      std::string_view empty;
      if (auto check = match_chunk(next.chunk, empty); !check) return check.error();
    }
    return false;
  }
  return name.empty();
}

bool contains_wildcards(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '\\')
      ++i;
    else if (c == '*' || c == '?' || c == '[')
      return true;
  }
  return false;
}

} // namespace berth::dockerfile
