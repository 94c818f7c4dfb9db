// A pull-based stream of bytes (request bodies, files, blobs), read from a blocking context.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "base/fd.hpp"

namespace berth {

class byte_source {
public:
  virtual ~byte_source() = default;

  /// Reads up to `n` bytes into `buf`; returns how many, 0 at the end, or an error (e.g. the
  /// client went away). May block: call it from a blocking context (worker thread).
  [[nodiscard]] virtual caf::expected<size_t> read(char* buf, size_t n) = 0;
};

/// A byte_source over a file descriptor it owns.
class fd_source final : public byte_source {
public:
  explicit fd_source(unique_fd fd, std::string name = {}) : fd_(std::move(fd)), name_(std::move(name)) {}
  [[nodiscard]] caf::expected<size_t> read(char* buf, size_t n) override;

private:
  unique_fd fd_;
  std::string name_;
};

/// A byte_source over a string (tests, small in-memory inputs).
class string_source final : public byte_source {
public:
  explicit string_source(std::string data) : data_(std::move(data)) {}
  [[nodiscard]] caf::expected<size_t> read(char* buf, size_t n) override;

private:
  std::string data_;
  size_t pos_ = 0;
};

/// Reads everything from `source` (up to `limit` bytes, else an error).
[[nodiscard]] caf::expected<std::string> read_all(byte_source& source, size_t limit);

} // namespace berth
