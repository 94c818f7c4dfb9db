// A terminal a test types into at its own pace (tmux with its own server socket), for `-it`
// sessions: keys sent before the docker CLI has switched its terminal to raw mode would be eaten
// by the line discipline (ctrl-q is XON), so each step waits for the screen to show the previous
// one.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "process.hpp"

namespace berth::test {

class terminal {
 public:
  /// Runs `command` in a 120x30 tmux session whose server socket is `dir`/`name`; when it ends,
  /// the shell running it prints its exit status (see `shows_exit`).
  terminal(const std::string& dir, const std::map<std::string, std::string>& env,
           const std::string& command, const std::string& name = "tmux.sock");
  ~terminal();
  terminal(const terminal&) = delete;
  terminal& operator=(const terminal&) = delete;

  /// tmux send-keys: words, or key names such as "C-p", "Enter".
  void type(const std::vector<std::string>& keys);

  /// Waits (bounded) until the screen shows `text`.
  [[nodiscard]] bool shows(const std::string& text,
                           std::chrono::milliseconds timeout = std::chrono::seconds(15));

  /// Waits (bounded) until the command has ended with `code`. tmux's own "Pane is dead" is not
  /// used: under load tmux 3.3a sometimes leaves the exited command an unreaped zombie, and then
  /// never marks the pane dead although the command has ended.
  [[nodiscard]] bool shows_exit(int code,
                                std::chrono::milliseconds timeout = std::chrono::seconds(15));

  [[nodiscard]] std::string screen();

  void resize(int cols, int rows);

 private:
  command_result tmux(std::vector<std::string> args);
  std::string socket_;
  std::map<std::string, std::string> env_;
};

} // namespace berth::test
