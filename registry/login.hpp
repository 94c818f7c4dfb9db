// `docker login` (POST /auth): validating credentials against a registry.
#pragma once

#include <stop_token>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "registry/credentials.hpp"
#include "registry/http_client.hpp"
#include "registry/registry_config.hpp"

namespace berth::registry {

/// Validates credentials like `docker login`: GET /v2/ on the registry's endpoints (no
/// mirrors), answering its challenge with the credentials (a token fetched with offline_token
/// for Bearer registries). Fails with errc::unauthorized "login attempt to <url> failed with
/// status: 401 Unauthorized" or the token server's message.
struct login_result {
  std::string status = "Login Succeeded";
  std::string identity_token; ///< a refresh token the token server issued, if any
};

[[nodiscard]] caf::expected<login_result> login(http_client& http, const registry_config& config,
                                                std::string_view domain,
                                                const registry_credentials& credentials,
                                                std::stop_token stop = {});

} // namespace berth::registry
