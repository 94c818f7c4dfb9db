// Waiting for containers to exit on the daemon's I/O threads.
#include "runtime/shim_watcher.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "base/error.hpp"
#include "base/socket_path.hpp"
#include "runtime/shim_protocol.hpp"

namespace berth::runtime {

namespace {

namespace net = boost::asio;
using unix_proto = net::local::stream_protocol;

struct wait_call : std::enable_shared_from_this<wait_call> {
  wait_call(net::io_context& io, std::string dir, std::function<void(caf::expected<shim_exit>)> cb)
      : socket(io), state_dir(std::move(dir)), on_exit(std::move(cb)) {}

  unix_proto::socket socket;
  std::string state_dir;
  std::function<void(caf::expected<shim_exit>)> on_exit;
  std::string request = "wait\n";
  std::string exit_file{shim_protocol::exit_file};
  net::streambuf reply;

  // The shim is gone: its exit file is the last word.
  void from_exit_file() {
    auto exit = read_exit_file(state_dir + "/" + exit_file);
    if (!exit) return on_exit(exit.error());
    if (!*exit)
      return on_exit(
          make_error(errc::not_found, "the container's shim is gone and left no exit status"));
    on_exit(**exit);
  }

  void start() {
    auto self = shared_from_this();
    auto path = socket_path::make(state_dir, std::string(shim_protocol::control_socket));
    if (!path) return from_exit_file();
    // Connecting to a unix socket completes at once, so the path may go out of scope after.
    socket.async_connect(
        unix_proto::endpoint(path->address()), [self](boost::system::error_code ec) {
          if (ec) return self->from_exit_file();
          net::async_write(self->socket, net::buffer(self->request),
                           [self](boost::system::error_code wec, size_t) {
                             if (wec) return self->from_exit_file();
                             net::async_read_until(self->socket, self->reply, '\n',
                                                   [self](boost::system::error_code rec, size_t) {
                                                     self->on_reply(rec);
                                                   });
                           });
        });
  }

  void on_reply(boost::system::error_code ec) {
    if (ec) return from_exit_file(); // the shim died before answering
    std::istream in(&reply);
    std::string line;
    std::getline(in, line);
    if (line.rfind("ok ", 0) != 0)
      return on_exit(make_error(errc::internal, "unexpected shim reply: " + line));
    on_exit(parse_shim_exit(std::string_view(line).substr(3)));
  }
};

} // namespace

void shim_watcher::watch_exec(const std::string& state_dir, const std::string& exec_id,
                              std::function<void(caf::expected<shim_exit>)> on_exit) {
  auto call = std::make_shared<wait_call>(io_, state_dir, std::move(on_exit));
  call->request = "wait-exec " + exec_id + "\n";
  call->exit_file = shim_protocol::exec_exit_file(exec_id);
  call->start();
}

void shim_watcher::watch(const std::string& state_dir,
                         std::function<void(caf::expected<shim_exit>)> on_exit) {
  std::make_shared<wait_call>(io_, state_dir, std::move(on_exit))->start();
}

} // namespace berth::runtime
