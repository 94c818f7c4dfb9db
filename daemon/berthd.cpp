// berthd's entry point.
#include "daemon/berthd.hpp"

#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <pthread.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "base/error.hpp"
#include "base/log.hpp"
#include "berth/build_info.hpp"
#include "config/command_line.hpp"
#include "config/loader.hpp"
#include "daemon/daemon_instance.hpp"
#include "daemon/service_notify.hpp"

namespace berth::daemon {

namespace {

constexpr log::logger lg{"daemon"};

int refuse(const std::string& message) {
  std::fprintf(stderr, "berthd: %s\n", message.c_str());
  return 1;
}

// Every thread inherits this mask, so the signals are only ever taken by sigwait below.
sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  return set;
}

} // namespace

int run_berthd(int argc, char** argv) {
  capture_notify_socket();
  // As dockerd: the modes the daemon gives files and directories (volumes 0701/0755, state,
  // logs) do not depend on the umask it was started with.
  ::umask(0022);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cl = config::parse_command_line(args);
  if (!cl) return refuse(error_message(cl.error()) + "\nSee 'berthd --help'.");
  if (cl->help) {
    std::fputs(config::usage_text().c_str(), stdout);
    return 0;
  }
  if (cl->version) {
    std::printf("Berth version %s, build %s\n", build_info::version, build_info::git_commit);
    return 0;
  }
  auto loaded = config::load_config(*cl);
  if (!loaded) return refuse(error_message(loaded.error()));
  if (cl->validate) {
    std::puts("configuration OK");
    return 0;
  }
  if (::geteuid() != 0) return refuse("berthd needs to be started with root privileges");
  log::set_level(loaded->config.effective_log_level());

  auto signals = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto instance = daemon_instance::start(*cl, std::move(*loaded));
  if (!instance) return refuse(error_message(instance.error()));
  notify_service_manager("READY=1\nMAINPID=" + std::to_string(::getpid()));
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      lg.info("SIGHUP received, reloading configuration");
      notify_service_manager("RELOADING=1");
      (*instance)->reload();
      notify_service_manager("READY=1");
      continue;
    }
    lg.info("signal received", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  notify_service_manager("STOPPING=1");
  bool failed = (*instance)->failed();
  (*instance)->stop();
  return failed ? 1 : 0;
}

} // namespace berth::daemon
