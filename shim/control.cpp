// Control commands.
#include "shim/control.hpp"

#include "shim/exec_process.hpp"
#include "shim/io.hpp"

namespace berth::shim {

namespace {

constexpr size_t max_words = 4;

bool parse_flag(std::string_view word, bool& out) {
  if (word != "0" && word != "1") return false;
  out = word == "1";
  return true;
}

std::optional<control_command> parse_exec_command(const std::string_view* words, size_t count) {
  if (count < 2 || !valid_exec_id(words[1])) return std::nullopt;
  control_command out;
  out.exec_id = std::string{words[1]};
  auto verb = words[0];
  long long a = 0;
  long long b = 0;
  if (verb == "exec" && count == 4 && parse_flag(words[2], out.tty) &&
      parse_flag(words[3], out.open_stdin)) {
    out.kind = control_command::exec_prepare;
    return out;
  }
  if (verb == "exec-start" && count == 2) {
    out.kind = control_command::exec_start;
    return out;
  }
  if (verb == "wait-exec" && count == 2) {
    out.kind = control_command::exec_wait;
    return out;
  }
  if (verb == "resize-exec" && count == 4 && parse_int(words[2], 1, 65535, a) &&
      parse_int(words[3], 1, 65535, b)) {
    out.kind = control_command::exec_resize;
    out.rows = static_cast<int>(a);
    out.cols = static_cast<int>(b);
    return out;
  }
  if (verb == "kill-exec" && count == 3 && parse_int(words[2], 1, 64, a)) {
    out.kind = control_command::exec_kill;
    out.signal = static_cast<int>(a);
    return out;
  }
  return std::nullopt;
}

} // namespace

std::optional<control_command> parse_control_command(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view words[max_words];
  size_t count = 0;
  while (!line.empty()) {
    auto word = pop_token(line, ' ');
    if (word.empty()) continue;
    if (count == max_words) return std::nullopt;
    words[count++] = word;
  }
  if (count == 0) return std::nullopt;
  control_command out;
  auto verb = words[0];
  long long a = 0;
  long long b = 0;
  if (verb.substr(0, 4) == "exec" || verb.ends_with("-exec"))
    return parse_exec_command(words, count);
  if (verb == "kill" && count == 2 && parse_int(words[1], 1, 64, a)) {
    out.kind = control_command::kill;
    out.signal = static_cast<int>(a);
    return out;
  }
  if (verb == "resize" && count == 3 && parse_int(words[1], 1, 65535, a) &&
      parse_int(words[2], 1, 65535, b)) {
    out.kind = control_command::resize;
    out.rows = static_cast<int>(a);
    out.cols = static_cast<int>(b);
    return out;
  }
  if (count != 1) return std::nullopt;
  if (verb == "start")
    out.kind = control_command::start;
  else if (verb == "close-stdin")
    out.kind = control_command::close_stdin;
  else if (verb == "state")
    out.kind = control_command::state;
  else if (verb == "wait")
    out.kind = control_command::wait;
  else if (verb == "stats")
    out.kind = control_command::stats;
  else
    return std::nullopt;
  return out;
}

} // namespace berth::shim
