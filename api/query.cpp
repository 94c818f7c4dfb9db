// Query strings.
#include "api/query.hpp"

#include <cctype>
#include <charconv>

#include "base/error.hpp"

namespace berth::api {

namespace {

// A flag's value without spaces, in lower case.
std::string flag_word(const std::string& v) {
  std::string s;
  for (char c : v)
    if (!std::isspace(static_cast<unsigned char>(c)))
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool false_word(const std::string& s) {
  return s.empty() || s == "0" || s == "no" || s == "false" || s == "none";
}

} // namespace

caf::expected<query_params> query_params::parse(std::string_view raw) {
  query_params out;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    auto part = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    auto key = percent_decode(part.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>{""}
                                              : percent_decode(part.substr(eq + 1), true);
    if (!key || !value) return make_error(errc::invalid_argument, "malformed query string");
    out.values_.emplace(std::move(*key), std::move(*value));
  }
  return out;
}

std::string query_params::get(const std::string& key, const std::string& fallback) const {
  auto i = values_.find(key);
  return i == values_.end() ? fallback : i->second;
}

std::vector<std::string> query_params::all(const std::string& key) const {
  std::vector<std::string> out;
  auto [first, last] = values_.equal_range(key);
  for (auto i = first; i != last; ++i)
    out.push_back(i->second);
  return out;
}

bool query_params::flag(const std::string& key) const {
  return !false_word(flag_word(get(key)));
}

caf::expected<bool> query_params::strict_flag(const std::string& key, bool fallback) const {
  if (!has(key)) return fallback;
  auto s = flag_word(get(key));
  if (false_word(s) || s == "f") return false;
  if (s == "1" || s == "t" || s == "true" || s == "yes") return true;
  return make_error(errc::invalid_argument,
                    "invalid value for " + key + ": " + get(key) + " is not a boolean");
}

caf::expected<int64_t> query_params::integer(const std::string& key, int64_t fallback) const {
  if (!has(key)) return fallback;
  auto v = get(key);
  if (v.empty()) return fallback;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size())
    return make_error(errc::invalid_argument,
                      "invalid value for " + key + ": " + v + " is not an integer");
  return n;
}

} // namespace berth::api
