// Reading one exec's output on the daemon's I/O threads (see exec_output_reader.hpp).
#include "runtime/exec_output_reader.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include "base/socket_path.hpp"
#include "runtime/shim_client.hpp"
#include "runtime/shim_protocol.hpp"

namespace berth::runtime {

namespace net = boost::asio;
using unix_proto = net::local::stream_protocol;

void stdcopy_collector::feed(std::string_view data) {
  while (!data.empty()) {
    if (payload_left_ == 0) {
      size_t take = std::min(sizeof header_ - header_bytes_, data.size());
      for (size_t i = 0; i < take; ++i)
        header_[header_bytes_ + i] = static_cast<unsigned char>(data[i]);
      header_bytes_ += take;
      data.remove_prefix(take);
      if (header_bytes_ < sizeof header_) return;
      header_bytes_ = 0;
      payload_left_ = (uint32_t{header_[4]} << 24) | (uint32_t{header_[5]} << 16) |
                      (uint32_t{header_[6]} << 8) | uint32_t{header_[7]};
      continue;
    }
    size_t take = std::min<size_t>(payload_left_, data.size());
    output_.append(data.substr(0, take));
    payload_left_ -= static_cast<uint32_t>(take);
    data.remove_prefix(take);
  }
}

struct exec_output_reader::impl {
  explicit impl(net::io_context& io) : strand(net::make_strand(io)), socket(strand) {}

  net::strand<net::io_context::executor_type> strand;
  unix_proto::socket socket;
  std::optional<socket_path> path; ///< kept while connecting (a /proc/self/fd form needs it)
  std::string header = attach_header(false, true, true);
  std::array<char, 16 * 1024> buffer{};
  stdcopy_collector collected;
  bool reading = false; ///< connected: `on_done` is owed
  bool done = false;
};

exec_output_reader::exec_output_reader(net::io_context& io) : impl_(std::make_unique<impl>(io)) {}

exec_output_reader::~exec_output_reader() = default;

std::shared_ptr<exec_output_reader>
exec_output_reader::start(net::io_context& io, const std::string& state_dir,
                          const std::string& exec_id, connected_fn on_connected, done_fn on_done) {
  std::shared_ptr<exec_output_reader> reader(new exec_output_reader(io));
  reader->on_connected_ = std::move(on_connected);
  reader->on_done_ = std::move(on_done);
  net::post(reader->impl_->strand,
            [reader, state_dir, exec_id] { reader->connect(state_dir, exec_id); });
  return reader;
}

void exec_output_reader::connect(const std::string& state_dir, const std::string& exec_id) {
  auto& d = *impl_;
  if (d.done) return on_connected_(false); // cancelled before it began
  auto path = socket_path::make(state_dir, shim_protocol::exec_socket(exec_id));
  if (!path) {
    d.done = true;
    return on_connected_(false);
  }
  d.path = std::move(*path);
  auto self = shared_from_this();
  d.socket.async_connect(unix_proto::endpoint(d.path->address()),
                         [self](boost::system::error_code ec) {
                           auto& s = *self->impl_;
                           s.path.reset();
                           if (ec || s.done) {
                             s.done = true;
                             return self->on_connected_(false);
                           }
                           net::async_write(s.socket, net::buffer(s.header),
                                            [self](boost::system::error_code wec, size_t) {
                                              auto& w = *self->impl_;
                                              if (wec || w.done) {
                                                w.done = true;
                                                return self->on_connected_(false);
                                              }
                                              w.reading = true;
                                              self->on_connected_(true);
                                              self->read_more();
                                            });
                         });
}

void exec_output_reader::read_more() {
  auto self = shared_from_this();
  impl_->socket.async_read_some(net::buffer(impl_->buffer),
                                [self](boost::system::error_code ec, size_t n) {
                                  auto& d = *self->impl_;
                                  if (n > 0) d.collected.feed({d.buffer.data(), n});
                                  if (ec || d.done) return self->finish();
                                  self->read_more();
                                });
}

void exec_output_reader::finish() {
  auto& d = *impl_;
  boost::system::error_code ignored;
  d.socket.close(ignored);
  if (!d.reading) return;
  d.reading = false;
  d.done = true;
  on_done_(d.collected.output().text());
}

void exec_output_reader::cancel() {
  auto self = shared_from_this();
  net::post(impl_->strand, [self] {
    auto& d = *self->impl_;
    if (d.reading) return self->finish();
    d.done = true; // still connecting: it reports failure instead
  });
}

} // namespace berth::runtime
