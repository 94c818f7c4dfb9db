// One exec process: names and codes.
#include "shim/exec_process.hpp"

namespace berth::shim {

bool valid_exec_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string exec_socket_name(std::string_view id) {
  return "exec-" + std::string{id} + ".sock";
}

std::string exec_process_name(std::string_view id) {
  return "exec-" + std::string{id} + ".process.json";
}

std::string exec_pid_name(std::string_view id) {
  return "exec-" + std::string{id} + ".pid";
}

std::string exec_console_name(std::string_view id) {
  return "exec-" + std::string{id} + "-console.sock";
}

std::string exec_exit_name(std::string_view id) {
  return "exec-" + std::string{id} + ".json";
}

int exec_start_failure_code(std::string_view message) {
  if (message.find("executable file not found") != std::string_view::npos ||
      message.find("no such file or directory") != std::string_view::npos)
    return 127;
  return 126;
}

} // namespace berth::shim
