// Go-style decoding of JSON object fields for Docker's API types.
#include "runtime/json_fields.hpp"

#include <cctype>
#include <limits>

#include "base/error.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (std::tolower(x) != std::tolower(y)) return false;
  }
  return true;
}

} // namespace

std::string go_json_kind(const json& value) {
  switch (value.type()) {
  case json::value_t::string:
    return "string";
  case json::value_t::boolean:
    return "bool";
  case json::value_t::array:
    return "array";
  case json::value_t::object:
    return "object";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned:
  case json::value_t::number_float:
    return "number";
  default:
    return "null";
  }
}

json_fields::json_fields(const json* object, std::string go_struct, std::string path)
    : go_struct_(std::move(go_struct)), path_(std::move(path)) {
  if (object == nullptr || object->is_null()) return;
  if (!object->is_object()) {
    auto where = path_.empty() ? "Go value of type container." + go_struct_
                               : "Go struct field " + go_struct_ + "." + path_ + " of type " +
                                     "container." + go_struct_;
    error_ = make_error(errc::invalid_argument, "invalid JSON: json: cannot unmarshal " +
                                                    go_json_kind(*object) + " into " + where);
    return;
  }
  object_ = object;
}

std::string json_fields::field_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const json* json_fields::find(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  const json* found = nullptr;
  if (auto it = object_->find(std::string(key)); it != object_->end()) {
    found = &*it;
  } else {
    // Go's encoding/json falls back to a case-insensitive match.
    for (auto i = object_->begin(); i != object_->end(); ++i) {
      if (iequals(i.key(), key)) {
        found = &i.value();
        break;
      }
    }
  }
  if (found == nullptr || found->is_null()) return nullptr;
  return found;
}

void json_fields::fail(std::string_view key, const json& value, std::string_view go_type) {
  if (error_) return;
  auto kind = go_json_kind(value);
  if (value.is_number()) kind += " " + value.dump();
  error_ = make_error(errc::invalid_argument,
                      "invalid JSON: json: cannot unmarshal " + kind + " into Go struct field " +
                          go_struct_ + "." + field_path(key) + " of type " + std::string(go_type));
}

void json_fields::read(std::string_view key, std::string& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_string()) return fail(key, *v, "string");
  out = v->get<std::string>();
}

void json_fields::read(std::string_view key, bool& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) return fail(key, *v, "bool");
  out = v->get<bool>();
}

template <class Int>
bool json_fields::read_integer(std::string_view key, Int& out, std::string_view go_type) {
  if (error_) return false;
  auto* v = find(key);
  if (v == nullptr) return false;
  if (v->is_number_integer() && !v->is_number_unsigned()) {
    auto x = v->get<int64_t>();
    if (x < static_cast<int64_t>(std::numeric_limits<Int>::min()) ||
        (x > 0 && static_cast<uint64_t>(x) > std::numeric_limits<Int>::max())) {
      fail(key, *v, go_type);
      return false;
    }
    out = static_cast<Int>(x);
    return true;
  }
  if (v->is_number_unsigned()) {
    auto x = v->get<uint64_t>();
    if (x > static_cast<uint64_t>(std::numeric_limits<Int>::max())) {
      fail(key, *v, go_type);
      return false;
    }
    out = static_cast<Int>(x);
    return true;
  }
  fail(key, *v, go_type);
  return false;
}

void json_fields::read(std::string_view key, int64_t& out) {
  read_integer(key, out, "int64");
}

void json_fields::read(std::string_view key, int& out) {
  read_integer(key, out, "int");
}

void json_fields::read(std::string_view key, uint16_t& out) {
  read_integer(key, out, "uint16");
}

void json_fields::read(std::string_view key, uint32_t& out, std::string_view go_type) {
  read_integer(key, out, go_type);
}

void json_fields::read(std::string_view key, std::optional<int64_t>& out) {
  int64_t x = 0;
  if (read_integer(key, x, "int64")) out = x;
}

void json_fields::read(std::string_view key, std::optional<int>& out) {
  int x = 0;
  if (read_integer(key, x, "int")) out = x;
}

void json_fields::read(std::string_view key, std::optional<bool>& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_boolean()) return fail(key, *v, "bool");
  out = v->get<bool>();
}

void json_fields::read(std::string_view key, std::vector<std::string>& out) {
  std::optional<std::vector<std::string>> list;
  read(key, list);
  if (list) out = std::move(*list);
}

void json_fields::read(std::string_view key, std::optional<std::vector<std::string>>& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_array()) return fail(key, *v, "[]string");
  std::vector<std::string> list;
  for (const auto& item : *v) {
    if (item.is_null()) {
      list.emplace_back(); // Go decodes null into "" for a string element
      continue;
    }
    if (!item.is_string()) return fail(key, item, "string");
    list.push_back(item.get<std::string>());
  }
  out = std::move(list);
}

void json_fields::read_strslice(std::string_view key,
                                std::optional<std::vector<std::string>>& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (v->is_string()) {
    out = std::vector<std::string>{v->get<std::string>()};
    return;
  }
  if (!v->is_array()) return fail(key, *v, "strslice.StrSlice");
  read(key, out);
}

void json_fields::read(std::string_view key, std::map<std::string, std::string>& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_object()) return fail(key, *v, "map[string]string");
  std::map<std::string, std::string> map;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it.value().is_null()) {
      map[it.key()];
      continue;
    }
    if (!it.value().is_string()) return fail(key, it.value(), "string");
    map[it.key()] = it.value().get<std::string>();
  }
  out = std::move(map);
}

void json_fields::read_keys(std::string_view key, std::set<std::string>& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_object()) return fail(key, *v, "map[string]struct {}");
  std::set<std::string> keys;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_null() && !it.value().is_object()) return fail(key, it.value(), "struct {}");
    keys.insert(it.key());
  }
  out = std::move(keys);
}

void json_fields::read_objects(std::string_view key, std::vector<json>& out) {
  if (error_) return;
  auto* v = find(key);
  if (v == nullptr) return;
  if (!v->is_array()) return fail(key, *v, "[]object");
  std::vector<json> list;
  for (const auto& item : *v) {
    if (item.is_null()) continue;
    if (!item.is_object()) return fail(key, item, "object");
    list.push_back(item);
  }
  out = std::move(list);
}

json_fields json_fields::nested(std::string_view key, std::string go_struct) {
  const json* v = error_ ? nullptr : find(key);
  if (v != nullptr && !v->is_object()) {
    fail(key, *v, go_struct);
    v = nullptr;
  }
  json_fields sub{v, std::move(go_struct), field_path(key)};
  if (error_) sub.error_ = error_;
  return sub;
}

} // namespace berth::runtime
