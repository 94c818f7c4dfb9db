// One query the embedded DNS server could not answer, forwarded to the upstream servers in turn
// (dockerd's forwardExtDNS): over UDP or TCP like the client's query, from the daemon's own
// network namespace, with a fresh random id and socket per attempt, a timeout per server, and the
// next server tried on a timeout, an error, SERVFAIL or REFUSED.
//
// Thread-safety: everything runs on the strand given at construction; start() and cancel() must
// be called on it. Nothing blocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "net/dns_message.hpp"
#include "net/dns_upstream.hpp"

namespace berth::net {

/// The executor every handler of one DNS server runs on.
using dns_strand = boost::asio::strand<boost::asio::io_context::executor_type>;

class dns_forward : public std::enable_shared_from_this<dns_forward> {
 public:
  /// Called once with the upstream's reply (its id already set back to the client's), or nullopt
  /// when every server failed. Not called after cancel().
  using done_handler = std::function<void(std::optional<std::vector<uint8_t>> reply)>;

  /// `query` is the client's message as received (already parsed into `parsed`).
  dns_forward(dns_strand strand, std::vector<dns_upstream> upstreams,
              std::chrono::milliseconds timeout_per_server, dns_transport transport,
              std::vector<uint8_t> query, const dns_message& parsed, done_handler done);

  /// Sends the query to the first server. May call the handler before it returns.
  void start();

  /// Abandons the query: closes its socket, never calls the handler.
  void cancel();

 private:
  void try_next_server();
  void arm_timeout();
  void send_udp(const boost::asio::ip::udp::endpoint& server);
  void wait_udp_reply();
  void receive_udp_reply();
  void exchange_tcp(const boost::asio::ip::tcp::endpoint& server);
  void read_tcp_reply();
  // Whether a handler of attempt `attempt` still matters.
  [[nodiscard]] bool current(unsigned attempt) const { return !finished_ && attempt == attempt_; }
  // An upstream answered on the current attempt: accept it, skip it, or ignore it.
  void on_reply(std::vector<uint8_t> reply);
  void finish(std::optional<std::vector<uint8_t>> reply);
  void close_sockets();

  dns_strand strand_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::socket tcp_;
  boost::asio::steady_timer timer_;
  std::vector<dns_upstream> upstreams_;
  std::chrono::milliseconds timeout_;
  dns_transport transport_;
  std::vector<uint8_t> request_; // the client's query; its id is replaced per attempt
  uint16_t client_id_;
  dns_question question_;
  done_handler done_;
  size_t next_server_ = 0;
  unsigned attempt_ = 0;
  uint16_t upstream_id_ = 0;
  bool finished_ = false;
  uint8_t tcp_length_[2] = {0, 0};
  std::vector<uint8_t> reply_;
};

} // namespace berth::net
