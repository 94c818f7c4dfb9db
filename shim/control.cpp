// Control commands.
#include "shim/control.hpp"

#include "shim/io.hpp"

namespace berth::shim {

std::optional<control_command> parse_control_command(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view words[4];
  size_t count = 0;
  while (!line.empty()) {
    auto word = pop_token(line, ' ');
    if (word.empty()) continue;
    if (count == 4) return std::nullopt;
    words[count++] = word;
  }
  if (count == 0) return std::nullopt;
  control_command out;
  auto verb = words[0];
  long long a = 0;
  long long b = 0;
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
