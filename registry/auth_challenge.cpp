// WWW-Authenticate parsing.
#include "registry/auth_challenge.hpp"

#include <cctype>

#include "base/ascii.hpp"

namespace berth::registry {

namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

/// A cursor over the header value.
struct scanner {
  std::string_view text;
  size_t pos = 0;

  bool done() const { return pos >= text.size(); }
  void skip_spaces() {
    while (!done() && (text[pos] == ' ' || text[pos] == '\t'))
      ++pos;
  }
  void skip_separators() {
    while (!done() && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == ','))
      ++pos;
  }
  std::string_view token() {
    size_t start = pos;
    while (!done() && is_token_char(text[pos]))
      ++pos;
    return text.substr(start, pos - start);
  }
  /// A quoted-string with backslash escapes (the opening quote is current).
  std::string quoted() {
    std::string out;
    ++pos;
    while (!done() && text[pos] != '"') {
      if (text[pos] == '\\' && pos + 1 < text.size()) ++pos;
      out += text[pos++];
    }
    if (!done()) ++pos;
    return out;
  }
  /// True when a `token=` parameter starts here (rather than a new challenge's scheme).
  bool at_parameter() const {
    size_t p = pos;
    while (p < text.size() && is_token_char(text[p]))
      ++p;
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t'))
      ++p;
    return p < text.size() && text[p] == '=' && p > pos;
  }
};

} // namespace

std::string auth_challenge::param(std::string_view key) const {
  auto it = params.find(std::string(key));
  return it == params.end() ? std::string{} : it->second;
}

std::vector<auth_challenge> parse_www_authenticate(std::string_view value) {
  std::vector<auth_challenge> out;
  scanner s{value};
  s.skip_separators();
  while (!s.done()) {
    auto scheme = s.token();
    if (scheme.empty()) { // junk: skip one character and look for the next challenge
      ++s.pos;
      s.skip_separators();
      continue;
    }
    auth_challenge challenge{ascii_lower(scheme), {}};
    s.skip_spaces();
    while (!s.done()) {
      s.skip_separators();
      if (s.done() || !s.at_parameter()) break;
      auto key = ascii_lower(s.token());
      s.skip_spaces();
      ++s.pos; // '='
      s.skip_spaces();
      std::string v;
      if (!s.done() && s.text[s.pos] == '"') {
        v = s.quoted();
      } else { // a token; leniently anything up to a comma or space (unquoted URLs)
        size_t start = s.pos;
        while (!s.done() && s.text[s.pos] != ',' && s.text[s.pos] != ' ' && s.text[s.pos] != '\t')
          ++s.pos;
        v = std::string(s.text.substr(start, s.pos - start));
      }
      challenge.params.emplace(std::move(key), std::move(v));
      s.skip_spaces();
      if (!s.done() && s.text[s.pos] != ',') { // malformed: skip to the next comma
        while (!s.done() && s.text[s.pos] != ',')
          ++s.pos;
      }
    }
    out.push_back(std::move(challenge));
    s.skip_separators();
  }
  return out;
}

std::vector<auth_challenge> parse_www_authenticate(const std::vector<std::string_view>& values) {
  std::vector<auth_challenge> out;
  for (auto v : values)
    for (auto& c : parse_www_authenticate(v))
      out.push_back(std::move(c));
  return out;
}

} // namespace berth::registry
