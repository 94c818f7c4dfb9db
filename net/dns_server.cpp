// The embedded DNS server: UDP and TCP listeners on a strand, local answers, forwarding.
#include "net/dns_server.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "base/error.hpp"
#include "base/log.hpp"
#include "net/dns_forward.hpp"
#include "net/dns_message.hpp"
#include "net/dns_name.hpp"

namespace berth::net {

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

constexpr log::logger lg{"dns"};

// Queries are small; what we advertise in OPT records. A longer datagram is cut to this size and
// then fails to parse.
constexpr size_t udp_receive_buffer_size = dns_edns_udp_size;
// After a failed accept (e.g. out of descriptors), wait before accepting again, not spin.
constexpr auto accept_retry_delay = 100ms;

// Sends the response to the client that asked, or nothing (nullopt).
using reply_handler = std::function<void(std::optional<std::vector<uint8_t>>)>;

// dockerd shuffles the addresses of a name so that clients spread over its containers.
void shuffle(std::vector<ipv4_address>& addresses) {
  thread_local std::minstd_rand generator{std::random_device{}()};
  std::shuffle(addresses.begin(), addresses.end(), generator);
}

struct counter_set {
  std::atomic<uint64_t> queries{0};
  std::atomic<uint64_t> answered_locally{0};
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> forward_failures{0};
  std::atomic<uint64_t> refused{0};
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> dropped{0};
};

void bump(std::atomic<uint64_t>& counter) {
  counter.fetch_add(1, std::memory_order_relaxed);
}

class tcp_session;

} // namespace

struct dns_server::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io, dns_lookup names, dns_server_options opts,
       dns_reverse_lookup addresses)
      : strand(asio::make_strand(io)), udp_socket(strand), acceptor(strand), accept_retry(strand),
        options(std::move(opts)), lookup(std::move(names)), reverse_lookup(std::move(addresses)),
        udp_buffer(udp_receive_buffer_size) {}

  void begin() {
    receive_udp();
    accept_tcp();
  }

  void receive_udp();
  void on_datagram(error_code ec, size_t size);
  void send_udp(const udp::endpoint& client, const std::vector<uint8_t>& response);
  void accept_tcp();
  void on_accept(error_code ec, tcp::socket peer);
  void handle_query(std::span<const uint8_t> bytes, dns_transport transport, reply_handler reply);
  std::optional<std::vector<uint8_t>> answer_locally(const dns_message& query,
                                                     dns_transport transport);
  void forward(std::span<const uint8_t> bytes, const dns_message& query, dns_transport transport,
               reply_handler reply);
  std::vector<ipv4_address> resolve(std::string_view name);
  std::optional<std::string> resolve_address(ipv4_address address);
  void close_all();

  dns_strand strand;
  udp::socket udp_socket;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  const dns_server_options options;

  // The lookups are released by stop() on any thread: guarded by a mutex held while they run.
  std::mutex lookups_mutex;
  dns_lookup lookup;
  dns_reverse_lookup reverse_lookup;
  bool stopping = false;

  // Strand only from here on.
  bool closed = false;
  std::vector<uint8_t> udp_buffer;
  udp::endpoint udp_client;
  std::unordered_map<uint64_t, std::shared_ptr<dns_forward>> forwards;
  uint64_t next_forward_id = 0;
  std::unordered_set<std::shared_ptr<tcp_session>> sessions;

  counter_set counts;
};

namespace {

// One TCP client: length-prefixed queries answered one after the other (RFC 7766 §6.2.1 allows
// that), closed when idle, on EOF, on any error, or when the server stops.
class tcp_session : public std::enable_shared_from_this<tcp_session> {
 public:
  tcp_session(const std::shared_ptr<dns_server::impl>& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), deadline_(server->strand),
        idle_timeout_(server->options.tcp_idle_timeout) {}

  void start() { read_query(); }

  void close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    socket_.close(ignored);
    deadline_.cancel();
    if (auto server = server_.lock()) server->sessions.erase(shared_from_this());
  }

 private:
  // The deadline covers one read or one write; it is off while a query is being forwarded
  // (forwards time out on their own).
  void arm_deadline() {
    deadline_.expires_after(idle_timeout_);
    deadline_.async_wait([self = shared_from_this(), generation = ++generation_](error_code ec) {
      if (!ec && generation == self->generation_) self->close();
    });
  }

  void disarm_deadline() {
    ++generation_;
    deadline_.cancel();
  }

  void read_query() {
    arm_deadline();
    asio::async_read(socket_, asio::buffer(length_),
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (self->closed_) return;
                       if (ec) return self->close(); // EOF included: the client is done
                       self->read_body(size_t{self->length_[0]} << 8 | self->length_[1]);
                     });
  }

  void read_body(size_t length) {
    query_.assign(length, 0);
    asio::async_read(socket_, asio::buffer(query_),
                     [self = shared_from_this()](error_code ec, size_t) {
                       if (self->closed_) return;
                       auto server = self->server_.lock();
                       if (ec || !server) return self->close();
                       self->disarm_deadline();
                       server->handle_query(self->query_, dns_transport::tcp,
                                            [self](std::optional<std::vector<uint8_t>> r) {
                                              self->send(std::move(r));
                                            });
                     });
  }

  void send(std::optional<std::vector<uint8_t>> response) {
    if (closed_) return;
    if (!response) return close();
    out_.clear();
    out_.push_back(static_cast<uint8_t>(response->size() >> 8));
    out_.push_back(static_cast<uint8_t>(response->size() & 0xff));
    out_.insert(out_.end(), response->begin(), response->end());
    arm_deadline();
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](error_code ec, size_t) {
                        if (self->closed_) return;
                        if (ec) return self->close();
                        self->read_query();
                      });
  }

  std::weak_ptr<dns_server::impl> server_;
  tcp::socket socket_;
  asio::steady_timer deadline_;
  std::chrono::milliseconds idle_timeout_;
  unsigned generation_ = 0;
  bool closed_ = false;
  uint8_t length_[2] = {0, 0};
  std::vector<uint8_t> query_;
  std::vector<uint8_t> out_;
};

} // namespace

void dns_server::impl::receive_udp() {
  udp_socket.async_receive_from(
      asio::buffer(udp_buffer), udp_client,
      [self = shared_from_this()](error_code ec, size_t size) { self->on_datagram(ec, size); });
}

void dns_server::impl::on_datagram(error_code ec, size_t size) {
  if (closed || ec == asio::error::operation_aborted) return;
  if (ec) {
    lg.debug("receiving a DNS query failed", {{"error", ec.message()}});
  } else {
    handle_query(std::span(udp_buffer.data(), size), dns_transport::udp,
                 [weak = weak_from_this(), client = udp_client](auto response) {
                   auto self = weak.lock();
                   if (self && response) self->send_udp(client, *response);
                 });
  }
  receive_udp();
}

void dns_server::impl::send_udp(const udp::endpoint& client, const std::vector<uint8_t>& response) {
  if (closed) return;
  // The socket is non-blocking: a full send buffer drops the reply (the client retries) rather
  // than queueing without bound.
  error_code ec;
  udp_socket.send_to(asio::buffer(response), client, 0, ec);
  if (ec) bump(counts.dropped);
}

void dns_server::impl::accept_tcp() {
  acceptor.async_accept(asio::any_io_executor(strand),
                        [self = shared_from_this()](error_code ec, tcp::socket peer) {
                          self->on_accept(ec, std::move(peer));
                        });
}

void dns_server::impl::on_accept(error_code ec, tcp::socket peer) {
  if (closed || ec == asio::error::operation_aborted) return;
  if (ec) {
    lg.warn("accepting a DNS connection failed", {{"error", ec.message()}});
    accept_retry.expires_after(accept_retry_delay);
    accept_retry.async_wait([self = shared_from_this()](error_code wec) {
      if (!wec && !self->closed) self->accept_tcp();
    });
    return;
  }
  if (sessions.size() >= options.max_tcp_connections) {
    bump(counts.dropped);
    error_code ignored;
    peer.close(ignored);
  } else {
    auto session = std::make_shared<tcp_session>(shared_from_this(), std::move(peer));
    sessions.insert(session);
    session->start();
  }
  accept_tcp();
}

void dns_server::impl::handle_query(std::span<const uint8_t> bytes, dns_transport transport,
                                    reply_handler reply) {
  auto header = parse_dns_header(bytes);
  if (!header || header->is_response()) {
    // Never answer a response: two servers must not bounce errors at each other.
    bump(counts.malformed);
    return reply(std::nullopt);
  }
  auto query = parse_dns_query(bytes);
  if (!query) {
    bump(counts.malformed);
    return reply(build_dns_format_error(*header));
  }
  bump(counts.queries);
  if (query->edns && query->edns->version != 0)
    return reply(build_dns_response(*query, dns_rcode::bad_version));
  if (query->header.opcode() != 0)
    return reply(build_dns_response(*query, dns_rcode::not_implemented));
  if (auto local = answer_locally(*query, transport)) {
    bump(counts.answered_locally);
    return reply(std::move(local));
  }
  forward(bytes, *query, transport, std::move(reply));
}

// dockerd's serveDNS: A from the container's names; AAAA and MX answered empty (NOERROR) for a
// known name, so that they are not forwarded; PTR for the networks' addresses. Anything else,
// and any name the container's networks do not know, goes upstream.
std::optional<std::vector<uint8_t>> dns_server::impl::answer_locally(const dns_message& query,
                                                                     dns_transport transport) {
  const auto& question = query.question;
  if (question.qclass != dns_class_in) return std::nullopt;
  switch (question.type) {
  case dns_type::a: {
    auto addresses = resolve(question.name);
    if (addresses.empty()) return std::nullopt;
    shuffle(addresses);
    return build_dns_a_response(query, addresses, dns_response_limit(query, transport));
  }
  case dns_type::aaaa:
  case dns_type::mx:
    if (resolve(question.name).empty()) return std::nullopt;
    return build_dns_response(query, dns_rcode::no_error);
  case dns_type::ptr: {
    auto address = dns_parse_reverse_ipv4(question.name);
    if (!address) return std::nullopt;
    auto target = resolve_address(*address);
    if (!target) return std::nullopt;
    return build_dns_ptr_response(query, *target, dns_response_limit(query, transport));
  }
  default:
    return std::nullopt;
  }
}

void dns_server::impl::forward(std::span<const uint8_t> bytes, const dns_message& query,
                               dns_transport transport, reply_handler reply) {
  if (options.upstreams.empty()) {
    bump(counts.forward_failures);
    return reply(build_dns_response(query, dns_rcode::server_failure));
  }
  if (forwards.size() >= options.max_forwards) {
    bump(counts.refused);
    return reply(build_dns_response(query, dns_rcode::refused));
  }
  auto id = next_forward_id++;
  auto limit = dns_response_limit(query, transport);
  auto on_done = [weak = weak_from_this(), id, query, limit,
                  reply = std::move(reply)](std::optional<std::vector<uint8_t>> upstream) {
    auto self = weak.lock();
    if (!self || self->closed) return;
    self->forwards.erase(id);
    if (!upstream) {
      bump(self->counts.forward_failures);
      return reply(build_dns_response(query, dns_rcode::server_failure));
    }
    bump(self->counts.forwarded);
    // The client's buffer is what it announced; a larger relayed reply becomes "use TCP".
    if (upstream->size() > limit) return reply(build_dns_truncated_response(query));
    reply(std::move(upstream));
  };
  auto request = std::make_shared<dns_forward>(
      strand, options.upstreams, options.upstream_timeout, transport,
      std::vector<uint8_t>(bytes.begin(), bytes.end()), query, std::move(on_done));
  // Registered before it starts, since it may finish (and unregister) inside start().
  forwards.emplace(id, request);
  request->start();
}

std::vector<ipv4_address> dns_server::impl::resolve(std::string_view name) {
  std::lock_guard lock(lookups_mutex);
  return lookup ? lookup(name) : std::vector<ipv4_address>{};
}

std::optional<std::string> dns_server::impl::resolve_address(ipv4_address address) {
  std::lock_guard lock(lookups_mutex);
  return reverse_lookup ? reverse_lookup(address) : std::nullopt;
}

void dns_server::impl::close_all() {
  if (closed) return;
  closed = true;
  error_code ignored;
  udp_socket.close(ignored);
  acceptor.close(ignored);
  accept_retry.cancel();
  auto pending = std::move(forwards);
  forwards.clear();
  for (auto& [id, request] : pending)
    request->cancel();
  auto open_sessions = std::move(sessions);
  sessions.clear();
  for (const auto& session : open_sessions)
    session->close();
}

caf::expected<std::unique_ptr<dns_server>> dns_server::start(asio::io_context& io,
                                                             dns_sockets sockets, dns_lookup lookup,
                                                             dns_server_options options,
                                                             dns_reverse_lookup reverse_lookup) {
  if (!lookup) return make_error(errc::invalid_argument, "dns server: no lookup function");
  if (!sockets.udp || !sockets.tcp)
    return make_error(errc::invalid_argument, "dns server: missing listening sockets");
  auto state =
      std::make_shared<impl>(io, std::move(lookup), std::move(options), std::move(reverse_lookup));
  error_code ec;
  state->udp_socket.assign(udp::v4(), sockets.udp.get(), ec);
  if (ec) return make_error(errc::system, "dns server: adopt UDP socket: " + ec.message());
  (void)sockets.udp.release(); // owned by the Asio socket now
  state->udp_socket.non_blocking(true, ec);
  if (ec) return make_error(errc::system, "dns server: UDP socket non-blocking: " + ec.message());
  state->acceptor.assign(tcp::v4(), sockets.tcp.get(), ec);
  if (ec) return make_error(errc::system, "dns server: adopt TCP socket: " + ec.message());
  (void)sockets.tcp.release();
  asio::post(state->strand, [state] { state->begin(); });
  return std::unique_ptr<dns_server>(new dns_server(std::move(state)));
}

dns_server::dns_server(std::shared_ptr<impl> state) : impl_(std::move(state)) {}

dns_server::~dns_server() {
  stop();
}

void dns_server::stop() {
  dns_lookup released_lookup;
  dns_reverse_lookup released_reverse;
  {
    std::lock_guard lock(impl_->lookups_mutex);
    if (impl_->stopping) return;
    impl_->stopping = true;
    released_lookup = std::move(impl_->lookup);
    released_reverse = std::move(impl_->reverse_lookup);
    impl_->lookup = nullptr;
    impl_->reverse_lookup = nullptr;
  }
  asio::dispatch(impl_->strand, [state = impl_] { state->close_all(); });
}

dns_server_counters dns_server::counters() const {
  const auto& c = impl_->counts;
  auto get = [](const std::atomic<uint64_t>& v) { return v.load(std::memory_order_relaxed); };
  return {.queries = get(c.queries),
          .answered_locally = get(c.answered_locally),
          .forwarded = get(c.forwarded),
          .forward_failures = get(c.forward_failures),
          .refused = get(c.refused),
          .malformed = get(c.malformed),
          .dropped = get(c.dropped)};
}

} // namespace berth::net
