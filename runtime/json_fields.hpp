// Reading Docker API objects the way Go's encoding/json fills dockerd's structs: keys match
// exactly or else case-insensitively, null (or absent) leaves the zero value, and a value of the
// wrong type is refused with Go's wording ("json: cannot unmarshal string into Go struct field
// HostConfig.HostConfig.Memory of type int64").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <nlohmann/json.hpp>

namespace berth::runtime {

/// Reads the fields of one JSON object; remembers the first error and ignores reads after it.
class json_fields {
 public:
  /// `object` may be null or absent (every field then reads as absent); any other non-object is an
  /// error. `go_struct` is the Go type holding the fields ("HostConfig") and `path` the dotted
  /// field path of the object from the request root ("HostConfig"; "" at the root).
  json_fields(const nlohmann::json* object, std::string go_struct, std::string path);

  /// The field's value, or nullptr when it is absent or null.
  [[nodiscard]] const nlohmann::json* find(std::string_view key) const;

  /// The first error met so far (none: a default `caf::error`).
  [[nodiscard]] const caf::error& error() const { return error_; }
  [[nodiscard]] bool ok() const { return !error_; }

  void read(std::string_view key, std::string& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, int64_t& out);
  void read(std::string_view key, int& out);
  void read(std::string_view key, uint16_t& out);
  void read(std::string_view key, uint32_t& out, std::string_view go_type = "uint32");
  void read(std::string_view key, std::optional<int64_t>& out);
  void read(std::string_view key, std::optional<int>& out);
  void read(std::string_view key, std::optional<bool>& out);
  /// A []string (null = empty).
  void read(std::string_view key, std::vector<std::string>& out);
  /// A []string where null and [] differ (null = nullopt).
  void read(std::string_view key, std::optional<std::vector<std::string>>& out);
  /// A strslice.StrSlice: a list of strings or one string (null = nullopt).
  void read_strslice(std::string_view key, std::optional<std::vector<std::string>>& out);
  /// A map[string]string (null = empty).
  void read(std::string_view key, std::map<std::string, std::string>& out);
  /// The keys of a map[string]struct{} ({"80/tcp": {}}).
  void read_keys(std::string_view key, std::set<std::string>& out);
  /// A list of objects kept as JSON (null entries dropped).
  void read_objects(std::string_view key, std::vector<nlohmann::json>& out);

  /// The fields of the nested object `key` (of Go type `go_struct`).
  [[nodiscard]] json_fields nested(std::string_view key, std::string go_struct);

  /// Takes over the first error of `other` (a nested or element reader) if this has none.
  void absorb(const json_fields& other) {
    if (!error_ && other.error_) error_ = other.error_;
  }

  /// Records a type error for `key` (e.g. from a caller's own decoding).
  void fail(std::string_view key, const nlohmann::json& value, std::string_view go_type);

  /// The dotted path of `key` inside this object, for messages.
  [[nodiscard]] std::string field_path(std::string_view key) const;

 private:
  template <class Int>
  bool read_integer(std::string_view key, Int& out, std::string_view go_type);

  const nlohmann::json* object_ = nullptr;
  std::string go_struct_;
  std::string path_;
  caf::error error_;
};

/// Go's name for the kind of a JSON value in unmarshal errors: "string", "number", "bool",
/// "array", "object".
[[nodiscard]] std::string go_json_kind(const nlohmann::json& value);

} // namespace berth::runtime
