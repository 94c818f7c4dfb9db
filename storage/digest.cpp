// SHA-256 digests.
#include "storage/digest.hpp"

#include <openssl/evp.h>

#include "base/log.hpp"

namespace berth::storage {

namespace {
constexpr log::logger lg{"storage"};
} // namespace

struct sha256_hasher::state {
  EVP_MD_CTX* ctx = nullptr;
  ~state() { EVP_MD_CTX_free(ctx); }
};

sha256_hasher::sha256_hasher() : state_(std::make_unique<state>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (!state_->ctx || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1)
    lg.fatal("cannot initialise SHA-256");
}

sha256_hasher::~sha256_hasher() = default;
sha256_hasher::sha256_hasher(sha256_hasher&&) noexcept = default;
sha256_hasher& sha256_hasher::operator=(sha256_hasher&&) noexcept = default;

void sha256_hasher::update(const void* data, size_t n) {
  if (n > 0) EVP_DigestUpdate(state_->ctx, data, n);
}

std::string sha256_hasher::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx, md, &len);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; ++i) {
    out += digits[md[i] >> 4];
    out += digits[md[i] & 0xf];
  }
  return out;
}

std::string sha256_digest(std::string_view data) {
  sha256_hasher h;
  h.update(data);
  return h.finish();
}

bool is_sha256_digest(std::string_view digest) {
  if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") return false;
  for (char c : digest.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string_view digest_hex(std::string_view digest) {
  auto colon = digest.find(':');
  return colon == std::string_view::npos ? digest : digest.substr(colon + 1);
}

} // namespace berth::storage
