// HTTP/1.1 listeners on Boost.Beast: acceptors for unix sockets, TCP (+ mutual TLS) and
// systemd-passed sockets, the connection registry and the graceful stop. The per-connection
// logic is in http_session.hpp.
#include "api/http_server.hpp"

#include "api/http_session.hpp"

namespace berth::api {

using namespace detail;

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
