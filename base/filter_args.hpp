// Docker's `filters` query argument: a map of filter name → set of values, with moby's matching
// rules.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace berth {

class filter_args {
 public:
  /// Parses the JSON the clients send: `{"label":{"a=b":true}}` (CLI) or `{"label":["a=b"]}`
  /// (docker-py). The empty string means no filters.
  [[nodiscard]] static caf::expected<filter_args> parse(std::string_view json_text);

  /// Fails with "invalid filter 'x'" for the first name not in `allowed`.
  [[nodiscard]] caf::error validate(std::initializer_list<std::string_view> allowed) const;

  void add(const std::string& name, const std::string& value) { args_[name].insert(value); }

  [[nodiscard]] bool empty() const { return args_.empty(); }
  [[nodiscard]] bool contains(const std::string& name) const { return args_.count(name) > 0; }
  [[nodiscard]] std::vector<std::string> get(const std::string& name) const;

  /// True when `name` is not filtered, or one of its values equals `source`.
  [[nodiscard]] bool exact_match(const std::string& name, std::string_view source) const;

  /// True when `name` is not filtered, or `source` starts with one of its values.
  [[nodiscard]] bool fuzzy_match(const std::string& name, std::string_view source) const;

  /// True when `name` is not filtered, or `source` equals one of its values or contains a match
  /// of it as a regular expression (dockerd's Match, used by name filters).
  [[nodiscard]] bool pattern_match(const std::string& name, std::string_view source) const;

  /// True when `name` is not filtered, or every value ("k" or "k=v") matches `labels`.
  [[nodiscard]] bool match_kv_list(const std::string& name,
                                   const std::map<std::string, std::string>& labels) const;

  /// Reads a boolean filter such as `dangling=true`; errors on other values.
  [[nodiscard]] caf::expected<bool> get_bool_or(const std::string& name, bool fallback) const;

 private:
  std::map<std::string, std::set<std::string>> args_;
};

} // namespace berth
