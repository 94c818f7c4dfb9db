// Signal names as docker uses them.
#include "runtime/signal_names.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <csignal>
#include <tuple>
#include <utility>

#include "base/error.hpp"

namespace berth::runtime {

namespace {

constexpr std::array<std::pair<std::string_view, int>, 31> signals{{
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM},     {"BUS", SIGBUS},       {"CHLD", SIGCHLD},
    {"CONT", SIGCONT}, {"FPE", SIGFPE},       {"HUP", SIGHUP},       {"ILL", SIGILL},
    {"INT", SIGINT},   {"IO", SIGIO},         {"IOT", SIGIOT},       {"KILL", SIGKILL},
    {"PIPE", SIGPIPE}, {"POLL", SIGPOLL},     {"PROF", SIGPROF},     {"PWR", SIGPWR},
    {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},     {"STKFLT", SIGSTKFLT}, {"STOP", SIGSTOP},
    {"SYS", SIGSYS},   {"TERM", SIGTERM},     {"TRAP", SIGTRAP},     {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},       {"USR1", SIGUSR1},
    {"USR2", SIGUSR2}, {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH},
}};

caf::error invalid(std::string_view text) {
  return make_error(errc::invalid_argument, "Invalid signal: " + std::string(text));
}

} // namespace

caf::expected<int> parse_signal(std::string_view text) {
  if (text.empty()) return invalid(text);
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc{} && p == text.data() + text.size()) {
    if (n < 1 || n > SIGRTMAX) return invalid(text);
    return n;
  }
  std::string upper;
  for (char c : text)
    upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string_view name = upper;
  if (name.substr(0, 3) == "SIG") name.remove_prefix(3);
  for (const auto& [k, v] : signals)
    if (k == name) return v;
  // SIGRTMIN+N / SIGRTMAX-N
  for (auto [prefix, base, sign] : {std::tuple{std::string_view("RTMIN"), SIGRTMIN, 1},
                                    std::tuple{std::string_view("RTMAX"), SIGRTMAX, -1}}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    auto rest = name.substr(prefix.size());
    if (rest.empty()) return base;
    if ((sign > 0 && rest[0] != '+') || (sign < 0 && rest[0] != '-')) return invalid(text);
    int off = 0;
    auto [q, e2] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), off);
    if (e2 != std::errc{} || q != rest.data() + rest.size()) return invalid(text);
    int signo = base + sign * off;
    if (signo < SIGRTMIN || signo > SIGRTMAX) return invalid(text);
    return signo;
  }
  return invalid(text);
}

std::string signal_name(int signo) {
  for (const auto& [k, v] : signals)
    if (v == signo) return "SIG" + std::string(k);
  return std::to_string(signo);
}

} // namespace berth::runtime
