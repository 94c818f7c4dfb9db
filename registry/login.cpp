// `docker login`: GET /v2/ answered with the credentials.
#include "registry/login.hpp"

#include "base/error.hpp"
#include "registry/authorizer.hpp"
#include "registry/ping.hpp"
#include "registry/registry_error.hpp"

namespace berth::registry {

namespace {

caf::expected<login_result> login_endpoint(http_client& http, const registry_endpoint& endpoint,
                                           const registry_credentials& credentials,
                                           std::stop_token stop) {
  authorizer auth(http, credentials);
  if (auto err = ping(http, endpoint, auth, stop)) return err;
  login_result result;
  if (!auth.required()) return result; // a registry without authentication
  auth.request_offline_token();
  auto authorization = auth.authorization({}, stop);
  if (!authorization) return std::move(authorization.error());
  auto target = endpoint.api("");
  http_request authorized{http_method::get, target};
  if (!authorization->empty()) authorized.headers.push_back({"Authorization", *authorization});
  auto response = http.send(authorized, stop);
  if (!response) return std::move(response.error());
  if (!response->success()) {
    auto kind = response->status == 401 ? errc::unauthorized : errc::unavailable;
    return make_error(kind, "login attempt to " + target.string() + " failed with status: " +
                                std::to_string(response->status) + " " + response->reason);
  }
  result.identity_token = auth.refresh_token();
  return result;
}

} // namespace

caf::expected<login_result> login(http_client& http, const registry_config& config,
                                  std::string_view domain, const registry_credentials& credentials,
                                  std::stop_token stop) {
  auto endpoints = lookup_endpoints(config, domain, endpoint_use::push);
  if (!endpoints) return std::move(endpoints.error());
  caf::error last;
  for (const auto& endpoint : *endpoints) {
    auto result = login_endpoint(http, endpoint, credentials, stop);
    if (result) return result;
    last = std::move(result.error());
    // Wrong credentials are final; an endpoint that cannot be reached falls back to the next.
    if (!is_transient(last)) break;
  }
  return last;
}

} // namespace berth::registry
