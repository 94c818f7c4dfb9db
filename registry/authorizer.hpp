// Authorization for one registry endpoint: the challenge learned from a 401 (usually the ping's
// GET /v2/), then Basic credentials or the token flow of the distribution spec: GET
// <realm>?service=<service>&scope=<scope>... with Basic credentials when there are any
// (anonymous otherwise), or an OAuth2 refresh-token POST when the client holds an identity
// token. Tokens (`token` or `access_token`) are cached per scope set until they expire.
// Thread-safety: thread-safe (parallel downloads of one pull share it). Credentials and tokens
// are never logged.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "registry/auth_challenge.hpp"
#include "registry/credentials.hpp"
#include "registry/http_client.hpp"

namespace berth::registry {

/// Shortest token lifetime assumed, as the distribution client does (60 s).
inline constexpr std::chrono::seconds min_token_lifetime{60};

/// A token server's answer.
struct token_response {
  std::string token;         ///< `token`, or `access_token` when `token` is absent
  std::string refresh_token; ///< returned to `docker login` as its identity token
  std::chrono::seconds expires_in{min_token_lifetime};
};

/// Parses a token server's JSON body. Fails (errc::unauthorized) when it holds no token.
[[nodiscard]] caf::expected<token_response> parse_token_response(std::string_view body);

/// "repository:<path>:pull" or "repository:<path>:pull,push".
[[nodiscard]] std::string repository_scope(std::string_view path, bool push);

class authorizer {
 public:
  authorizer(http_client& http, registry_credentials credentials);

  /// Learns the challenges of a 401 response. Returns false when it has none this authorizer
  /// can answer (no Bearer or Basic challenge).
  bool learn(const http_response& unauthorized);

  /// True once a challenge was learned (the registry wants authorization).
  [[nodiscard]] bool required() const;

  /// The Authorization header value for a request needing `scopes`, "" when none is needed.
  /// Fetches a token when needed (blocking). Errors from the token server carry its message.
  [[nodiscard]] caf::expected<std::string> authorization(const std::vector<std::string>& scopes,
                                                         std::stop_token stop = {});

  /// Forgets the cached token for `scopes` (the registry refused it).
  void invalidate(const std::vector<std::string>& scopes);

  /// Asks for an offline (refresh) token on the next token fetch, as `docker login` does.
  void request_offline_token();

  /// The refresh token a token server issued, if any (login's IdentityToken).
  [[nodiscard]] std::string refresh_token() const;

 private:
  struct cached_token {
    std::string token;
    std::chrono::steady_clock::time_point expires;
  };

  caf::expected<token_response> fetch_token(const auth_challenge& bearer,
                                            const std::vector<std::string>& scopes,
                                            std::stop_token stop);

  http_client& http_;
  registry_credentials credentials_;
  mutable std::mutex mutex_;
  std::optional<auth_challenge> bearer_;
  std::optional<auth_challenge> basic_;
  std::map<std::string, cached_token> tokens_;
  std::string refresh_token_;
  bool offline_ = false;
};

} // namespace berth::registry
