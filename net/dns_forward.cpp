// Forwarding one query to the upstream DNS servers, without blocking.
#include "net/dns_forward.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <random>
#include <sys/random.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "base/log.hpp"
#include "net/dns_name.hpp"

namespace berth::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;

constexpr log::logger lg{"dns"};

// Upstream query ids are unpredictable (with the fresh source port of each socket they make
// spoofed replies hard to land), so they come from the kernel's CSPRNG, a buffer at a time.
uint16_t random_query_id() {
  thread_local std::array<uint16_t, 128> pool{};
  thread_local size_t next = pool.size();
  if (next == pool.size()) {
    ssize_t got = ::getrandom(pool.data(), sizeof pool, GRND_NONBLOCK);
    if (got != static_cast<ssize_t>(sizeof pool)) {
      // Only before the kernel's pool is seeded: fall back to a weaker, still varying source.
      for (auto& v : pool)
        v = static_cast<uint16_t>(std::random_device{}());
    }
    next = 0;
  }
  return pool[next++];
}

asio::ip::address_v4 to_asio(ipv4_address a) {
  return asio::ip::address_v4(a.value);
}

} // namespace

dns_forward::dns_forward(dns_strand strand, std::vector<dns_upstream> upstreams,
                         std::chrono::milliseconds timeout_per_server, dns_transport transport,
                         std::vector<uint8_t> query, const dns_message& parsed, done_handler done)
    : strand_(std::move(strand)), udp_(strand_), tcp_(strand_), timer_(strand_),
      upstreams_(std::move(upstreams)), timeout_(timeout_per_server), transport_(transport),
      request_(std::move(query)), client_id_(parsed.header.id), question_(parsed.question),
      done_(std::move(done)) {}

void dns_forward::start() {
  try_next_server();
}

void dns_forward::cancel() {
  finished_ = true;
  done_ = nullptr;
  close_sockets();
}

void dns_forward::close_sockets() {
  error_code ignored;
  udp_.close(ignored);
  tcp_.close(ignored);
  timer_.cancel();
}

void dns_forward::finish(std::optional<std::vector<uint8_t>> reply) {
  finished_ = true;
  close_sockets();
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(reply));
}

void dns_forward::try_next_server() {
  close_sockets();
  if (finished_) return;
  if (next_server_ >= upstreams_.size()) return finish(std::nullopt);
  const auto& server = upstreams_[next_server_++];
  ++attempt_;
  upstream_id_ = random_query_id();
  set_dns_message_id(request_, upstream_id_);
  arm_timeout();
  if (transport_ == dns_transport::udp)
    send_udp(udp::endpoint(to_asio(server.address), server.port));
  else
    exchange_tcp(tcp::endpoint(to_asio(server.address), server.port));
}

void dns_forward::arm_timeout() {
  timer_.expires_after(timeout_);
  timer_.async_wait([self = shared_from_this(), attempt = attempt_](error_code ec) {
    if (ec || !self->current(attempt)) return;
    lg.debug("upstream DNS server timed out",
             {{"server", self->upstreams_[self->next_server_ - 1].address.to_string()},
              {"name", self->question_.name}});
    self->try_next_server();
  });
}

void dns_forward::send_udp(const udp::endpoint& server) {
  error_code ec;
  udp_.open(udp::v4(), ec);
  if (!ec) udp_.non_blocking(true, ec);
  // A connected socket only hears from the server it asked, and sees ICMP port unreachable.
  if (!ec) udp_.connect(server, ec);
  if (ec) return try_next_server();
  // The packet is this attempt's own copy: the next attempt rewrites request_'s id.
  auto packet = std::make_shared<std::vector<uint8_t>>(request_);
  udp_.async_send(asio::buffer(*packet),
                  [self = shared_from_this(), packet, attempt = attempt_](error_code sec, size_t) {
                    if (!self->current(attempt)) return;
                    if (sec) return self->try_next_server();
                    self->wait_udp_reply();
                  });
}

void dns_forward::wait_udp_reply() {
  udp_.async_wait(udp::socket::wait_read,
                  [self = shared_from_this(), attempt = attempt_](error_code ec) {
                    if (!self->current(attempt)) return;
                    if (ec) return self->try_next_server();
                    self->receive_udp_reply();
                  });
}

void dns_forward::receive_udp_reply() {
  // Sized to the waiting datagram, so an idle forward holds no 64 KiB buffer.
  error_code ec;
  size_t waiting = udp_.available(ec);
  if (ec) return try_next_server();
  std::vector<uint8_t> reply(std::clamp<size_t>(waiting, 1, dns_max_message_size));
  size_t n = udp_.receive(asio::buffer(reply), 0, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) return wait_udp_reply();
  if (ec) return try_next_server(); // e.g. connection refused: nothing listens there
  reply.resize(n);
  on_reply(std::move(reply));
}

void dns_forward::exchange_tcp(const tcp::endpoint& server) {
  auto packet = std::make_shared<std::vector<uint8_t>>();
  packet->reserve(request_.size() + 2);
  packet->push_back(static_cast<uint8_t>(request_.size() >> 8));
  packet->push_back(static_cast<uint8_t>(request_.size() & 0xff));
  packet->insert(packet->end(), request_.begin(), request_.end());
  tcp_.async_connect(server,
                     [self = shared_from_this(), packet, attempt = attempt_](error_code ec) {
                       if (!self->current(attempt)) return;
                       if (ec) return self->try_next_server();
                       asio::async_write(self->tcp_, asio::buffer(*packet),
                                         [self, packet, attempt](error_code wec, size_t) {
                                           if (!self->current(attempt)) return;
                                           if (wec) return self->try_next_server();
                                           self->read_tcp_reply();
                                         });
                     });
}

void dns_forward::read_tcp_reply() {
  auto self = shared_from_this();
  asio::async_read(tcp_, asio::buffer(tcp_length_),
                   [self, attempt = attempt_](error_code ec, size_t) {
                     if (!self->current(attempt)) return;
                     size_t length = size_t{self->tcp_length_[0]} << 8 | self->tcp_length_[1];
                     if (ec || length == 0) return self->try_next_server();
                     self->reply_.assign(length, 0);
                     asio::async_read(self->tcp_, asio::buffer(self->reply_),
                                      [self, attempt](error_code rec, size_t) {
                                        if (!self->current(attempt)) return;
                                        if (rec) return self->try_next_server();
                                        self->on_reply(std::move(self->reply_));
                                      });
                   });
}

void dns_forward::on_reply(std::vector<uint8_t> reply) {
  auto parsed = parse_dns_reply(reply);
  bool answers_our_query = parsed && parsed->header.id == upstream_id_ &&
                           parsed->question.type == question_.type &&
                           parsed->question.qclass == question_.qclass &&
                           dns_names_equal(parsed->question.name, question_.name);
  if (!answers_our_query) {
    // Over UDP a stray or forged datagram is ignored and the real reply still awaited; a TCP
    // stream that carries anything else is broken.
    if (transport_ == dns_transport::udp) return wait_udp_reply();
    return try_next_server();
  }
  auto rcode = static_cast<dns_rcode>(parsed->header.rcode());
  if (rcode == dns_rcode::server_failure || rcode == dns_rcode::refused) {
    lg.debug("upstream DNS server failed the query, trying the next",
             {{"server", upstreams_[next_server_ - 1].address.to_string()},
              {"name", question_.name},
              {"rcode", static_cast<int>(rcode)}});
    return try_next_server();
  }
  set_dns_message_id(reply, client_id_);
  finish(std::move(reply));
}

} // namespace berth::net
