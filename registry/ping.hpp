// The ping of a registry endpoint (GET /v2/) that tells whether it answers as a registry and how
// it wants requests authorized. Repositories ping before their first request; `docker login`
// pings to learn the challenge its credentials answer.
#pragma once

#include <stop_token>

#include <caf/error.hpp>

#include "registry/authorizer.hpp"
#include "registry/http_client.hpp"
#include "registry/registry_config.hpp"

namespace berth::registry {

/// GET /v2/ on `endpoint`, once (dockerd does not retry pings either). A 2xx answer needs no
/// authorization; a 401's challenge is learned by `auth` (auth.required() is true afterwards).
/// Errors: transport failures, a 401 without a Bearer or Basic challenge (errc::unauthorized),
/// other statuses (response_error).
[[nodiscard]] caf::error ping(http_client& http, const registry_endpoint& endpoint,
                              authorizer& auth, std::stop_token stop = {});

} // namespace berth::registry
