// GET /v2/ and its challenge.
#include "registry/ping.hpp"

#include "base/error.hpp"
#include "registry/registry_error.hpp"

namespace berth::registry {

caf::error ping(http_client& http, const registry_endpoint& endpoint, authorizer& auth,
                std::stop_token stop) {
  auto response = http.send(http_request{http_method::get, endpoint.api("")}, stop);
  if (!response) return std::move(response.error());
  if (response->status == 401) {
    if (!auth.learn(*response))
      return make_error(errc::unauthorized, "unauthorized: the registry asks for an "
                                            "authentication scheme Berth does not support");
    return {};
  }
  if (!response->success()) return response_error(*response);
  return {};
}

} // namespace berth::registry
