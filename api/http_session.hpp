// One HTTP connection on Boost.Beast (private to api/http_server.cpp): the shared server state,
// and the session template instantiated for unix sockets, TLS and plain TCP.
//
// A session lives on its own strand: it reads a request head, asks the dispatcher for the route,
// reads the body as the route wants it, hands the request to the handler and writes whatever the
// handler answers (possibly from another thread, via the strand). Streamed answers are chunked;
// while streaming, a pending read notices the client leaving. An upgraded connection (attach)
// relays raw bytes between the client and a unix socket.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <fcntl.h>
#include <future>
#include <grp.h>
#include <mutex>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/error_mapping.hpp"
#include "api/request_body.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/socket_path.hpp"
#include "base/sys.hpp"
#include "base/time.hpp"
#include "metrics/http_probe.hpp"

namespace berth::api::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using unix_proto = net::local::stream_protocol;
using error_code = boost::system::error_code;

using unix_stream =
    beast::basic_stream<unix_proto, net::any_io_executor, beast::unlimited_rate_policy>;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

inline constexpr log::logger lg{"api"};

// Something the server can ask to wind down during a graceful stop.
class session_base {
 public:
  virtual ~session_base() = default;
  virtual void shutdown() = 0;
};

inline std::string lower(beast::string_view s) {
  std::string out(s.data(), s.size());
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct server_core : std::enable_shared_from_this<server_core> {
  server_core(io_pool& pool, std::shared_ptr<const dispatcher> d, server_limits l,
              metrics::http_probe* p)
      : io(pool), dispatch(std::move(d)), limits(l), probe(p) {}

  io_pool& io;
  std::shared_ptr<const dispatcher> dispatch;
  server_limits limits;
  metrics::http_probe* probe;

  std::mutex mutex;
  std::unordered_map<uint64_t, std::weak_ptr<session_base>> sessions;
  uint64_t next_session_id = 1;
  std::atomic<size_t> connections{0};
  std::atomic<bool> stopping{false};

  std::vector<std::shared_ptr<unix_proto::acceptor>> unix_acceptors;
  std::vector<std::shared_ptr<tcp::acceptor>> tcp_acceptors;
  std::vector<std::string> socket_paths;
  int first_tcp_port = 0;

  uint64_t enroll(std::weak_ptr<session_base> s) {
    std::lock_guard guard{mutex};
    auto id = next_session_id++;
    sessions.emplace(id, std::move(s));
    return id;
  }

  void forget(uint64_t id) {
    std::lock_guard guard{mutex};
    sessions.erase(id);
  }

  void finished(const request_info& info, int status) {
    auto nanos = monotonic_nanos() - info.start_nanos;
    if (probe) probe->observe(info.method, info.route, status, static_cast<double>(nanos) / 1e9);
    if (log::enabled(log::level::debug))
      lg.debug("request", {{"method", info.method},
                           {"path", info.target},
                           {"route", info.route},
                           {"status", status},
                           {"duration_ms", static_cast<double>(nanos) / 1e6}});
  }

  template <class Stream>
  void start_session(Stream&& stream);

  void accept_unix(std::shared_ptr<unix_proto::acceptor> acceptor);
  void accept_tcp(std::shared_ptr<tcp::acceptor> acceptor, std::shared_ptr<net::ssl::context> ssl);
  void retry_accept_later(std::function<void()> fn);
};

template <class Stream>
class session final : public session_base,
                      public response_channel,
                      public spliceable_connection,
                      public std::enable_shared_from_this<session<Stream>> {
 public:
  session(Stream&& stream, std::shared_ptr<server_core> server)
      : stream_(std::move(stream)), server_(std::move(server)) {}

  ~session() override {
    server_->forget(id_);
    server_->connections.fetch_sub(1);
  }

  void start(uint64_t id) {
    id_ = id;
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      lowest().expires_after(server_->limits.idle_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                if (ec) {
                                  lg.debug("TLS handshake failed", {{"error", ec.message()}});
                                  return self->close();
                                }
                                self->read_head();
                              });
    } else {
      net::dispatch(stream_.get_executor(),
                    [self = this->shared_from_this()] { self->read_head(); });
    }
  }

  // -- session_base ----------------------------------------------------------------------------

  void shutdown() override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      switch (self->phase_) {
      case phase::reading:
        self->close();
        break;
      case phase::handling:
      case phase::writing:
        self->close_after_ = true;
        break;
      case phase::streaming:
        self->notify_gone();
        self->end_requested_ = true;
        self->pump();
        break;
      case phase::upgraded:
        self->close();
        break;
      case phase::closed:
        break;
      }
    });
  }

  // -- spliceable_connection ---------------------------------------------------------------------

  std::shared_ptr<spliceable_connection> upgrade(http_response head, request_info info) override {
    auto self = this->shared_from_this();
    net::dispatch(stream_.get_executor(),
                  [self, h = std::move(head), i = std::move(info)]() mutable {
                    self->write_upgrade_head(std::move(h), std::move(i));
                  });
    return std::static_pointer_cast<spliceable_connection>(self);
  }

  void splice(std::string path, splice_options options, std::function<void(bool)> on_connected,
              std::function<void()> on_done) override {
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this(), p = std::move(path), o = std::move(options),
                   c = std::move(on_connected), d = std::move(on_done)]() mutable {
                    self->relay_.path = std::move(p);
                    self->relay_.options = std::move(o);
                    self->relay_.on_connected = std::move(c);
                    self->relay_.on_done = std::move(d);
                    self->relay_.requested = true;
                    self->start_relay();
                  });
  }

  void finish(std::string data) override {
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this(), d = std::move(data)]() mutable {
                    self->relay_.final_data = std::move(d);
                    self->relay_.finish_requested = true;
                    self->start_relay();
                  });
  }

  // -- response_channel ------------------------------------------------------------------------

  void send(http_response response, request_info info) override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(), r = std::move(response),
                                           i = std::move(info)]() mutable {
      self->write_response(std::move(r), std::move(i));
    });
  }

  void begin_stream(http_response head, request_info info) override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this(), h = std::move(head),
                                           i = std::move(info)]() mutable {
      self->write_stream_head(std::move(h), std::move(i));
    });
  }

  void stream_write(std::string chunk) override {
    queued_.fetch_add(chunk.size());
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this(), c = std::move(chunk)]() mutable {
                    if (self->phase_ != phase::streaming || self->end_requested_) {
                      self->queued_.fetch_sub(c.size());
                      return;
                    }
                    self->chunks_.push_back(std::move(c));
                    self->pump();
                  });
  }

  void stream_end() override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->phase_ != phase::streaming) return;
      self->end_requested_ = true;
      self->pump();
    });
  }

  [[nodiscard]] size_t queued_bytes() const override { return queued_.load(); }

  void on_progress(std::function<void()> fn) override {
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this(), f = std::move(fn)]() mutable {
                    self->progress_ = std::move(f);
                  });
  }

  void on_client_gone(std::function<void()> fn) override {
    net::dispatch(stream_.get_executor(),
                  [self = this->shared_from_this(), f = std::move(fn)]() mutable {
                    if (self->gone_notified_) {
                      if (f) f();
                      return;
                    }
                    self->gone_ = std::move(f);
                  });
  }

 private:
  enum class phase { reading, handling, writing, streaming, upgraded, closed };

  auto& lowest() { return beast::get_lowest_layer(stream_); }

  // -- reading ---------------------------------------------------------------------------------

  void read_head() {
    if (server_->stopping.load()) {
      close();
      return;
    }
    phase_ = phase::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->limits.header_limit));
    // Beast checks Content-Length against this limit while parsing the head, before the route is
    // known: allow uploads here and hold buffered bodies to their own limit after routing.
    parser_->body_limit(server_->limits.upload_limit);
    body_.clear();
    body_stream_.reset();
    body_done_ = true;
    close_after_body_ = false;
    discarded_ = 0;
    lowest().expires_after(server_->limits.idle_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, size_t) { self->on_head(ec); });
  }

  void on_head(error_code ec) {
    if (ec) return on_read_error(ec);
    lowest().expires_never();
    phase_ = phase::handling;
    auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    head_request_ = req.method() == http::verb::head;
    std::map<std::string, std::string> headers;
    for (const auto& field : req) {
      auto name = lower(field.name_string());
      auto& slot = headers[name];
      if (!slot.empty()) slot += ", ";
      slot.append(field.value().data(), field.value().size());
    }
    bool expect_continue = lower(req[http::field::expect]) == "100-continue";
    prepared_ = server_->dispatch->prepare(std::string(req.method_string()),
                                           std::string(req.target()), std::move(headers));
    bool streamed =
        !prepared_.error && prepared_.matched && prepared_.matched->body == body_mode::streamed;
    if (streamed) return start_streamed_body(expect_continue);
    if (!prepared_.error && !parser_->is_done() && parser_->content_length() &&
        *parser_->content_length() > server_->limits.body_limit) {
      keep_alive_ = false;
      return write_response(error_response(413, "request body too large"), prepared_.info);
    }
    if (prepared_.error || parser_->is_done()) {
      // Errors are answered without reading a body; the connection closes if one was coming.
      if (prepared_.error && !parser_->is_done()) keep_alive_ = false;
      return run_handler();
    }
    if (expect_continue) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont,
                        [self = this->shared_from_this(), cont](error_code wec, size_t) {
                          if (wec) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  // Body reads use a large chunk and a large socket read buffer: read sizes follow the buffer's
  // free capacity, and a head-sized buffer would mean thousands of tiny reads per megabyte.
  void prepare_body_buffers() {
    if (body_chunk_.empty()) body_chunk_.resize(body_chunk_size);
    if (buffer_.capacity() < body_chunk_size) buffer_.reserve(body_chunk_size);
  }

  void read_body() {
    prepare_body_buffers();
    auto& body = parser_->get().body();
    body.data = body_chunk_.data();
    body.size = body_chunk_.size();
    lowest().expires_after(server_->limits.idle_timeout);
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = this->shared_from_this()](error_code ec, size_t) {
                            if (ec == http::error::need_buffer) ec = {};
                            if (ec) return self->on_read_error(ec);
                            auto used = self->body_chunk_.size() - self->parser_->get().body().size;
                            self->body_.append(self->body_chunk_.data(), used);
                            if (self->body_.size() > self->server_->limits.body_limit)
                              return self->on_read_error(http::error::body_limit);
                            if (self->parser_->is_done()) {
                              self->lowest().expires_never();
                              return self->run_handler();
                            }
                            self->read_body();
                          });
  }

  // Streamed routes: the handler runs now and consumes the body as it arrives.
  void start_streamed_body(bool expect_continue) {
    body_stream_ = std::make_shared<request_body>();
    if (parser_->is_done()) {
      body_stream_->finish();
      return run_handler();
    }
    body_done_ = false;
    parser_->body_limit(server_->limits.upload_limit);
    if (!expect_continue) {
      run_handler();
      return read_stream_body();
    }
    auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
    http::async_write(stream_, *cont,
                      [self = this->shared_from_this(), cont](error_code ec, size_t) {
                        if (ec) return self->close();
                        self->run_handler();
                        self->read_stream_body();
                      });
  }

  // Reads a streamed body into body_stream_, pausing while its consumer is behind.
  void read_stream_body() {
    if (phase_ == phase::closed || body_done_) return;
    prepare_body_buffers();
    auto& body = parser_->get().body();
    body.data = body_chunk_.data();
    body.size = body_chunk_.size();
    lowest().expires_after(server_->limits.idle_timeout);
    http::async_read_some(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, size_t) { self->on_stream_body(ec); });
  }

  void on_stream_body(error_code ec) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      body_done_ = true;
      body_stream_->fail(
          make_error(errc::invalid_argument, "request body interrupted: " + ec.message()));
      return close();
    }
    auto used = body_chunk_.size() - parser_->get().body().size;
    if (body_stream_->abandoned()) {
      discarded_ += used;
      if (discarded_ > server_->limits.drain_limit) return close();
    } else if (used > 0) {
      body_stream_->push(std::string(body_chunk_.data(), used));
    }
    if (parser_->is_done()) {
      body_done_ = true;
      lowest().expires_never();
      body_stream_->finish();
      return after_body();
    }
    if (body_stream_->wants_more()) return read_stream_body();
    lowest().expires_never();
    body_stream_->on_space([self = this->shared_from_this()] {
      net::post(self->stream_.get_executor(), [self] { self->read_stream_body(); });
    });
  }

  // The whole streamed body is in: a streamed answer may now watch for the client leaving, and a
  // connection that answered early can close.
  void after_body() {
    if (phase_ == phase::streaming && head_written_)
      watch_client();
    else if (close_after_body_)
      close();
  }

  void on_read_error(error_code ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == net::error::eof || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::ssl::error::stream_truncated)
      return close();
    int status = 400;
    std::string message = "malformed HTTP request: " + ec.message();
    if (ec == http::error::header_limit) {
      status = 431;
      message = "request header fields too large";
    } else if (ec == http::error::body_limit) {
      status = 413;
      message = "request body too large";
    }
    lg.debug("bad request", {{"error", ec.message()}});
    keep_alive_ = false;
    head_request_ = false;
    request_info info;
    info.method = "unknown";
    info.route = "malformed";
    info.start_nanos = monotonic_nanos();
    phase_ = phase::handling;
    write_response(error_response(status, message), std::move(info));
  }

  void run_handler() {
    auto self = this->shared_from_this();
    server_->dispatch->run(std::move(prepared_), std::move(body_),
                           std::static_pointer_cast<response_channel>(self), body_stream_);
  }

  // -- writing one response --------------------------------------------------------------------

  void write_response(http_response r, request_info info) {
    if (phase_ == phase::closed || phase_ == phase::writing || phase_ == phase::streaming) return;
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    for (const auto& [name, value] : server_->dispatch->common_headers())
      res->set(name, value);
    if (!r.content_type.empty()) res->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers)
      res->set(name, value);
    bool keep = keep_alive_ && body_done_ && !close_after_ && !server_->stopping.load();
    res->keep_alive(keep);
    auto length = r.body.size();
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head_request_) {
      res->body().clear();
      if (r.status != 204 && r.status != 304) res->content_length(length);
    }
    phase_ = phase::writing;
    info_ = std::move(info);
    status_ = r.status;
    lowest().expires_after(server_->limits.write_timeout);
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res, keep](error_code ec, size_t) {
                        self->server_->finished(self->info_, self->status_);
                        if (!ec && !self->body_done_) {
                          // Answered before the upload ended: drain (bounded), then close.
                          self->close_after_body_ = true;
                          self->body_stream_->abandon();
                          return;
                        }
                        if (ec || !keep) return self->close();
                        self->read_head();
                      });
  }

  // -- streamed responses ----------------------------------------------------------------------

  void write_stream_head(http_response head, request_info info) {
    if (phase_ != phase::handling) return;
    stream_head_ = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(head.status), 11);
    for (const auto& [name, value] : server_->dispatch->common_headers())
      stream_head_->set(name, value);
    if (!head.content_type.empty()) stream_head_->set(http::field::content_type, head.content_type);
    for (const auto& [name, value] : head.headers)
      stream_head_->set(name, value);
    stream_head_->chunked(true);
    stream_head_->keep_alive(false);
    serializer_ = std::make_shared<http::response_serializer<http::empty_body>>(*stream_head_);
    phase_ = phase::streaming;
    info_ = std::move(info);
    status_ = head.status;
    writing_ = true;
    lowest().expires_never();
    http::async_write_header(stream_, *serializer_,
                             [self = this->shared_from_this()](error_code ec, size_t) {
                               self->writing_ = false;
                               if (ec) return self->client_gone();
                               self->head_written_ = true;
                               if (self->body_done_) self->watch_client();
                               self->pump();
                             });
  }

  // Writes queued chunks one batch at a time; ends with the last chunk once asked to.
  void pump() {
    if (writing_ || !head_written_ || phase_ != phase::streaming) return;
    if (!chunks_.empty()) {
      writing_chunk_.clear();
      while (!chunks_.empty() && writing_chunk_.size() < 256 * 1024) {
        writing_chunk_ += chunks_.front();
        chunks_.pop_front();
      }
      writing_ = true;
      net::async_write(stream_, http::make_chunk(net::buffer(writing_chunk_)),
                       [self = this->shared_from_this()](error_code ec, size_t) {
                         self->writing_ = false;
                         self->queued_.fetch_sub(self->writing_chunk_.size());
                         if (self->progress_) self->progress_();
                         if (ec) return self->client_gone();
                         self->pump();
                       });
      return;
    }
    if (end_requested_) {
      writing_ = true;
      net::async_write(stream_, http::make_chunk_last(),
                       [self = this->shared_from_this()](error_code ec, size_t) {
                         self->writing_ = false;
                         self->server_->finished(self->info_, self->status_);
                         if (!ec && !self->body_done_) {
                           // Ended before the upload did (a build refusing its context): drain
                           // (bounded), then close, as write_response does; closing now could
                           // reset the connection before the client reads the answer.
                           self->phase_ = phase::writing;
                           self->close_after_body_ = true;
                           self->body_stream_->abandon();
                           return;
                         }
                         self->close();
                       });
    }
  }

  // A read pending while streaming: it completes only when the client closes (or misbehaves).
  void watch_client() {
    stream_.async_read_some(net::buffer(watch_buf_),
                            [self = this->shared_from_this()](error_code ec, size_t) {
                              if (ec) return self->client_gone();
                              self->watch_client();
                            });
  }

  void notify_gone() {
    if (gone_notified_) return;
    gone_notified_ = true;
    if (auto fn = std::move(gone_)) fn();
  }

  void client_gone() {
    if (phase_ != phase::streaming) return;
    notify_gone();
    server_->finished(info_, status_);
    close();
  }

  // -- upgraded connections (attach) ---------------------------------------------------------

  void write_upgrade_head(http_response head, request_info info) {
    if (phase_ != phase::handling) return;
    auto res = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(head.status), 11);
    if (head.status == 101) res->reason("UPGRADED");
    for (const auto& [name, value] : server_->dispatch->common_headers())
      res->set(name, value);
    if (!head.content_type.empty()) res->set(http::field::content_type, head.content_type);
    for (const auto& [name, value] : head.headers)
      res->set(name, value);
    if (head.status != 101) res->keep_alive(false);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    phase_ = phase::upgraded;
    info_ = std::move(info);
    status_ = head.status;
    lowest().expires_never();
    http::async_write_header(
        stream_, *serializer,
        [self = this->shared_from_this(), res, serializer](error_code ec, size_t) {
          if (ec) return self->close();
          self->relay_.head_written = true;
          self->start_relay();
        });
  }

  // Runs once the head is out and the handler has said what to do (splice or finish).
  void start_relay() {
    auto& r = relay_;
    if (!r.head_written || r.started || phase_ != phase::upgraded) return;
    if (r.finish_requested) {
      r.started = true;
      auto data = std::make_shared<std::string>(std::move(r.final_data));
      net::async_write(
          stream_, net::buffer(*data),
          [self = this->shared_from_this(), data](error_code, size_t) { self->end_relay(); });
      return;
    }
    if (!r.requested) return;
    r.started = true;
    r.up_buf.resize(32 * 1024);
    r.down_buf.resize(64 * 1024);
    r.socket.emplace(stream_.get_executor());
    // A unix connect completes inside async_connect, so `reachable` only needs to outlive it.
    auto reachable = socket_path::make(r.path.substr(0, r.path.rfind('/')),
                                       r.path.substr(r.path.rfind('/') + 1));
    auto endpoint = unix_proto::endpoint(reachable ? reachable->address() : r.path);
    r.socket->async_connect(endpoint, [self = this->shared_from_this()](error_code ec) {
      auto& rr = self->relay_;
      if (rr.on_connected) std::exchange(rr.on_connected, nullptr)(!ec);
      if (ec) return self->end_relay();
      // The preamble (the shim's attach header) goes first, then anything the client already
      // sent after its request head, then the two pumps.
      std::string first = rr.options.preamble;
      auto pending = self->buffer_.data();
      std::string early(static_cast<const char*>(pending.data()), pending.size());
      self->buffer_.consume(pending.size());
      if (rr.options.forward_input) first += self->filter_detach(early);
      auto data = std::make_shared<std::string>(std::move(first));
      net::async_write(*rr.socket, net::buffer(*data), [self, data](error_code wec, size_t) {
        if (wec) return self->end_relay();
        if (self->relay_.detached) return self->end_relay();
        self->pump_up();
        self->pump_down();
      });
    });
  }

  // Client → socket. Client EOF half-closes the socket (the container's stdin ends).
  void pump_up() {
    stream_.async_read_some(net::buffer(relay_.up_buf), [self = this->shared_from_this()](
                                                            error_code ec, size_t n) {
      auto& r = self->relay_;
      if (r.ended) return;
      if (ec) {
        error_code ignored;
        if (ec == net::error::eof || ec == http::error::end_of_stream)
          r.socket->shutdown(net::socket_base::shutdown_send, ignored);
        else
          self->end_relay();
        return;
      }
      if (!r.options.forward_input) return self->pump_up();
      auto data =
          std::make_shared<std::string>(self->filter_detach(std::string_view(r.up_buf.data(), n)));
      if (r.detached) return self->end_relay();
      net::async_write(*r.socket, net::buffer(*data), [self, data](error_code wec, size_t) {
        if (wec) return self->end_relay();
        self->pump_up();
      });
    });
  }

  // Socket → client. The socket's EOF (container gone, output drained) ends the session.
  void pump_down() {
    relay_.socket->async_read_some(
        net::buffer(relay_.down_buf), [self = this->shared_from_this()](error_code ec, size_t n) {
          auto& r = self->relay_;
          if (r.ended) return;
          if (ec) return self->end_relay();
          net::async_write(self->stream_, net::buffer(r.down_buf.data(), n),
                           [self](error_code wec, size_t) {
                             if (wec) return self->end_relay();
                             self->pump_down();
                           });
        });
  }

  // Drops the detach sequence from client input; a complete sequence ends the session without
  // closing the container's stdin (docker's --detach-keys).
  std::string filter_detach(std::string_view input) {
    auto& r = relay_;
    const auto& keys = r.options.detach_keys;
    if (keys.empty()) return std::string(input);
    std::string out;
    for (char c : input) {
      if (c == keys[r.detach_matched]) {
        if (++r.detach_matched == keys.size()) {
          r.detached = true;
          return out;
        }
        continue;
      }
      out.append(keys.data(), r.detach_matched); // a partial match was ordinary input
      r.detach_matched = 0;
      if (c == keys[0])
        r.detach_matched = 1;
      else
        out += c;
    }
    return out;
  }

  void end_relay() {
    auto& r = relay_;
    if (r.ended) return;
    r.ended = true;
    error_code ignored;
    if (r.socket) r.socket->close(ignored);
    notify_gone();
    server_->finished(info_, status_);
    if (auto done = std::exchange(r.on_done, nullptr)) done();
    close();
  }

  void close() {
    if (phase_ == phase::streaming) notify_gone();
    phase_ = phase::closed;
    if (body_stream_ && !body_done_) {
      body_done_ = true;
      body_stream_->fail(make_error(errc::invalid_argument, "connection closed"));
    }
    if (auto fn = std::move(progress_)) fn();
    error_code ec;
    lowest().socket().shutdown(net::socket_base::shutdown_both, ec);
    lowest().close();
  }

  Stream stream_;
  std::shared_ptr<server_core> server_;
  uint64_t id_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::buffer_body>> parser_;
  static constexpr size_t body_chunk_size = 256 * 1024;
  std::vector<char> body_chunk_; ///< allocated on the first body read
  std::string body_;
  std::shared_ptr<request_body> body_stream_; ///< streamed routes only
  bool body_done_ = true;
  bool close_after_body_ = false;
  uint64_t discarded_ = 0;
  dispatcher::prepared prepared_;
  bool keep_alive_ = false;
  bool head_request_ = false;
  bool close_after_ = false;
  phase phase_ = phase::reading;
  request_info info_;
  int status_ = 0;
  // Streaming state.
  std::shared_ptr<http::response<http::empty_body>> stream_head_;
  std::shared_ptr<http::response_serializer<http::empty_body>> serializer_;
  bool head_written_ = false;
  bool writing_ = false;
  bool end_requested_ = false;
  std::deque<std::string> chunks_;
  std::string writing_chunk_;
  std::atomic<size_t> queued_{0};
  std::function<void()> gone_;
  std::function<void()> progress_;
  bool gone_notified_ = false;
  std::array<char, 512> watch_buf_{};
  // Upgraded-connection state.
  struct relay_state {
    bool head_written = false;
    bool requested = false;
    bool finish_requested = false;
    bool started = false;
    bool ended = false;
    bool detached = false;
    size_t detach_matched = 0;
    std::string path;
    splice_options options;
    std::string final_data;
    std::function<void(bool)> on_connected;
    std::function<void()> on_done;
    std::optional<unix_proto::socket> socket;
    std::vector<char> up_buf; ///< allocated when a relay starts: most connections never do
    std::vector<char> down_buf;
  } relay_;
};

template <class Stream>
void server_core::start_session(Stream&& stream) {
  connections.fetch_add(1);
  auto s = std::make_shared<session<Stream>>(std::move(stream), shared_from_this());
  auto id = enroll(std::weak_ptr<session_base>(s));
  s->start(id);
}

} // namespace berth::api::detail
