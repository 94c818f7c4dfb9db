// A pull-based stream of bytes (request bodies, files, blobs), read from a blocking context.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
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

/// A byte_source that reads from another and tells `on_read` how many bytes each read brought
/// (progress, metrics); reads of nothing (the end) and errors are passed on without a call.
class observed_source final : public byte_source {
 public:
  using observer = std::function<void(size_t bytes)>;
  observed_source(byte_source& inner, observer on_read)
      : inner_(inner), on_read_(std::move(on_read)) {}
  /// Owns `inner`.
  observed_source(std::unique_ptr<byte_source> inner, observer on_read)
      : owned_(std::move(inner)), inner_(*owned_), on_read_(std::move(on_read)) {}
  [[nodiscard]] caf::expected<size_t> read(char* buf, size_t n) override;

 private:
  std::unique_ptr<byte_source> owned_;
  byte_source& inner_;
  observer on_read_;
};

/// Reads everything from `source` (up to `limit` bytes, else an error).
[[nodiscard]] caf::expected<std::string> read_all(byte_source& source, size_t limit);

} // namespace berth
