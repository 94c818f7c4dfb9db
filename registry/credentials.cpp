// X-Registry-Auth and POST /auth decoding.
#include "registry/credentials.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

#include "base/base64.hpp"
#include "base/error.hpp"

namespace berth::registry {

namespace {

caf::error invalid(std::string_view why) {
  return make_error(errc::invalid_argument, "invalid X-Registry-Auth header: " + std::string(why));
}

/// Reads one string field; a non-string value is an error as in Go's encoding/json.
caf::error read_field(const nlohmann::json& object, const char* key, std::string& out) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string())
    return invalid(std::string("invalid JSON: json: cannot unmarshal ") + it->type_name() +
                   " into Go struct field AuthConfig." + key + " of type string");
  out = it->get<std::string>();
  return {};
}

/// Fills username and password from `auth` when the client sent only that.
void split_auth(registry_credentials& c) {
  if (c.auth.empty() || !c.username.empty() || !c.password.empty()) return;
  auto decoded = base64_decode(c.auth);
  if (!decoded) return;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return;
  c.username = decoded->substr(0, colon);
  c.password = decoded->substr(colon + 1);
}

} // namespace

caf::expected<registry_credentials> parse_auth_config(std::string_view json) {
  if (json.size() > max_auth_config_bytes) return invalid("too large");
  std::istringstream in{std::string(json)};
  nlohmann::json doc;
  try {
    in >> doc;
  } catch (const nlohmann::json::exception& e) {
    return invalid(std::string("invalid JSON: ") + e.what());
  }
  in >> std::ws;
  if (!in.eof()) return invalid("multiple JSON documents not allowed");
  if (doc.is_null()) return registry_credentials{};
  if (!doc.is_object())
    return invalid(std::string("invalid JSON: json: cannot unmarshal ") + doc.type_name() +
                   " into Go value of type registry.AuthConfig");
  registry_credentials out;
  for (auto [key, field] : {std::pair{"username", &out.username},
                            {"password", &out.password},
                            {"auth", &out.auth},
                            {"serveraddress", &out.server_address},
                            {"identitytoken", &out.identity_token},
                            {"registrytoken", &out.registry_token}})
    if (auto err = read_field(doc, key, *field)) return err;
  split_auth(out);
  return out;
}

caf::expected<registry_credentials> decode_registry_auth(std::string_view header) {
  if (header.empty()) return registry_credentials{};
  if (header.size() > max_auth_config_bytes) return invalid("too large");
  auto decoded = base64_decode(header);
  if (!decoded) return invalid("must be a valid base64url-encoded string");
  if (*decoded == "{}") return registry_credentials{};
  return parse_auth_config(*decoded);
}

caf::expected<registry_auth_configs> decode_registry_config(std::string_view header) {
  registry_auth_configs out;
  if (header.empty()) return out;
  if (header.size() > max_auth_config_bytes)
    return make_error(errc::invalid_argument, "invalid X-Registry-Config header: too large");
  auto decoded = base64_decode(header);
  if (!decoded)
    return make_error(errc::invalid_argument,
                      "invalid X-Registry-Config header: must be a valid base64url-encoded string");
  auto doc = nlohmann::json::parse(*decoded, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return make_error(errc::invalid_argument,
                      "invalid X-Registry-Config header: expected a JSON object");
  for (const auto& [key, value] : doc.items()) {
    auto credentials = parse_auth_config(value.dump());
    if (!credentials) return credentials.error();
    out.emplace(key, std::move(*credentials));
  }
  return out;
}

std::string encode_registry_auth(const registry_credentials& c) {
  nlohmann::json doc = nlohmann::json::object();
  auto put = [&](const char* key, const std::string& value) {
    if (!value.empty()) doc[key] = value;
  };
  put("username", c.username);
  put("password", c.password);
  put("auth", c.auth);
  put("serveraddress", c.server_address);
  put("identitytoken", c.identity_token);
  put("registrytoken", c.registry_token);
  auto text = doc.dump();
  auto standard = base64_encode(text);
  for (auto& ch : standard) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  return standard;
}

} // namespace berth::registry
