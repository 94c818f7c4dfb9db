// Registry error bodies and their Berth errors.
#include "registry/registry_error.hpp"

#include <nlohmann/json.hpp>

#include "base/ascii.hpp"
#include "base/error.hpp"

namespace berth::registry {

namespace {

std::string status_text(int status) {
  switch (status) {
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 408:
    return "Request Timeout";
  case 413:
    return "Request Entity Too Large";
  case 416:
    return "Requested Range Not Satisfiable";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "";
  }
}

errc kind_of_status(int status) {
  if (status == 401) return errc::unauthorized;
  if (status == 403) return errc::forbidden;
  if (status == 404) return errc::not_found;
  if (status == 408 || status == 429 || status >= 500) return errc::unavailable;
  return errc::invalid_argument;
}

errc kind_of_code(std::string_view code, int status) {
  if (code == "UNAUTHORIZED") return errc::unauthorized;
  if (code == "DENIED") return errc::forbidden;
  if (code.ends_with("_UNKNOWN")) return errc::not_found;
  if (code == "TOOMANYREQUESTS" || code == "UNAVAILABLE") return errc::unavailable;
  if (code == "UNSUPPORTED") return errc::not_implemented;
  return kind_of_status(status);
}

} // namespace

std::vector<registry_error_entry> parse_error_body(std::string_view body) {
  std::vector<registry_error_entry> out;
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return out;
  auto errors = doc.find("errors");
  if (errors == doc.end() || !errors->is_array()) return out;
  for (const auto& e : *errors) {
    if (!e.is_object()) continue;
    registry_error_entry entry;
    if (auto c = e.find("code"); c != e.end() && c->is_string()) entry.code = c->get<std::string>();
    if (auto m = e.find("message"); m != e.end() && m->is_string())
      entry.message = m->get<std::string>();
    if (entry.code.empty() && entry.message.empty()) continue;
    if (entry.code.empty()) entry.code = "UNKNOWN";
    out.push_back(std::move(entry));
    if (out.size() >= 16) break;
  }
  return out;
}

std::string describe(const registry_error_entry& entry) {
  std::string code;
  for (char c : entry.code)
    code += c == '_' ? ' ' : ascii_lower(c);
  if (entry.message.empty()) return code;
  return code + ": " + entry.message;
}

caf::error response_error(const http_response& response) {
  auto entries = parse_error_body(response.body);
  if (!entries.empty())
    return make_error(kind_of_code(entries.front().code, response.status),
                      describe(entries.front()));
  if (response.status == 401)
    return make_error(errc::unauthorized, "unauthorized: authentication required");
  if (response.status == 429)
    return make_error(errc::unavailable, "toomanyrequests: too many requests");
  auto reason = response.reason.empty() ? status_text(response.status) : response.reason;
  return make_error(kind_of_status(response.status),
                    "received unexpected HTTP status: " + std::to_string(response.status) + " " +
                        reason);
}

caf::error translate_pull_error(const caf::error& err, const storage::reference& ref) {
  auto message = error_message(err);
  auto tagged = ref.familiar_string();
  if (message.starts_with("denied"))
    return make_error(errc::not_found, "pull access denied for " + ref.familiar_name() +
                                           ", repository does not exist or may require 'docker "
                                           "login': " +
                                           message);
  if (message.starts_with("manifest unknown"))
    return make_error(errc::not_found, "manifest for " + tagged + " not found: " + message);
  if (message.starts_with("name unknown"))
    return make_error(errc::not_found,
                      "repository " + ref.familiar_name() + " not found: " + message);
  return err;
}

bool is_transient(const caf::error& err) {
  auto kind = error_kind(err);
  return kind == errc::unavailable || kind == errc::timeout;
}

} // namespace berth::registry
