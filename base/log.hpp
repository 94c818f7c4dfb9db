// Structured daemon logging: one logfmt line per record on stderr (time, level, component, msg,
// fields).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace berth::log {

/// Severity of a log record, in increasing order.
enum class level : uint8_t { debug, info, warn, error, fatal };

/// Parses dockerd's level names ("debug", "info", "warn", "error", "fatal").
[[nodiscard]] std::optional<level> parse_level(std::string_view name);

/// Returns the canonical name of `x`.
[[nodiscard]] const char* to_string(level x);

/// Sets the process-wide threshold; records below it are dropped. Thread-safe.
void set_level(level x);

/// Returns the process-wide threshold.
[[nodiscard]] level current_level();

/// Returns whether a record at `x` would be written.
[[nodiscard]] bool enabled(level x);

/// Redirects output to `fd` (default 2). Used by tests to capture lines.
void set_output_fd(int fd);

/// One `key=value` pair of a record. Values are quoted when needed.
struct field {
  field(std::string_view k, std::string_view v) : key(k), value(v) {}
  field(std::string_view k, const std::string& v) : key(k), value(v) {}
  field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  field(std::string_view k, bool v) : key(k), value(v ? "true" : "false") {}
  field(std::string_view k, int v) : key(k), value(std::to_string(v)) {}
  field(std::string_view k, long v) : key(k), value(std::to_string(v)) {}
  field(std::string_view k, long long v) : key(k), value(std::to_string(v)) {}
  field(std::string_view k, unsigned v) : key(k), value(std::to_string(v)) {}
  field(std::string_view k, unsigned long v) : key(k), value(std::to_string(v)) {}
  field(std::string_view k, unsigned long long v) : key(k), value(std::to_string(v)) {}
  field(std::string_view k, double v);

  std::string_view key;
  std::string value;
};

using fields = std::initializer_list<field>;

/// Formats one record as a logfmt line (without the trailing newline). Exposed for tests.
[[nodiscard]] std::string format_line(level lvl, std::string_view component, std::string_view msg,
                                      fields kv, int64_t unix_nanos);

/// Writes one record if `lvl` is enabled.
void write(level lvl, std::string_view component, std::string_view msg, fields kv = {});

/// A named source of log records, e.g. `logger{"api"}`.
class logger {
 public:
  explicit constexpr logger(std::string_view component) : component_(component) {}

  void debug(std::string_view msg, fields kv = {}) const {
    write(level::debug, component_, msg, kv);
  }
  void info(std::string_view msg, fields kv = {}) const { write(level::info, component_, msg, kv); }
  void warn(std::string_view msg, fields kv = {}) const { write(level::warn, component_, msg, kv); }
  void error(std::string_view msg, fields kv = {}) const {
    write(level::error, component_, msg, kv);
  }

  /// Logs at fatal level and aborts: for broken invariants only.
  [[noreturn]] void fatal(std::string_view msg, fields kv = {}) const;

 private:
  std::string_view component_;
};

} // namespace berth::log
