// tmux-driven terminals for interactive tests.
#include "terminal.hpp"

#include <thread>

namespace berth::test {

terminal::terminal(const std::string& dir, const std::map<std::string, std::string>& env,
                   const std::string& command, const std::string& name)
    : socket_(dir + "/" + name), env_(env) {
  tmux({"new-session", "-d", "-x", "120", "-y", "30", "-s", "t",
        command + "; echo \"[command exited $?]\"", ";", "set-option", "-t", "t", "remain-on-exit",
        "on"});
}

terminal::~terminal() {
  tmux({"kill-server"});
}

void terminal::type(const std::vector<std::string>& keys) {
  std::vector<std::string> args{"send-keys", "-t", "t"};
  args.insert(args.end(), keys.begin(), keys.end());
  tmux(args);
}

bool terminal::shows(const std::string& text, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (screen().find(text) != std::string::npos) return true;
    // tmux offers no event for "output appeared".
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool terminal::shows_exit(int code, std::chrono::milliseconds timeout) {
  return shows("[command exited " + std::to_string(code) + "]", timeout);
}

std::string terminal::screen() {
  return tmux({"capture-pane", "-p", "-t", "t"}).out;
}

void terminal::resize(int cols, int rows) {
  tmux({"resize-window", "-t", "t", "-x", std::to_string(cols), "-y", std::to_string(rows)});
}

command_result terminal::tmux(std::vector<std::string> args) {
  args.insert(args.begin(), {"tmux", "-S", socket_});
  return run(args, {.env = env_, .timeout = std::chrono::seconds(10)});
}

} // namespace berth::test
