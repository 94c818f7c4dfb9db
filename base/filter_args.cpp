// Docker's `filters` query argument.
#include "base/filter_args.hpp"

#include <regex>

#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace berth {

caf::expected<filter_args> filter_args::parse(std::string_view json_text) {
  filter_args out;
  if (json_text.empty()) return out;
  auto doc = nlohmann::json::parse(json_text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(errc::invalid_argument,
                      "invalid filter: filters must be a JSON object, got " +
                          std::string(json_text));
  for (const auto& [name, values] : doc.items()) {
    if (values.is_object()) {
      for (const auto& [value, enabled] : values.items()) {
        if (!enabled.is_boolean())
          return make_error(errc::invalid_argument, "invalid filter '" + name + "'");
        if (enabled.get<bool>()) out.args_[name].insert(value);
      }
    } else if (values.is_array()) {
      for (const auto& v : values) {
        if (!v.is_string())
          return make_error(errc::invalid_argument, "invalid filter '" + name + "'");
        out.args_[name].insert(v.get<std::string>());
      }
    } else {
      return make_error(errc::invalid_argument, "invalid filter '" + name + "'");
    }
  }
  return out;
}

caf::error filter_args::validate(std::initializer_list<std::string_view> allowed) const {
  for (const auto& [name, values] : args_) {
    (void)values;
    bool ok = false;
    for (auto a : allowed)
      ok = ok || a == name;
    if (!ok) return make_error(errc::invalid_argument, "invalid filter '" + name + "'");
  }
  return {};
}

std::vector<std::string> filter_args::get(const std::string& name) const {
  auto i = args_.find(name);
  if (i == args_.end()) return {};
  return {i->second.begin(), i->second.end()};
}

bool filter_args::exact_match(const std::string& name, std::string_view source) const {
  auto i = args_.find(name);
  if (i == args_.end()) return true;
  return i->second.count(std::string(source)) > 0;
}

bool filter_args::fuzzy_match(const std::string& name, std::string_view source) const {
  auto i = args_.find(name);
  if (i == args_.end()) return true;
  for (const auto& v : i->second)
    if (source.substr(0, v.size()) == v) return true;
  return false;
}

bool filter_args::pattern_match(const std::string& name, std::string_view source) const {
  auto i = args_.find(name);
  if (i == args_.end()) return true;
  for (const auto& v : i->second) {
    if (source == v) return true;
    try {
      // Go's regexp is RE2; ECMAScript agrees on the patterns people use with filters.
      if (std::regex_search(source.begin(), source.end(), std::regex(v))) return true;
    } catch (const std::regex_error&) {
      // An invalid pattern matches nothing (dockerd's Match ignores it too).
    }
  }
  return false;
}

bool filter_args::match_kv_list(const std::string& name,
                                const std::map<std::string, std::string>& labels) const {
  auto i = args_.find(name);
  if (i == args_.end()) return true;
  for (const auto& v : i->second) {
    auto eq = v.find('=');
    auto key = v.substr(0, eq);
    auto found = labels.find(key);
    if (found == labels.end()) return false;
    if (eq != std::string::npos && found->second != v.substr(eq + 1)) return false;
  }
  return true;
}

caf::expected<bool> filter_args::get_bool_or(const std::string& name, bool fallback) const {
  auto i = args_.find(name);
  if (i == args_.end() || i->second.empty()) return fallback;
  if (i->second.size() > 1)
    return make_error(errc::invalid_argument, "invalid filter '" + name + "': more than one value");
  const auto& v = *i->second.begin();
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return make_error(errc::invalid_argument, "invalid filter '" + name + "=" + v + "'");
}

} // namespace berth
