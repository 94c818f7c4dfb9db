// HTTP/1.1 listeners and connections on Boost.Beast.
//
// Each connection is a `session` on its own strand: it reads a request head, asks the dispatcher
// for the route, reads the body as the route wants it, hands the request to the handler and
// writes whatever the handler answers (possibly from another thread, via the strand). Streamed
// answers are chunked; while streaming, a pending read notices the client leaving.
#include "api/http_server.hpp"

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
#include "base/sys.hpp"
#include "base/time.hpp"
#include "metrics/http_probe.hpp"

namespace berth::api {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using unix_proto = net::local::stream_protocol;
using error_code = boost::system::error_code;

using unix_stream =
    beast::basic_stream<unix_proto, net::any_io_executor, beast::unlimited_rate_policy>;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

constexpr log::logger lg{"api"};

// Something the server can ask to wind down during a graceful stop.
class session_base {
 public:
  virtual ~session_base() = default;
  virtual void shutdown() = 0;
};

std::string lower(beast::string_view s) {
  std::string out(s.data(), s.size());
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

namespace detail {

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

} // namespace detail

using detail::server_core;

namespace {

template <class Stream>
class session final : public session_base,
                      public response_channel,
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
      case phase::closed:
        break;
      }
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
  enum class phase { reading, handling, writing, streaming, closed };

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
    if (!prepared_.error && !parser_->is_done() && parser_->content_length()
        && *parser_->content_length() > server_->limits.body_limit) {
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
                       [self = this->shared_from_this()](error_code, size_t) {
                         self->writing_ = false;
                         self->server_->finished(self->info_, self->status_);
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
};

} // namespace

template <class Stream>
void server_core::start_session(Stream&& stream) {
  connections.fetch_add(1);
  auto s = std::make_shared<session<Stream>>(std::move(stream), shared_from_this());
  auto id = enroll(std::weak_ptr<session_base>(s));
  s->start(id);
}

void server_core::retry_accept_later(std::function<void()> fn) {
  auto timer = std::make_shared<net::steady_timer>(io.context(), std::chrono::milliseconds(100));
  timer->async_wait([timer, fn = std::move(fn)](error_code) { fn(); });
}

void server_core::accept_unix(std::shared_ptr<unix_proto::acceptor> acceptor) {
  acceptor->async_accept(
      net::make_strand(io.context()),
      [self = shared_from_this(), acceptor](error_code ec, unix_proto::socket sock) {
        if (ec == net::error::operation_aborted || !acceptor->is_open() || self->stopping.load())
          return;
        if (ec) {
          lg.warn("accept failed", {{"error", ec.message()}});
          return self->retry_accept_later([self, acceptor] { self->accept_unix(acceptor); });
        }
        if (self->connections.load() >= self->limits.max_connections) {
          error_code ignored;
          sock.close(ignored);
        } else {
          self->start_session(unix_stream(std::move(sock)));
        }
        self->accept_unix(acceptor);
      });
}

void server_core::accept_tcp(std::shared_ptr<tcp::acceptor> acceptor,
                             std::shared_ptr<net::ssl::context> ssl) {
  acceptor->async_accept(net::make_strand(io.context()), [self = shared_from_this(), acceptor,
                                                          ssl](error_code ec, tcp::socket sock) {
    if (ec == net::error::operation_aborted || !acceptor->is_open() || self->stopping.load())
      return;
    if (ec) {
      lg.warn("accept failed", {{"error", ec.message()}});
      return self->retry_accept_later([self, acceptor, ssl] { self->accept_tcp(acceptor, ssl); });
    }
    if (self->connections.load() >= self->limits.max_connections) {
      error_code ignored;
      sock.close(ignored);
    } else if (ssl) {
      self->start_session(tls_stream(beast::tcp_stream(std::move(sock)), *ssl));
    } else {
      self->start_session(beast::tcp_stream(std::move(sock)));
    }
    self->accept_tcp(acceptor, ssl);
  });
}

namespace {

caf::expected<std::shared_ptr<net::ssl::context>> make_tls_context(const tls_files& files) {
  try {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                     net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
    ctx->use_certificate_chain_file(files.cert);
    ctx->use_private_key_file(files.key, net::ssl::context::pem);
    ctx->load_verify_file(files.ca_cert);
    ctx->set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
    return ctx;
  } catch (const boost::system::system_error& e) {
    return make_error(errc::invalid_argument, std::string("could not load TLS files: ") + e.what());
  }
}

// Is something already answering on this unix socket?
bool socket_in_use(const std::string& path) {
  net::io_context probe_io;
  unix_proto::socket probe(probe_io);
  error_code ec;
  probe.connect(unix_proto::endpoint(path), ec);
  return !ec;
}

gid_t socket_group(const std::string& group) {
  if (group.empty()) return 0;
  std::array<char, 4096> buf{};
  struct group entry {};
  struct group* found = nullptr;
  if (::getgrnam_r(group.c_str(), &entry, buf.data(), buf.size(), &found) == 0 && found)
    return found->gr_gid;
  return 0;
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

} // namespace

http_server::http_server(io_pool& io, std::shared_ptr<const dispatcher> dispatch,
                         server_limits limits, metrics::http_probe* probe)
    : impl_(std::make_shared<server_core>(io, std::move(dispatch), limits, probe)) {}

http_server::~http_server() {
  stop_accepting();
}

caf::error http_server::listen_unix(const std::string& path, const std::string& group) {
  if (path.empty() || path.front() != '/')
    return make_error(errc::invalid_argument, "unix socket path must be absolute: " + path);
  if (auto err = sys::make_dirs(parent_of(path), 0755)) return err;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error(errc::conflict, path + " exists and is not a socket");
    if (socket_in_use(path))
      return make_error(errc::conflict, "another process is already listening on " + path);
    ::unlink(path.c_str());
  }
  try {
    auto acceptor = std::make_shared<unix_proto::acceptor>(impl_->io.context());
    acceptor->open(unix_proto());
    acceptor->bind(unix_proto::endpoint(path));
    acceptor->listen(net::socket_base::max_listen_connections);
    if (::chmod(path.c_str(), 0660) != 0 || ::chown(path.c_str(), 0, socket_group(group)) != 0)
      lg.warn("could not set socket permissions", {{"path", path}});
    impl_->unix_acceptors.push_back(acceptor);
    impl_->socket_paths.push_back(path);
    impl_->accept_unix(acceptor);
  } catch (const boost::system::system_error& e) {
    return make_error(errc::system, "listen on unix://" + path + ": " + e.what());
  }
  lg.info("API listening", {{"addr", "unix://" + path}});
  return {};
}

caf::error http_server::listen_tcp(const std::string& host, const std::string& port,
                                   const tls_files* tls) {
  std::shared_ptr<net::ssl::context> ssl;
  if (tls) {
    auto ctx = make_tls_context(*tls);
    if (!ctx) return ctx.error();
    ssl = *ctx;
  }
  try {
    tcp::resolver resolver(impl_->io.context());
    auto results = resolver.resolve(host, port,
                                    tcp::resolver::passive | tcp::resolver::numeric_host |
                                        tcp::resolver::numeric_service);
    auto endpoint = results.begin()->endpoint();
    auto acceptor = std::make_shared<tcp::acceptor>(impl_->io.context());
    acceptor->open(endpoint.protocol());
    acceptor->set_option(net::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(net::socket_base::max_listen_connections);
    auto bound = acceptor->local_endpoint();
    if (impl_->first_tcp_port == 0) impl_->first_tcp_port = bound.port();
    impl_->tcp_acceptors.push_back(acceptor);
    impl_->accept_tcp(acceptor, ssl);
    lg.info(tls ? "API listening (mutual TLS)" : "listening",
            {{"addr", bound.address().to_string() + ":" + std::to_string(bound.port())}});
  } catch (const boost::system::system_error& e) {
    return make_error(errc::system, "listen on " + host + ":" + port + ": " + e.what());
  }
  return {};
}

caf::error http_server::listen_systemd(const tls_files* tls) {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  if (!pid || !fds || std::atoi(pid) != ::getpid())
    return make_error(errc::invalid_argument, "fd:// needs sockets passed by systemd (LISTEN_FDS)");
  int count = std::atoi(fds);
  if (count <= 0) return make_error(errc::invalid_argument, "fd://: systemd passed no sockets");
  std::shared_ptr<net::ssl::context> ssl;
  for (int fd = 3; fd < 3 + count; ++fd) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      return sys::error_from_errno("getsockname", "fd://" + std::to_string(fd), errno);
    try {
      if (addr.ss_family == AF_UNIX) {
        auto acceptor = std::make_shared<unix_proto::acceptor>(impl_->io.context());
        acceptor->assign(unix_proto(), fd);
        impl_->unix_acceptors.push_back(acceptor);
        impl_->accept_unix(acceptor);
      } else {
        if (!tls)
          return make_error(errc::invalid_argument,
                            "refusing systemd TCP socket without mutual TLS (--tlsverify)");
        if (!ssl) {
          auto ctx = make_tls_context(*tls);
          if (!ctx) return ctx.error();
          ssl = *ctx;
        }
        auto acceptor = std::make_shared<tcp::acceptor>(impl_->io.context());
        acceptor->assign(addr.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd);
        impl_->tcp_acceptors.push_back(acceptor);
        impl_->accept_tcp(acceptor, ssl);
      }
    } catch (const boost::system::system_error& e) {
      return make_error(errc::system, std::string("fd://: ") + e.what());
    }
  }
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  lg.info("API listening on systemd sockets", {{"count", count}});
  return {};
}

caf::error http_server::listen_host(const std::string& uri, const std::string& group,
                                    const tls_files* tls) {
  if (uri.rfind("unix://", 0) == 0) {
    auto path = uri.substr(7);
    return listen_unix(path.empty() ? "/run/berth/berth.sock" : path, group);
  }
  if (uri.rfind("fd://", 0) == 0) return listen_systemd(tls);
  if (uri.rfind("tcp://", 0) == 0) {
    auto rest = uri.substr(6);
    auto colon = rest.rfind(':');
    auto host = rest.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    if (!tls)
      return make_error(errc::invalid_argument,
                        "refusing to listen on " + uri + " without mutual TLS (--tlsverify)");
    return listen_tcp(host.empty() ? "0.0.0.0" : host, rest.substr(colon + 1), tls);
  }
  return make_error(errc::invalid_argument, "unsupported host " + uri);
}

int http_server::tcp_port() const {
  return impl_->first_tcp_port;
}

void http_server::stop_accepting() {
  impl_->stopping.store(true);
  auto close_all = [impl = impl_] {
    error_code ec;
    for (auto& a : impl->unix_acceptors)
      a->close(ec);
    for (auto& a : impl->tcp_acceptors)
      a->close(ec);
  };
  // Acceptors belong to the I/O threads: close them there when those still run.
  auto& io = impl_->io.context();
  if (io.stopped()) {
    close_all();
  } else {
    auto done = std::make_shared<std::promise<void>>();
    auto future = done->get_future();
    net::post(io, [close_all, done] {
      close_all();
      done->set_value();
    });
    if (future.wait_for(std::chrono::seconds(2)) != std::future_status::ready) close_all();
  }
  for (const auto& path : impl_->socket_paths)
    ::unlink(path.c_str());
  impl_->socket_paths.clear();
}

void http_server::close_connections() {
  std::vector<std::shared_ptr<session_base>> live;
  {
    std::lock_guard guard{impl_->mutex};
    for (auto& [id, weak] : impl_->sessions)
      if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->shutdown();
}

size_t http_server::connection_count() const {
  return impl_->connections.load();
}

} // namespace berth::api
