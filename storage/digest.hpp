// SHA-256 digests in the "sha256:<hex>" form content-addressed storage uses.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace berth::storage {

/// An incremental SHA-256 (OpenSSL EVP).
class sha256_hasher {
 public:
  sha256_hasher();
  ~sha256_hasher();
  sha256_hasher(sha256_hasher&&) noexcept;
  sha256_hasher& operator=(sha256_hasher&&) noexcept;

  void update(const void* data, size_t n);
  void update(std::string_view data) { update(data.data(), data.size()); }

  /// "sha256:<64 hex>"; the hasher is spent afterwards.
  [[nodiscard]] std::string finish();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

/// "sha256:<hex>" of `data`.
[[nodiscard]] std::string sha256_digest(std::string_view data);

/// True for "sha256:" followed by 64 lowercase hex digits.
[[nodiscard]] bool is_sha256_digest(std::string_view digest);

/// The hex part of "sha256:<hex>" (or the input when there is no algorithm prefix).
[[nodiscard]] std::string_view digest_hex(std::string_view digest);

} // namespace berth::storage
