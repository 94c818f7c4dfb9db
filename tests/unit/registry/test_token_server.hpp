// A token server for the registry's token authentication, run by the tests: it signs RS256
// JWTs with an openssl-made key whose self-signed certificate is the registry's root bundle, so
// the real docker-registry verifies them. Users: alice/secret; anonymous users may pull
// repositories under "public/". Offline logins get the refresh token "refresh-alice".
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include "base/base64.hpp"
#include "test_http_server.hpp"
#include "test_registry.hpp"

namespace berth::registry::testing {

inline std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

/// key → values of a query string or form body.
inline std::multimap<std::string, std::string> parse_form(std::string_view text) {
  std::multimap<std::string, std::string> out;
  while (!text.empty()) {
    auto amp = text.find('&');
    auto pair = text.substr(0, amp);
    auto eq = pair.find('=');
    out.emplace(percent_decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

class test_token_server {
 public:
  static constexpr const char* service = "berth-test-service";
  static constexpr const char* issuer = "berth-test-issuer";

  explicit test_token_server(const temp_dir& dir)
      : key_(dir / "token-key.pem"), cert_(dir / "token-cert.pem"),
        server_([this](const test_request& r) { return handle(r); }) {
    run_checked({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=berth token signer", "-keyout", key_, "-out", cert_});
    auto der = dir / "token-cert.der";
    run_checked({"openssl", "x509", "-in", cert_, "-outform", "DER", "-out", der});
    x5c_ = base64_encode(read_file(der));
  }

  /// The auth: section of the registry's config.
  std::string registry_yaml() const {
    return "auth:\n  token:\n    realm: " + server_.base() + "/token\n    service: " + service +
           "\n    issuer: " + issuer + "\n    rootcertbundle: " + cert_ + "\n";
  }

  int token_requests() const { return requests_.load(); }
  int refresh_grants() const { return refresh_grants_.load(); }
  /// Answer with `access_token` instead of `token`.
  std::atomic<bool> use_access_token{false};

 private:
  test_response handle(const test_request& r) {
    ++requests_;
    auto query_at = r.target.find('?');
    auto query = parse_form(query_at == std::string::npos ? "" : r.target.substr(query_at + 1));
    std::string user;
    if (r.method == "POST") {
      auto form = parse_form(r.body);
      query = form;
      ++refresh_grants_;
      auto grant = form.find("grant_type");
      auto token = form.find("refresh_token");
      if (grant == form.end() || grant->second != "refresh_token" || token == form.end() ||
          token->second != "refresh-alice")
        return denied();
      user = "alice";
      // OAuth sends the scopes space-separated in one field.
      auto scopes = form.find("scope");
      if (scopes != form.end()) {
        std::string all = scopes->second;
        query.erase("scope");
        size_t pos = 0;
        while (pos < all.size()) {
          auto sp = all.find(' ', pos);
          query.emplace("scope", all.substr(pos, sp - pos));
          if (sp == std::string::npos) break;
          pos = sp + 1;
        }
      }
    } else if (auto auth = r.header("Authorization"); !auth.empty()) {
      if (auth != "Basic " + base64_encode("alice:secret")) return denied();
      user = "alice";
    }
    std::string access;
    for (auto [it, end] = query.equal_range("scope"); it != end; ++it) {
      // repository:<name>:<actions>
      auto scope = it->second;
      auto first = scope.find(':');
      auto last = scope.rfind(':');
      if (first == std::string::npos || last == first) continue;
      auto name = scope.substr(first + 1, last - first - 1);
      auto actions = scope.substr(last + 1);
      std::string granted;
      if (!user.empty()) {
        granted = actions.find("push") != std::string::npos ? R"("pull","push")" : R"("pull")";
      } else if (name.starts_with("public/")) {
        granted = R"("pull")";
      }
      if (granted.empty()) continue;
      if (!access.empty()) access += ",";
      access += R"({"type":"repository","name":")" + name + R"(","actions":[)" + granted + "]}";
    }
    auto jwt = sign(user, access);
    std::string body = use_access_token ? R"({"access_token":")" + jwt + R"(","expires_in":300)"
                                        : R"({"token":")" + jwt + R"(","expires_in":300)";
    auto offline = query.find("offline_token");
    if (!user.empty() && offline != query.end() && offline->second == "true")
      body += R"(,"refresh_token":"refresh-alice")";
    return test_response{200, {{"Content-Type", "application/json"}}, body + "}"};
  }

  static test_response denied() {
    return test_response{
        401,
        {{"Content-Type", "application/json"}},
        R"({"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]})"};
  }

  std::string sign(const std::string& user, const std::string& access) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::string header = R"({"typ":"JWT","alg":"RS256","x5c":[")" + x5c_ + R"("]})";
    std::string claims = R"({"iss":")" + std::string(issuer) + R"(","sub":")" + user +
                         R"(","aud":")" + service + R"(","exp":)" + std::to_string(now + 300) +
                         R"(,"nbf":)" + std::to_string(now - 10) + R"(,"iat":)" +
                         std::to_string(now - 10) + R"(,"jti":")" + std::to_string(++serial_) +
                         R"(","access":[)" + access + "]}";
    auto input = base64url_encode(header) + "." + base64url_encode(claims);
    auto signature = berth::run_process({"openssl", "dgst", "-sha256", "-sign", key_}, input,
                                        std::chrono::seconds(30));
    if (!signature || signature->exit_code != 0) throw std::runtime_error("openssl dgst failed");
    return input + "." + base64url_encode(signature->output);
  }

  std::string key_, cert_, x5c_;
  std::atomic<int> requests_{0};
  std::atomic<int> refresh_grants_{0};
  std::atomic<int> serial_{0};
  test_http_server server_;
};

} // namespace berth::registry::testing
