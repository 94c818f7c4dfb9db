// Tests net/dns_server and net/dns_sockets end to end with two throwaway network namespaces: the
// "container" one holds the server's sockets (bound at 127.0.0.11:53 by bind_dns_sockets), the
// test's clients and busybox nslookup; the "daemon" one runs the I/O thread, so forwarded queries
// leave from it, and the fake upstream servers listen there (127.0.0.53/54:5353). Nothing touches
// the host's network.
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <fcntl.h>
#include <future>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/subprocess.hpp"
#include "base/sys.hpp"
#include "net/dns_server.hpp"
#include "net/dns_table.hpp"
#include "net/netns.hpp"
#include "tests/unit/net/dns_test_support.hpp"

using namespace berth;
using namespace berth::net;
using namespace berth::net::testing;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;
using bytes = std::vector<uint8_t>;

constexpr uint16_t upstream_port = 5353;

ipv4_address ip(std::string_view text) {
  return *ipv4_address::parse(text);
}

sockaddr_in socket_address(const char* address, uint16_t port) {
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &to.sin_addr);
  return to;
}

// A socket made inside `netns` (it stays there) and connected to address:port.
unique_fd client_socket(const std::string& netns, int type, const char* address = "127.0.0.11",
                        uint16_t port = 53) {
  unique_fd fd;
  auto err = run_in_netns(netns, [&]() -> caf::error {
    fd.reset(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
    auto to = socket_address(address, port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof to) != 0)
      return sys::error_from_errno("connect", address, errno);
    return {};
  });
  EXPECT_FALSE(err) << error_message(err);
  return fd;
}

bool wait_readable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

std::optional<bytes> udp_exchange(int fd, const bytes& query,
                                  std::chrono::milliseconds timeout = 5s) {
  if (::send(fd, query.data(), query.size(), 0) != static_cast<ssize_t>(query.size()))
    return std::nullopt;
  if (!wait_readable(fd, timeout)) return std::nullopt;
  bytes reply(65536);
  auto n = ::recv(fd, reply.data(), reply.size(), 0);
  if (n < 0) return std::nullopt;
  reply.resize(static_cast<size_t>(n));
  return reply;
}

// Reads exactly out.size() bytes; false on EOF, error or deadline.
bool read_exact(int fd, std::span<uint8_t> out, steady::time_point deadline) {
  size_t done = 0;
  while (done < out.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left <= 0ms || !wait_readable(fd, left)) return false;
    auto n = ::recv(fd, out.data() + done, out.size() - done, 0);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

bool send_framed(int fd, const bytes& message) {
  bytes framed{static_cast<uint8_t>(message.size() >> 8), static_cast<uint8_t>(message.size())};
  framed.insert(framed.end(), message.begin(), message.end());
  return ::send(fd, framed.data(), framed.size(), MSG_NOSIGNAL) ==
         static_cast<ssize_t>(framed.size());
}

std::optional<bytes> read_framed(int fd, std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  uint8_t length[2];
  if (!read_exact(fd, length, deadline)) return std::nullopt;
  bytes reply(size_t{length[0]} << 8 | length[1]);
  if (!read_exact(fd, reply, deadline)) return std::nullopt;
  return reply;
}

std::optional<bytes> tcp_exchange(int fd, const bytes& query,
                                  std::chrono::milliseconds timeout = 5s) {
  if (!send_framed(fd, query)) return std::nullopt;
  return read_framed(fd, timeout);
}

// True when the peer closes the connection within `timeout`: EOF, or a reset when it was still
// waiting in the listener's backlog as the listener closed.
bool closed_by_peer(int fd, std::chrono::milliseconds timeout) {
  if (!wait_readable(fd, timeout)) return false;
  uint8_t b;
  auto n = ::recv(fd, &b, 1, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

// A DNS server on its own thread for the forwarding tests. `respond` decides what each query gets
// back: nothing (a dead server), one reply, or several datagrams (forgeries first).
class fake_upstream {
 public:
  using responder = std::function<std::vector<bytes>(const dns_message& query)>;

  fake_upstream(const std::string& netns, const char* address, responder respond)
      : respond_(std::move(respond)) {
    auto err = run_in_netns(netns, [&]() -> caf::error {
      auto where = socket_address(address, upstream_port);
      auto* sa = reinterpret_cast<sockaddr*>(&where);
      udp_.reset(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      tcp_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (::bind(udp_.get(), sa, sizeof where) != 0 || ::bind(tcp_.get(), sa, sizeof where) != 0 ||
          ::listen(tcp_.get(), 16) != 0)
        return sys::error_from_errno("bind fake upstream", address, errno);
      return {};
    });
    EXPECT_FALSE(err) << error_message(err);
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    stop_read_.reset(p[0]);
    stop_write_.reset(p[1]);
    thread_ = std::thread([this] { loop(); });
  }

  ~fake_upstream() {
    (void)!::write(stop_write_.get(), "x", 1);
    thread_.join();
  }

  [[nodiscard]] int udp_queries() const { return udp_queries_.load(); }
  [[nodiscard]] int tcp_queries() const { return tcp_queries_.load(); }

 private:
  void loop() {
    while (true) {
      pollfd fds[3] = {
          {udp_.get(), POLLIN, 0}, {tcp_.get(), POLLIN, 0}, {stop_read_.get(), POLLIN, 0}};
      if (::poll(fds, 3, 1000) < 0 && errno != EINTR) return;
      if (fds[2].revents) return;
      if (fds[0].revents & POLLIN) serve_udp();
      if (fds[1].revents & POLLIN) serve_tcp();
    }
  }

  void serve_udp() {
    bytes query(65536);
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    auto n = ::recvfrom(udp_.get(), query.data(), query.size(), 0,
                        reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) return;
    query.resize(static_cast<size_t>(n));
    auto parsed = parse_dns_query(query);
    if (!parsed) return;
    ++udp_queries_;
    for (const auto& reply : respond_(*parsed))
      ::sendto(udp_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
               from_len);
  }

  void serve_tcp() {
    unique_fd peer(::accept4(tcp_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!peer) return;
    auto query = read_framed(peer.get(), 2s);
    if (!query) return;
    auto parsed = parse_dns_query(*query);
    if (!parsed) return;
    ++tcp_queries_;
    auto replies = respond_(*parsed);
    for (const auto& reply : replies)
      send_framed(peer.get(), reply);
    // A silent server keeps the connection open: the client must time out, not see EOF.
    if (replies.empty()) silent_connections_.push_back(std::move(peer));
  }

  responder respond_;
  unique_fd udp_;
  unique_fd tcp_;
  unique_fd stop_read_;
  unique_fd stop_write_;
  std::atomic<int> udp_queries_{0};
  std::atomic<int> tcp_queries_{0};
  std::vector<unique_fd> silent_connections_; // the server thread's only
  std::thread thread_;
};

std::vector<ipv4_address> range(const char* first, size_t n) {
  std::vector<ipv4_address> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(ipv4_address{ip(first).value + static_cast<uint32_t>(i)});
  return out;
}

// Answers A queries with `addresses` (TTL 300), anything else with an empty NOERROR.
fake_upstream::responder answer_with(std::vector<ipv4_address> addresses) {
  return [addresses](const dns_message& q) -> std::vector<bytes> {
    if (q.question.type != dns_type::a) return {build_dns_response(q, dns_rcode::no_error)};
    return {build_dns_a_response(q, addresses, dns_max_message_size, 300)};
  };
}

fake_upstream::responder fail_with(dns_rcode rcode) {
  return [rcode](const dns_message& q) -> std::vector<bytes> {
    return {build_dns_response(q, rcode)};
  };
}

fake_upstream::responder silent() {
  return [](const dns_message&) -> std::vector<bytes> { return {}; };
}

// Two forgeries (wrong id; right id but another question) before the real answer.
fake_upstream::responder forgeries_then(std::vector<ipv4_address> addresses) {
  return [addresses](const dns_message& q) -> std::vector<bytes> {
    auto wrong_id = build_dns_a_response(q, std::vector{ip("203.0.113.66")}, 512);
    set_dns_message_id(wrong_id, static_cast<uint16_t>(q.header.id ^ 0x5555));
    dns_message other = q;
    other.question.name = "other";
    other.question.wire_name = std::string("\x05other\x00", 7);
    auto wrong_question = build_dns_a_response(other, std::vector{ip("203.0.113.67")}, 512);
    return {wrong_id, wrong_question, build_dns_a_response(q, addresses, 512)};
  };
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = steady::now() + timeout;
  while (steady::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms); // polling a counter another thread bumps; bounded
  }
  return condition();
}

class dns_server_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    char tmpl[] = "/tmp/berth-dns-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    container_ns_ = dir_ + "/container";
    daemon_ns_ = dir_ + "/daemon";
    ASSERT_FALSE(create_netns(container_ns_));
    ASSERT_FALSE(create_netns(daemon_ns_));
    table_.set_entries("id-mynet", {.network_name = "mynet",
                                    .names = {{"web", {ip("172.20.0.5"), ip("172.20.0.6")}},
                                              {"db", {ip("172.20.0.7")}},
                                              {"many", range("10.99.0.1", 100)}},
                                    .reverse = {{ip("172.20.0.5"), "web"}}});
    // Two I/O threads, like the daemon's pool: the server's strand must serialize its handlers.
    for (int i = 0; i < io_thread_count; ++i) {
      auto done = std::make_shared<std::promise<void>>();
      io_done_.push_back(done->get_future());
      io_threads_.emplace_back([this, done] {
        auto err = run_in_netns(daemon_ns_, [this]() -> caf::error {
          io_.run();
          return {};
        });
        if (err) {
          ADD_FAILURE() << error_message(err);
        }
        done->set_value();
      });
    }
  }

  void TearDown() override {
    server_.reset();
    if (!io_threads_.empty()) {
      EXPECT_TRUE(stop_io(5s)) << "handlers still pending after stop";
    }
    upstreams_.clear();
    if (!dir_.empty()) {
      EXPECT_FALSE(remove_netns(container_ns_));
      EXPECT_FALSE(remove_netns(daemon_ns_));
      EXPECT_FALSE(sys::remove_all(dir_));
    }
  }

  // Lets the I/O threads run out of work; true when they did within `within`.
  bool stop_io(std::chrono::milliseconds within) {
    guard_.reset();
    auto deadline = steady::now() + within;
    bool finished = true;
    for (auto& done : io_done_)
      finished = finished && done.wait_until(deadline) == std::future_status::ready;
    if (!finished) io_.stop();
    for (auto& t : io_threads_)
      t.join();
    io_threads_.clear();
    return finished;
  }

  void start_server(dns_server_options options = {}) {
    auto sockets = bind_dns_sockets(container_ns_);
    ASSERT_TRUE(sockets) << error_message(sockets.error());
    std::vector<std::string> networks{"id-mynet"};
    auto server = dns_server::start(
        io_, std::move(*sockets),
        [this, networks](std::string_view name) { return table_.lookup(networks, name); }, options,
        [this, networks](ipv4_address a) { return table_.reverse_lookup(networks, a); });
    ASSERT_TRUE(server) << error_message(server.error());
    server_ = std::move(*server);
  }

  fake_upstream& add_upstream(const char* address, fake_upstream::responder respond) {
    upstreams_.push_back(std::make_unique<fake_upstream>(daemon_ns_, address, std::move(respond)));
    return *upstreams_.back();
  }

  static dns_server_options forwarding_to(std::vector<const char*> addresses,
                                          std::chrono::milliseconds timeout = 2s) {
    dns_server_options options;
    for (const auto* a : addresses)
      options.upstreams.push_back({ip(a), upstream_port});
    options.upstream_timeout = timeout;
    return options;
  }

  decoded_message ask_udp(const query_spec& spec) {
    auto fd = client_socket(container_ns_, SOCK_DGRAM);
    auto reply = udp_exchange(fd.get(), make_query(spec));
    EXPECT_TRUE(reply) << "no UDP reply for " << spec.name;
    auto m = reply ? decode(*reply) : std::nullopt;
    EXPECT_TRUE(m) << "undecodable reply for " << spec.name;
    if (m) {
      EXPECT_EQ(m->header.id, spec.id);
    }
    return m.value_or(decoded_message{});
  }

  std::string dir_;
  std::string container_ns_;
  std::string daemon_ns_;
  dns_table table_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard_{
      asio::make_work_guard(io_)};
  static constexpr int io_thread_count = 2;
  std::vector<std::future<void>> io_done_;
  std::vector<std::thread> io_threads_;
  std::vector<std::unique_ptr<fake_upstream>> upstreams_;
  std::unique_ptr<dns_server> server_;
};

} // namespace

TEST_F(dns_server_test, answers_container_names_over_udp) {
  start_server();
  auto m = ask_udp({.id = 0x1111, .name = "WEB."});
  EXPECT_EQ(m.header.rcode(), 0);
  EXPECT_TRUE(m.header.is_response());
  EXPECT_EQ(m.question_name, "WEB") << "the question is echoed as asked";
  auto addresses = m.addresses();
  std::sort(addresses.begin(), addresses.end());
  EXPECT_EQ(addresses, (std::vector{ip("172.20.0.5"), ip("172.20.0.6")}));
  for (const auto& r : m.answers)
    EXPECT_EQ(r.ttl, 600u);
  EXPECT_EQ(ask_udp({.name = "db.mynet"}).addresses(), std::vector{ip("172.20.0.7")});
  EXPECT_EQ(server_->counters().answered_locally, 2u);
}

TEST_F(dns_server_test, answers_several_queries_on_one_tcp_connection) {
  start_server();
  auto fd = client_socket(container_ns_, SOCK_STREAM);
  for (uint16_t id : {1, 2, 3}) {
    auto reply = tcp_exchange(fd.get(), make_query({.id = id, .name = "db"}));
    ASSERT_TRUE(reply);
    auto m = decode(*reply);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header.id, id);
    EXPECT_EQ(m->addresses(), std::vector{ip("172.20.0.7")});
  }
}

TEST_F(dns_server_test, known_names_get_empty_aaaa_and_mx_answers) {
  start_server();
  for (auto type : {dns_type::aaaa, dns_type::mx}) {
    auto m = ask_udp({.name = "web", .type = type});
    EXPECT_EQ(m.header.rcode(), 0);
    EXPECT_TRUE(m.answers.empty());
    EXPECT_EQ(m.question_type, type);
  }
}

TEST_F(dns_server_test, answers_ptr_queries_for_container_addresses) {
  start_server();
  auto m = ask_udp({.name = "5.0.20.172.in-addr.arpa", .type = dns_type::ptr});
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].type, dns_type::ptr);
  EXPECT_EQ(std::string(m.answers[0].rdata.begin(), m.answers[0].rdata.end()),
            std::string("\x03web\x05mynet\x00", 11));
}

TEST_F(dns_server_test, unknown_names_without_upstreams_are_servfail) {
  start_server();
  EXPECT_EQ(ask_udp({.name = "example.com"}).header.rcode(), 2);
  EXPECT_EQ(ask_udp({.name = "web", .qclass = 3}).header.rcode(), 2) << "class CH is forwarded";
  EXPECT_EQ(ask_udp({.name = "web", .type = 16}).header.rcode(), 2) << "TXT is forwarded";
  EXPECT_EQ(server_->counters().forward_failures, 3u);
}

TEST_F(dns_server_test, truncates_long_udp_answers_unless_edns_or_tcp_allows_them) {
  start_server();
  auto classic = ask_udp({.name = "many"});
  EXPECT_TRUE(classic.header.truncated());
  EXPECT_LT(classic.answers.size(), 100u);
  auto edns = ask_udp({.name = "many", .edns_size = 1232});
  EXPECT_TRUE(edns.header.truncated()) << "100 records need more than 1232 bytes";
  EXPECT_GT(edns.answers.size(), classic.answers.size());
  ASSERT_EQ(edns.additional.size(), 1u);
  EXPECT_EQ(edns.additional[0].type, dns_type::opt);
  auto large = ask_udp({.name = "many", .edns_size = 4096});
  EXPECT_FALSE(large.header.truncated());
  EXPECT_EQ(large.answers.size(), 100u);

  auto fd = client_socket(container_ns_, SOCK_STREAM);
  auto reply = tcp_exchange(fd.get(), make_query({.name = "many"}));
  ASSERT_TRUE(reply);
  auto m = decode(*reply);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->header.truncated());
  EXPECT_EQ(m->answers.size(), 100u);
}

TEST_F(dns_server_test, malformed_messages_get_formerr_or_nothing) {
  start_server();
  auto fd = client_socket(container_ns_, SOCK_DGRAM);
  bytes runt{1, 2, 3, 4, 5};
  EXPECT_FALSE(udp_exchange(fd.get(), runt, 300ms)) << "no header, no answer";
  auto response = make_query({.id = 0x7777});
  response[2] |= 0x80;
  EXPECT_FALSE(udp_exchange(fd.get(), response, 300ms)) << "responses are never answered";
  bytes no_question{0x42, 0x42, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  auto formerr = udp_exchange(fd.get(), no_question);
  ASSERT_TRUE(formerr);
  auto m = decode(*formerr);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.id, 0x4242);
  EXPECT_EQ(m->header.rcode(), 1);
  auto badvers = ask_udp({.name = "web", .edns_size = 1232, .edns_version = 1});
  ASSERT_EQ(badvers.additional.size(), 1u);
  EXPECT_EQ(badvers.additional[0].ttl >> 24, 1u);
  auto notimp = ask_udp({.name = "web", .flags = 0x2000 /* opcode 4, NOTIFY */});
  EXPECT_EQ(notimp.header.rcode(), 4);
  EXPECT_EQ(ask_udp({.name = "web"}).addresses().size(), 2u) << "still serving";
  EXPECT_EQ(server_->counters().malformed, 3u);
}

TEST_F(dns_server_test, forwards_unknown_names_over_udp_from_the_daemon_namespace) {
  auto& upstream = add_upstream("127.0.0.53", answer_with({ip("198.51.100.7")}));
  start_server(forwarding_to({"127.0.0.53"}));
  auto m = ask_udp({.id = 0x2222, .name = "example.com"});
  EXPECT_EQ(m.header.rcode(), 0);
  EXPECT_EQ(m.addresses(), std::vector{ip("198.51.100.7")});
  EXPECT_EQ(m.answers.at(0).ttl, 300u) << "the upstream's record, relayed";
  EXPECT_EQ(upstream.udp_queries(), 1);
  EXPECT_EQ(upstream.tcp_queries(), 0);
  auto aaaa = ask_udp({.name = "example.com", .type = dns_type::aaaa});
  EXPECT_EQ(aaaa.header.rcode(), 0);
  EXPECT_EQ(upstream.udp_queries(), 2) << "AAAA of an unknown name goes upstream";
  EXPECT_EQ(server_->counters().forwarded, 2u);
}

TEST_F(dns_server_test, forwards_tcp_queries_over_tcp) {
  auto& upstream = add_upstream("127.0.0.53", answer_with(range("198.51.100.1", 60)));
  start_server(forwarding_to({"127.0.0.53"}));
  auto fd = client_socket(container_ns_, SOCK_STREAM);
  auto reply = tcp_exchange(fd.get(), make_query({.id = 9, .name = "big.example"}));
  ASSERT_TRUE(reply);
  auto m = decode(*reply);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.id, 9);
  EXPECT_EQ(m->answers.size(), 60u);
  EXPECT_EQ(upstream.tcp_queries(), 1);
  EXPECT_EQ(upstream.udp_queries(), 0);
}

TEST_F(dns_server_test, relayed_replies_larger_than_the_client_buffer_become_truncated) {
  add_upstream("127.0.0.53", answer_with(range("198.51.100.1", 60))); // about 1 KB
  start_server(forwarding_to({"127.0.0.53"}));
  auto classic = ask_udp({.name = "big.example"});
  EXPECT_TRUE(classic.header.truncated());
  EXPECT_TRUE(classic.answers.empty());
  auto edns = ask_udp({.name = "big.example", .edns_size = 1232});
  EXPECT_FALSE(edns.header.truncated());
  EXPECT_EQ(edns.answers.size(), 60u);
}

TEST_F(dns_server_test, tries_the_next_upstream_after_failure_refusal_or_a_closed_port) {
  auto& failing = add_upstream("127.0.0.53", fail_with(dns_rcode::server_failure));
  auto& refusing = add_upstream("127.0.0.54", fail_with(dns_rcode::refused));
  auto& good = add_upstream("127.0.0.56", answer_with({ip("198.51.100.9")}));
  // 127.0.0.55 has nothing listening: ICMP port unreachable, no timeout needed.
  start_server(forwarding_to({"127.0.0.55", "127.0.0.53", "127.0.0.54", "127.0.0.56"}, 10s));
  auto started = steady::now();
  auto m = ask_udp({.name = "example.com"});
  EXPECT_LT(steady::now() - started, 2s) << "no server timed out";
  EXPECT_EQ(m.addresses(), std::vector{ip("198.51.100.9")});
  EXPECT_EQ(failing.udp_queries(), 1);
  EXPECT_EQ(refusing.udp_queries(), 1);
  EXPECT_EQ(good.udp_queries(), 1);

  auto fd = client_socket(container_ns_, SOCK_STREAM);
  auto reply = tcp_exchange(fd.get(), make_query({.name = "example.com"}));
  ASSERT_TRUE(reply);
  EXPECT_EQ(decode(*reply)->addresses(), std::vector{ip("198.51.100.9")});
  EXPECT_EQ(good.tcp_queries(), 1);
}

TEST_F(dns_server_test, a_silent_upstream_is_skipped_after_its_timeout) {
  add_upstream("127.0.0.53", silent());
  add_upstream("127.0.0.54", answer_with({ip("198.51.100.10")}));
  start_server(forwarding_to({"127.0.0.53", "127.0.0.54"}, 300ms));
  auto started = steady::now();
  auto m = ask_udp({.name = "example.com"});
  auto elapsed = steady::now() - started;
  EXPECT_EQ(m.addresses(), std::vector{ip("198.51.100.10")});
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
}

TEST_F(dns_server_test, servfail_in_bounded_time_when_every_upstream_is_silent) {
  add_upstream("127.0.0.53", silent());
  add_upstream("127.0.0.54", silent());
  start_server(forwarding_to({"127.0.0.53", "127.0.0.54"}, 300ms));
  for (bool tcp : {false, true}) {
    auto started = steady::now();
    std::optional<decoded_message> m;
    if (tcp) {
      auto fd = client_socket(container_ns_, SOCK_STREAM);
      auto reply = tcp_exchange(fd.get(), make_query({.name = "example.com"}));
      if (reply) m = decode(*reply);
    } else {
      m = ask_udp({.name = "example.com"});
    }
    auto elapsed = steady::now() - started;
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header.rcode(), 2) << (tcp ? "tcp" : "udp");
    EXPECT_GE(elapsed, 590ms);
    EXPECT_LT(elapsed, 3s);
  }
}

TEST_F(dns_server_test, ignores_forged_upstream_replies) {
  add_upstream("127.0.0.53", forgeries_then({ip("198.51.100.11")}));
  start_server(forwarding_to({"127.0.0.53"}));
  auto m = ask_udp({.name = "example.com"});
  EXPECT_EQ(m.addresses(), std::vector{ip("198.51.100.11")});
}

TEST_F(dns_server_test, refuses_queries_beyond_the_forward_limit) {
  auto& upstream = add_upstream("127.0.0.53", silent());
  auto options = forwarding_to({"127.0.0.53"}, 2s);
  options.max_forwards = 1;
  start_server(options);
  auto first = client_socket(container_ns_, SOCK_DGRAM);
  auto query = make_query({.name = "example.com"});
  ASSERT_EQ(::send(first.get(), query.data(), query.size(), 0), static_cast<ssize_t>(query.size()));
  ASSERT_TRUE(wait_until([&] { return upstream.udp_queries() == 1; }, 2s));
  auto m = ask_udp({.name = "example.org"});
  EXPECT_EQ(m.header.rcode(), 5);
  EXPECT_EQ(server_->counters().refused, 1u);
  // The first one still ends, with SERVFAIL after its timeout.
  ASSERT_TRUE(wait_readable(first.get(), 5s));
  bytes reply(512);
  auto n = ::recv(first.get(), reply.data(), reply.size(), 0);
  ASSERT_GT(n, 0);
  reply.resize(static_cast<size_t>(n));
  EXPECT_EQ(decode(reply)->header.rcode(), 2);
}

TEST_F(dns_server_test, closes_idle_tcp_connections_and_turns_away_extra_ones) {
  dns_server_options options;
  options.tcp_idle_timeout = 200ms;
  options.max_tcp_connections = 1;
  start_server(options);
  auto first = client_socket(container_ns_, SOCK_STREAM);
  ASSERT_TRUE(tcp_exchange(first.get(), make_query({.name = "db"}))); // accepted and served
  auto second = client_socket(container_ns_, SOCK_STREAM);
  EXPECT_TRUE(closed_by_peer(second.get(), 150ms)) << "over the connection limit";
  auto started = steady::now();
  EXPECT_TRUE(closed_by_peer(first.get(), 3s)) << "idle connection";
  EXPECT_GE(steady::now() - started, 100ms);
  EXPECT_EQ(server_->counters().dropped, 1u);
}

TEST_F(dns_server_test, serves_concurrent_clients_on_several_io_threads) {
  add_upstream("127.0.0.53", answer_with({ip("198.51.100.13")}));
  start_server(forwarding_to({"127.0.0.53"}));
  constexpr int clients = 6;
  constexpr int queries_per_client = 30;
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      bool tcp = c % 2 == 1;
      auto fd = client_socket(container_ns_, tcp ? SOCK_STREAM : SOCK_DGRAM);
      for (int i = 0; i < queries_per_client; ++i) {
        bool local = i % 2 == 0;
        auto id = static_cast<uint16_t>(c * 1000 + i);
        auto query = make_query({.id = id, .name = local ? "db" : "example.com"});
        auto reply = tcp ? tcp_exchange(fd.get(), query) : udp_exchange(fd.get(), query);
        auto m = reply ? decode(*reply) : std::nullopt;
        if (m && m->header.id == id &&
            m->addresses() == std::vector{ip(local ? "172.20.0.7" : "198.51.100.13")})
          ++correct;
      }
    });
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(correct.load(), clients * queries_per_client);
  auto counts = server_->counters();
  EXPECT_EQ(counts.answered_locally, uint64_t{clients * queries_per_client / 2});
  EXPECT_EQ(counts.forwarded, uint64_t{clients * queries_per_client / 2});
}

TEST_F(dns_server_test, busybox_nslookup_resolves_through_the_server) {
  if (::access("/usr/bin/busybox", X_OK) != 0 && ::access("/bin/busybox", X_OK) != 0)
    GTEST_SKIP() << "busybox not installed";
  add_upstream("127.0.0.53", answer_with({ip("198.51.100.12")}));
  start_server(forwarding_to({"127.0.0.53"}));
  auto nslookup = [&](const std::string& name) {
    auto result = run_process(
        {"nsenter", "--net=" + container_ns_, "busybox", "nslookup", name, "127.0.0.11"}, 10s);
    EXPECT_TRUE(result) << error_message(result.error());
    return result ? *result : process_result{};
  };
  auto local = nslookup("web");
  EXPECT_EQ(local.exit_code, 0) << local.output;
  EXPECT_NE(local.output.find("172.20.0.5"), std::string::npos) << local.output;
  EXPECT_NE(local.output.find("172.20.0.6"), std::string::npos) << local.output;
  auto forwarded = nslookup("example.com");
  EXPECT_EQ(forwarded.exit_code, 0) << forwarded.output;
  EXPECT_NE(forwarded.output.find("198.51.100.12"), std::string::npos) << forwarded.output;
}

TEST_F(dns_server_test, stopping_with_work_in_flight_releases_everything_at_once) {
  auto& upstream = add_upstream("127.0.0.53", silent());
  start_server(forwarding_to({"127.0.0.53"}, 30s));
  auto udp_client = client_socket(container_ns_, SOCK_DGRAM);
  auto query = make_query({.name = "example.com"});
  ASSERT_EQ(::send(udp_client.get(), query.data(), query.size(), 0),
            static_cast<ssize_t>(query.size()));
  auto tcp_client = client_socket(container_ns_, SOCK_STREAM);
  ASSERT_TRUE(send_framed(tcp_client.get(), query));
  auto idle_tcp = client_socket(container_ns_, SOCK_STREAM);
  ASSERT_TRUE(
      wait_until([&] { return upstream.udp_queries() == 1 && upstream.tcp_queries() == 1; }, 3s));
  auto started = steady::now();
  server_.reset();
  EXPECT_TRUE(stop_io(2s)) << "a forward or connection kept the I/O thread busy";
  EXPECT_LT(steady::now() - started, 2s);
  EXPECT_TRUE(closed_by_peer(tcp_client.get(), 1s));
  EXPECT_TRUE(closed_by_peer(idle_tcp.get(), 1s));
  EXPECT_FALSE(wait_readable(udp_client.get(), 100ms)) << "no reply after stop";
}

TEST_F(dns_server_test, lookups_are_not_called_after_stop_returns) {
  auto sockets = bind_dns_sockets(container_ns_);
  ASSERT_TRUE(sockets);
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto server = dns_server::start(io_, std::move(*sockets), [calls](std::string_view) {
    ++*calls;
    return std::vector{ipv4_address{1}};
  });
  ASSERT_TRUE(server);
  EXPECT_EQ(ask_udp({.name = "x"}).addresses(), std::vector{ipv4_address{1}});
  (*server)->stop();
  (*server)->stop(); // idempotent
  int after_stop = calls->load();
  // The socket closes on the strand just after stop(): a query may still slip in, but it never
  // reaches the lookup (no lookup: no upstreams: SERVFAIL).
  auto fd = client_socket(container_ns_, SOCK_DGRAM);
  if (auto late = udp_exchange(fd.get(), make_query({.name = "x"}), 300ms)) {
    EXPECT_EQ(decode(*late)->header.rcode(), 2);
  }
  EXPECT_EQ(calls->load(), after_stop);
  EXPECT_EQ(calls.use_count(), 1) << "the lookup was released";
}

TEST_F(dns_server_test, binding_reports_errors) {
  EXPECT_FALSE(bind_dns_sockets(dir_ + "/no-such-netns"));
  EXPECT_FALSE(bind_dns_sockets(container_ns_, "not-an-address"));
  auto first = bind_dns_sockets(container_ns_);
  ASSERT_TRUE(first);
  auto again = bind_dns_sockets(container_ns_);
  ASSERT_FALSE(again);
  EXPECT_NE(error_message(again.error()).find("127.0.0.11:53"), std::string::npos)
      << error_message(again.error());
  EXPECT_TRUE(bind_dns_sockets(container_ns_, "127.0.0.12", 5300)) << "another address is free";
}
