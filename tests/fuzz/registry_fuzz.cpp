// Fuzzes the registry client's parsers of untrusted registry and client input: WWW-Authenticate,
// X-Registry-Auth, token answers, error bodies, manifests (detection, parsing, index
// selection), platforms and URLs. The first byte picks the parser; none may crash, and the
// invariants below must hold.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "registry/auth_challenge.hpp"
#include "registry/authorizer.hpp"
#include "registry/credentials.hpp"
#include "registry/manifest.hpp"
#include "registry/platform.hpp"
#include "registry/registry_error.hpp"
#include "registry/url.hpp"

using namespace berth::registry;

namespace {

void check(bool ok, const char* invariant) {
  if (ok) return;
  std::fprintf(stderr, "registry parser invariant broken: %s\n", invariant);
  std::abort();
}

void fuzz_manifest(std::string_view text) {
  auto type = detect_manifest_media_type(text);
  if (!type) return;
  auto parsed = parse_manifest(text, *type);
  if (!parsed) return;
  check(parsed->index == is_index_media_type(*type), "index kind follows the media type");
  if (parsed->index) {
    if (auto chosen = select_manifest(*parsed, default_platform()))
      check(chosen->platform.has_value(), "a selected entry has a platform");
  }
}

void fuzz_url(std::string_view text) {
  auto parsed = url::parse(text);
  if (parsed) {
    auto again = url::parse(parsed->string());
    check(again && *again == *parsed, "a URL's text parses back to it");
  }
  auto base = *url::parse("https://registry.example:5000/v2/a/blobs/uploads/");
  if (auto resolved = base.resolve(text)) {
    auto again = url::parse(resolved->string());
    check(again && *again == *resolved, "a resolved location is a valid URL");
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 8) {
  case 0:
    for (const auto& c : parse_www_authenticate(text))
      check(!c.scheme.empty(), "scheme present");
    break;
  case 1:
    if (auto creds = decode_registry_auth(text)) {
      auto again = decode_registry_auth(encode_registry_auth(*creds));
      check(again.engaged(), "encoded credentials decode");
    }
    break;
  case 2:
    if (auto token = parse_token_response(text))
      check(!token->token.empty() && token->expires_in >= min_token_lifetime, "token bounds");
    break;
  case 3:
    for (const auto& e : parse_error_body(text))
      check(!e.code.empty(), "error code present");
    break;
  case 4:
    fuzz_manifest(text);
    break;
  case 5:
    if (auto p = parse_platform(text)) {
      auto again = parse_platform(format_platform(*p));
      check(again && platform_matches(*p, *again), "a platform's text parses back");
    }
    break;
  case 6:
    fuzz_url(text);
    break;
  default:
    (void)manifest_media_type(text.substr(0, text.find('\n')), text);
    break;
  }
  return 0;
}
