// Errors as values inside berth-shim: a small result type without CAF or exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace berth::shim {

/// A failure, with the message the daemon's user reads.
struct error {
  std::string message;
};

/// strerror(err) as a string.
[[nodiscard]] std::string errno_text(int err);

/// Builds "<call> <path>: <strerror(err)>".
[[nodiscard]] error errno_error(std::string_view call, std::string_view path, int err);

/// Either a value or an error.
template <class T>
class [[nodiscard]] result {
 public:
  result(T value) : value_(std::move(value)) {}
  result(error err) : error_(std::move(err.message)) {}

  [[nodiscard]] bool ok() const noexcept { return value_.has_value(); }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] T& operator*() { return *value_; }
  [[nodiscard]] const T& operator*() const { return *value_; }
  [[nodiscard]] T* operator->() { return &*value_; }
  [[nodiscard]] const T* operator->() const { return &*value_; }
  [[nodiscard]] const std::string& message() const noexcept { return error_; }
  [[nodiscard]] error take_error() { return error{std::move(error_)}; }

 private:
  std::optional<T> value_;
  std::string error_;
};

/// Success, or an error (for operations without a value).
class [[nodiscard]] status {
 public:
  status() = default;
  status(error err) : error_(std::move(err.message)), failed_(true) {}

  [[nodiscard]] bool ok() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] const std::string& message() const noexcept { return error_; }
  [[nodiscard]] error take_error() { return error{std::move(error_)}; }

 private:
  std::string error_;
  bool failed_ = false;
};

} // namespace berth::shim
