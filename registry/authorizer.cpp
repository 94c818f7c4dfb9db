// Basic and bearer-token authorization.
#include "registry/authorizer.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "registry/registry_error.hpp"

namespace berth::registry {

namespace {

/// A token is renewed this long before it expires, so it does not lapse in flight.
constexpr std::chrono::seconds expiry_margin{5};

/// Largest token lifetime honoured (a day), whatever the server says.
constexpr std::chrono::seconds max_token_lifetime{24 * 3600};

std::string scopes_key(std::vector<std::string> scopes) {
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  std::string key;
  for (const auto& s : scopes)
    key += s + " ";
  return key;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(k) + "=" + percent_encode(v);
  }
  return out;
}

} // namespace

caf::expected<token_response> parse_token_response(std::string_view body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object())
    return make_error(errc::unauthorized, "unable to decode token response: not a JSON object");
  token_response out;
  auto text = [&](const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  out.token = text("token");
  if (out.token.empty()) out.token = text("access_token");
  if (out.token.empty())
    return make_error(errc::unauthorized, "authorization server did not include a token in the "
                                          "response");
  out.refresh_token = text("refresh_token");
  if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number()) {
    auto seconds = it->get<double>();
    if (seconds > 0)
      out.expires_in = std::chrono::seconds(
          static_cast<long long>(std::min(seconds, double(max_token_lifetime.count()))));
  }
  out.expires_in = std::max(out.expires_in, min_token_lifetime);
  return out;
}

std::string repository_scope(std::string_view path, bool push) {
  return "repository:" + std::string(path) + (push ? ":pull,push" : ":pull");
}

authorizer::authorizer(http_client& http, registry_credentials credentials)
    : http_(http), credentials_(std::move(credentials)) {}

bool authorizer::learn(const http_response& unauthorized) {
  auto challenges = parse_www_authenticate(unauthorized.headers_named("WWW-Authenticate"));
  std::lock_guard guard{mutex_};
  bool usable = false;
  for (auto& c : challenges) {
    if (c.scheme == "bearer" && !c.param("realm").empty()) {
      bearer_ = std::move(c);
      usable = true;
    } else if (c.scheme == "basic") {
      basic_ = std::move(c);
      usable = true;
    }
  }
  return usable;
}

bool authorizer::required() const {
  std::lock_guard guard{mutex_};
  return bearer_ || basic_;
}

void authorizer::request_offline_token() {
  std::lock_guard guard{mutex_};
  offline_ = true;
}

std::string authorizer::refresh_token() const {
  std::lock_guard guard{mutex_};
  return refresh_token_;
}

void authorizer::invalidate(const std::vector<std::string>& scopes) {
  std::lock_guard guard{mutex_};
  tokens_.erase(scopes_key(scopes));
}

caf::expected<std::string> authorizer::authorization(const std::vector<std::string>& scopes,
                                                     std::stop_token stop) {
  std::optional<auth_challenge> bearer;
  auto key = scopes_key(scopes);
  {
    std::lock_guard guard{mutex_};
    if (!bearer_) {
      if (basic_ && !credentials_.username.empty())
        return basic_authorization(credentials_.username, credentials_.password);
      return std::string{};
    }
    if (!credentials_.registry_token.empty()) return "Bearer " + credentials_.registry_token;
    auto it = tokens_.find(key);
    if (it != tokens_.end() && std::chrono::steady_clock::now() < it->second.expires)
      return "Bearer " + it->second.token;
    bearer = bearer_;
  }
  // Two threads may fetch the same token at once; both results are valid, the last one stays.
  auto token = fetch_token(*bearer, scopes, std::move(stop));
  if (!token) return std::move(token.error());
  std::lock_guard guard{mutex_};
  auto lifetime =
      token->expires_in > 2 * expiry_margin ? token->expires_in - expiry_margin : token->expires_in;
  tokens_[key] = {token->token, std::chrono::steady_clock::now() + lifetime};
  if (!token->refresh_token.empty()) refresh_token_ = token->refresh_token;
  return "Bearer " + token->token;
}

caf::expected<token_response> authorizer::fetch_token(const auth_challenge& bearer,
                                                      const std::vector<std::string>& scopes,
                                                      std::stop_token stop) {
  auto realm = url::parse(bearer.param("realm"));
  if (!realm)
    return make_error(errc::unauthorized,
                      "invalid token realm \"" + bearer.param("realm") + "\" in the challenge");
  auto service = bearer.param("service");
  bool offline;
  {
    std::lock_guard guard{mutex_};
    offline = offline_;
  }
  std::vector<std::string> all_scopes = scopes;
  if (auto extra = bearer.param("scope"); !extra.empty()) all_scopes.push_back(extra);
  std::sort(all_scopes.begin(), all_scopes.end());
  all_scopes.erase(std::unique(all_scopes.begin(), all_scopes.end()), all_scopes.end());

  http_request request;
  request.target = *realm;
  request.follow_redirects = true;
  if (!credentials_.identity_token.empty()) {
    // OAuth2 refresh-token grant (an identity token from an earlier `docker login`).
    std::string scope_list;
    for (const auto& s : all_scopes)
      scope_list += (scope_list.empty() ? "" : " ") + s;
    request.method = http_method::post;
    request.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request.body = form_encode({{"grant_type", "refresh_token"},
                                {"refresh_token", credentials_.identity_token},
                                {"service", service},
                                {"scope", scope_list},
                                {"client_id", "docker"},
                                {"access_type", offline ? "offline" : "online"}});
  } else {
    if (!service.empty()) request.target = request.target.with_query("service", service);
    for (const auto& s : all_scopes)
      request.target = request.target.with_query("scope", s);
    if (!credentials_.username.empty()) {
      request.target = request.target.with_query("account", credentials_.username);
      request.headers.push_back(
          {"Authorization", basic_authorization(credentials_.username, credentials_.password)});
    }
    if (offline) {
      request.target = request.target.with_query("offline_token", "true");
      request.target = request.target.with_query("client_id", "docker");
    }
  }
  auto response = http_.send(request, std::move(stop));
  if (!response) return std::move(response.error());
  if (!response->success()) {
    auto err = response_error(*response);
    auto prefix = std::string(request.method == http_method::post ? "Post" : "Get") + " \"" +
                  realm->string() + "\": ";
    return make_error(error_kind(err).value_or(errc::unauthorized), prefix + error_message(err));
  }
  return parse_token_response(response->body);
}

} // namespace berth::registry
