// The supervisor's side of the container's stdio: output to the log and attach clients, input
// from attach clients to the container's stdin. Nothing here ever blocks.
#include <cerrno>
#include <termios.h>
#include <unistd.h>

#include "shim/clock.hpp"
#include "shim/supervisor.hpp"

namespace berth::shim {

namespace {

/// Bytes read from one output per loop iteration, so one busy stream cannot starve the rest.
constexpr size_t read_budget = 256 * 1024;

} // namespace

void supervisor::read_output(fd& source_fd, output_stream stream) {
  static char buf[32 * 1024];
  size_t total = 0;
  while (source_fd && total < read_budget) {
    auto n = ::read(source_fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      // 0: every writer closed the pipe. EIO: the pty's last slave is closed.
      source_fd.reset();
      log_.close_stream(stream, realtime_ns());
      return;
    }
    total += static_cast<size_t>(n);
    std::string_view data{buf, static_cast<size_t>(n)};
    log_.write(stream, data, realtime_ns());
    fan_out(stream, data);
  }
}

void supervisor::fan_out(output_stream stream, std::string_view data) {
  for (auto& client : clients_) {
    if (client->closed()) continue;
    client->send(stream, data, opts_.tty);
    if (client->has_pending() && !client->write_pending()) client->close();
  }
}

int supervisor::stdin_target() const {
  if (stdin_closed_) return -1;
  return opts_.tty ? master_.get() : stdin_pipe_.get();
}

void supervisor::write_stdin() {
  int target = stdin_target();
  if (target < 0) {
    stdin_buffer_.clear();
    return;
  }
  size_t written = 0;
  while (written < stdin_buffer_.size()) {
    auto n = ::write(target, stdin_buffer_.data() + written, stdin_buffer_.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n < 0) {
      // EPIPE: the container closed its stdin; what is left cannot be delivered.
      stdin_buffer_.clear();
      written = 0;
      close_stdin_now();
      return;
    }
    written += static_cast<size_t>(n);
  }
  stdin_buffer_.erase(0, written);
  if (stdin_buffer_.empty() && stdin_close_pending_) close_stdin_now();
}

void supervisor::request_close_stdin() {
  if (stdin_closed_) return;
  stdin_close_pending_ = true;
  write_stdin();
}

void supervisor::close_stdin_now() {
  if (stdin_closed_) return;
  stdin_closed_ = true;
  stdin_close_pending_ = false;
  if (opts_.tty) {
    // A terminal has no half-close: send its end-of-file character, as a user typing ^D.
    if (master_) {
      char eof = 4;
      termios tio{};
      if (::tcgetattr(master_.get(), &tio) == 0 && tio.c_cc[VEOF] != 0)
        eof = static_cast<char>(tio.c_cc[VEOF]);
      [[maybe_unused]] auto n = ::write(master_.get(), &eof, 1);
    }
  } else {
    stdin_pipe_.reset();
  }
}

} // namespace berth::shim
