// Structured daemon logging: logfmt lines written with one write(2) each.
#include "base/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unistd.h>

#include "base/time.hpp"

namespace berth::log {

namespace {

std::atomic<level> threshold{level::info};
std::atomic<int> output_fd{2};
std::mutex write_mutex;

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c <= ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) >= 0x7f)
      return true;
  return false;
}

void append_value(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

} // namespace

field::field(std::string_view k, double v) : key(k) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

std::optional<level> parse_level(std::string_view name) {
  if (name == "debug") return level::debug;
  if (name == "info") return level::info;
  if (name == "warn" || name == "warning") return level::warn;
  if (name == "error") return level::error;
  if (name == "fatal") return level::fatal;
  return std::nullopt;
}

const char* to_string(level x) {
  switch (x) {
  case level::debug:
    return "debug";
  case level::info:
    return "info";
  case level::warn:
    return "warn";
  case level::error:
    return "error";
  case level::fatal:
    return "fatal";
  }
  return "unknown";
}

void set_level(level x) {
  threshold.store(x, std::memory_order_relaxed);
}

level current_level() {
  return threshold.load(std::memory_order_relaxed);
}

bool enabled(level x) {
  return x >= current_level();
}

void set_output_fd(int fd) {
  output_fd.store(fd);
}

std::string format_line(level lvl, std::string_view component, std::string_view msg, fields kv,
                        int64_t unix_nanos) {
  std::string line;
  line.reserve(128);
  line += "time=";
  line += format_rfc3339(unix_nanos, 6);
  line += " level=";
  line += to_string(lvl);
  line += " component=";
  append_value(line, component);
  line += " msg=";
  append_value(line, msg);
  for (const auto& f : kv) {
    line += ' ';
    line += f.key;
    line += '=';
    append_value(line, f.value);
  }
  return line;
}

void write(level lvl, std::string_view component, std::string_view msg, fields kv) {
  if (!enabled(lvl)) return;
  auto line = format_line(lvl, component, msg, kv, unix_nanos_now());
  line += '\n';
  std::lock_guard guard{write_mutex};
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    auto n = ::write(output_fd.load(), p, left);
    if (n <= 0) return; // nowhere to report a failing log sink
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void logger::fatal(std::string_view msg, fields kv) const {
  write(level::fatal, component_, msg, kv);
  std::abort();
}

} // namespace berth::log
