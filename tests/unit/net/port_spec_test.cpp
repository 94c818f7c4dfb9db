// Tests net/port_spec and net/port_spec_allocator: published ports from a container's
// configuration, libnetwork's grouping and port allocation, and their Docker JSON.
#include <cstdlib>
#include <fstream>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/port_spec.hpp"
#include "net/port_spec_allocator.hpp"
#include "tests/unit/net/expect_error.hpp"

using namespace berth;
using namespace berth::net;
using berth::net::testing::expect_error;
using json = nlohmann::json;

namespace berth::net {

// Readable failures.
void PrintTo(const transport_port& p, std::ostream* os) {
  *os << p.port << "/" << p.proto;
}
void PrintTo(const port_binding_request& r, std::ostream* os) {
  *os << r.container_port << "/" << r.proto << " <- [" << r.host_ip << "]:" << r.host_port << "-"
      << r.host_port_end;
}
void PrintTo(const port_binding_group& g, std::ostream* os) {
  *os << g.container_port << "/" << g.proto << " <- " << g.host_port << "-" << g.host_port_end
      << " on";
  for (const auto& ip : g.host_ips)
    *os << " " << ip;
}
void PrintTo(const published_port& m, std::ostream* os) {
  *os << m.container_port << "/" << m.proto << " <- [" << m.host_ip << "]:" << m.host_port;
}

} // namespace berth::net

namespace {

using bindings_map = std::map<std::string, std::vector<runtime::port_binding>>;

// --- requests from the container's configuration ---------------------------------------------

struct request_case {
  const char* what;
  std::set<std::string> exposed;
  bindings_map bindings;
  bool publish_all;
  std::vector<transport_port> expect_exposed;
  std::vector<port_binding_request> expect_published;
};

TEST(port_requests, come_from_exposed_ports_bindings_and_publish_all) {
  const std::vector<request_case> cases{
      {"exposed only", {"80/tcp"}, {}, false, {{"tcp", 80}}, {}},
      {"exact host port",
       {"80/tcp"},
       {{"80/tcp", {{"", "8080"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "", 8080, 8080}}},
      {"ephemeral on an address",
       {"80/tcp"},
       {{"80/tcp", {{"127.0.0.1", ""}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "127.0.0.1", 0, 0}}},
      {"a range",
       {"80/tcp"},
       {{"80/tcp", {{"", "8080-8090"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "", 8080, 8090}}},
      {"a protocol on the host port is ignored",
       {"80/tcp"},
       {{"80/tcp", {{"", "8080/udp"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "", 8080, 8080}}},
      {"a host port of only a protocol is ephemeral",
       {"80/tcp"},
       {{"80/tcp", {{"", "/udp"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "", 0, 0}}},
      {"an unparsable host address means the default",
       {"80/tcp"},
       {{"80/tcp", {{"localhost", "8080"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "", 8080, 8080}}},
      {"mapped IPv4 host address",
       {"80/tcp"},
       {{"80/tcp", {{"::ffff:127.0.0.1", "1"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "127.0.0.1", 1, 1}}},
      {"IPv6 host address",
       {"80/tcp"},
       {{"80/tcp", {{"::1", "8080"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "::1", 8080, 8080}}},
      {"several bindings of one port",
       {"80/tcp"},
       {{"80/tcp", {{"127.0.0.1", "8080"}, {"10.0.0.1", "8081"}}}},
       false,
       {{"tcp", 80}},
       {{"tcp", 80, "127.0.0.1", 8080, 8080}, {"tcp", 80, "10.0.0.1", 8081, 8081}}},
      {"bindings of ports that are not exposed are ignored",
       {"80/tcp"},
       {{"81/tcp", {{"", "8081"}}}},
       false,
       {{"tcp", 80}},
       {}},
      {"-P publishes ports without bindings",
       {"443/tcp", "80/tcp"},
       {{"443/tcp", {{"", "8443"}}}},
       true,
       {{"tcp", 443}, {"tcp", 80}},
       {{"tcp", 443, "", 8443, 8443}, {"tcp", 80, "", 0, 0}}},
      {"-P with an empty binding list",
       {"80/tcp"},
       {{"80/tcp", {}}},
       true,
       {{"tcp", 80}},
       {{"tcp", 80, "", 0, 0}}},
      {"protocols",
       {"53/UDP", "80", "9/sctp", "7/foo"},
       {},
       true,
       {{"udp", 53}, {"0", 7}, {"tcp", 80}, {"sctp", 9}},
       {{"udp", 53, "", 0, 0}, {"0", 7, "", 0, 0}, {"tcp", 80, "", 0, 0}, {"sctp", 9, "", 0, 0}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = port_requests_from_config(c.exposed, c.bindings, c.publish_all);
    ASSERT_TRUE(r) << error_message(r.error());
    EXPECT_EQ(r->exposed, c.expect_exposed);
    EXPECT_EQ(r->published, c.expect_published);
  }
}

TEST(port_requests, refuse_bad_host_ports_with_dockerds_message) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"abc", "strconv.ParseUint: parsing \"abc\": invalid syntax"},
      {"70000", "strconv.ParseUint: parsing \"70000\": value out of range"},
      {"9000-8000", "invalid range specified for port: 9000-8000"},
      {"8080-", "strconv.ParseUint: parsing \"\": invalid syntax"},
      {"-1", "strconv.ParseUint: parsing \"\": invalid syntax"},
  };
  for (const auto& [host_port, why] : cases) {
    SCOPED_TRACE(host_port);
    expect_error(port_requests_from_config({"80/tcp"}, {{"80/tcp", {{"", host_port}}}}, false),
                 errc::invalid_argument,
                 "error parsing HostPort value (" + host_port + "): " + why);
  }
}

TEST(port_text, splits_protocol_and_reads_ranges_like_nat) {
  using parts = std::pair<std::string, std::string>;
  EXPECT_EQ(split_proto_port("80/udp"), (parts{"udp", "80"}));
  EXPECT_EQ(split_proto_port("80"), (parts{"tcp", "80"}));
  EXPECT_EQ(split_proto_port("80/"), (parts{"tcp", "80"}));
  EXPECT_EQ(split_proto_port("8000-8080/SCTP"), (parts{"SCTP", "8000-8080"}));
  EXPECT_EQ(split_proto_port("/udp"), (parts{"", ""}));
  EXPECT_EQ(split_proto_port(""), (parts{"", ""}));

  using range = std::pair<uint16_t, uint16_t>;
  EXPECT_EQ(parse_port_range(""), (range{0, 0}));
  EXPECT_EQ(parse_port_range("8080"), (range{8080, 8080}));
  EXPECT_EQ(parse_port_range("8000-8080"), (range{8000, 8080}));
  EXPECT_EQ(parse_port_range("8000-8080-9000"), (range{8000, 8080}));
  EXPECT_EQ(parse_port_range("0-65535"), (range{0, 65535}));
  expect_error(parse_port_range("x"), errc::invalid_argument,
               "strconv.ParseUint: parsing \"x\": invalid syntax");
  expect_error(parse_port_range("65536"), errc::invalid_argument,
               "strconv.ParseUint: parsing \"65536\": value out of range");
  expect_error(parse_port_range("9-8"), errc::invalid_argument,
               "invalid range specified for port: 9-8");
}

// --- grouping per host address ---------------------------------------------------------------

struct plan_case {
  const char* what;
  std::vector<port_binding_request> published;
  port_mapping_options options;
  std::vector<port_binding_group> expect;
};

TEST(port_plan, expands_host_addresses_and_groups_like_libnetwork) {
  const port_mapping_options plain;
  port_mapping_options proxy;
  proxy.ipv6_to_ipv4_proxy = true;
  proxy.host_ipv6_listenable = true;
  port_mapping_options proxy_no_v6 = proxy;
  proxy_no_v6.host_ipv6_listenable = false;
  port_mapping_options loopback_default;
  loopback_default.default_host_ip = "127.0.0.1";
  port_mapping_options v6_default = proxy;
  v6_default.default_host_ip = "::";
  port_mapping_options v6_default_no_proxy;
  v6_default_no_proxy.default_host_ip = "::";

  const std::vector<plan_case> cases{
      {"default address",
       {{"tcp", 80, "", 8080, 8080}},
       plain,
       {{"tcp", 80, 8080, 8080, {"0.0.0.0"}}}},
      {"end 0 means exact",
       {{"tcp", 80, "", 8080, 0}},
       plain,
       {{"tcp", 80, 8080, 8080, {"0.0.0.0"}}}},
      {"with the proxy: 0.0.0.0 and ::",
       {{"tcp", 80, "", 8080, 8080}},
       proxy,
       {{"tcp", 80, 8080, 8080, {"0.0.0.0", "::"}}}},
      {"no IPv6 on the host",
       {{"tcp", 80, "", 8080, 8080}},
       proxy_no_v6,
       {{"tcp", 80, 8080, 8080, {"0.0.0.0"}}}},
      {"explicit IPv6 needs the proxy", {{"tcp", 80, "::1", 8080, 8080}}, plain, {}},
      {"explicit IPv6 with the proxy",
       {{"tcp", 80, "::1", 8080, 8080}},
       proxy,
       {{"tcp", 80, 8080, 8080, {"::1"}}}},
      {"explicit IPv4 has no IPv6 twin",
       {{"tcp", 80, "127.0.0.1", 0, 0}},
       proxy,
       {{"tcp", 80, 0, 0, {"127.0.0.1"}}}},
      {"a specific default address",
       {{"tcp", 80, "", 0, 0}},
       loopback_default,
       {{"tcp", 80, 0, 0, {"127.0.0.1"}}}},
      {"an IPv6 default address with the proxy",
       {{"tcp", 80, "", 0, 0}},
       v6_default,
       {{"tcp", 80, 0, 0, {"::"}}}},
      {"an IPv6 default address without it", {{"tcp", 80, "", 0, 0}}, v6_default_no_proxy, {}},
      {"same port on several addresses",
       {{"tcp", 80, "127.0.0.1", 8080, 8080}, {"tcp", 80, "10.0.0.1", 8080, 8080}},
       plain,
       {{"tcp", 80, 8080, 8080, {"10.0.0.1", "127.0.0.1"}}}},
      {"ephemeral on several addresses share a port",
       {{"tcp", 80, "127.0.0.1", 0, 0}, {"tcp", 80, "10.0.0.1", 0, 0}},
       proxy,
       {{"tcp", 80, 0, 0, {"10.0.0.1", "127.0.0.1"}}}},
      {"exact ports first, then container port, then protocol",
       {{"udp", 53, "", 0, 0},
        {"sctp", 80, "", 9000, 9000},
        {"udp", 80, "", 9000, 9000},
        {"tcp", 80, "", 9000, 9000},
        {"tcp", 22, "", 2222, 2223},
        {"tcp", 443, "", 8443, 8443}},
       plain,
       {{"tcp", 80, 9000, 9000, {"0.0.0.0"}},
        {"udp", 80, 9000, 9000, {"0.0.0.0"}},
        {"sctp", 80, 9000, 9000, {"0.0.0.0"}},
        {"tcp", 443, 8443, 8443, {"0.0.0.0"}},
        {"tcp", 22, 2222, 2223, {"0.0.0.0"}},
        {"udp", 53, 0, 0, {"0.0.0.0"}}}},
      {"different host ports make different groups",
       {{"tcp", 80, "", 8081, 8081}, {"tcp", 80, "", 8080, 8080}},
       plain,
       {{"tcp", 80, 8080, 8080, {"0.0.0.0"}}, {"tcp", 80, 8081, 8081, {"0.0.0.0"}}}},
      {"default-address requests sort before addressed ones",
       {{"tcp", 80, "10.0.0.1", 8080, 8080}, {"tcp", 80, "", 8080, 8080}},
       plain,
       {{"tcp", 80, 8080, 8080, {"0.0.0.0", "10.0.0.1"}}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(plan_port_bindings(c.published, c.options), c.expect);
  }
}

// --- the allocator -------------------------------------------------------------------------

TEST(port_allocator, exact_ports_conflict_across_wildcard_and_specific_addresses) {
  port_allocator a({40000, 40009});
  const std::string in_use = " failed: port is already allocated";
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 18080, 18080), 18080);
  expect_error(a.request({"0.0.0.0"}, "tcp", 18080, 18080), errc::internal,
               "Bind for 0.0.0.0:18080" + in_use);
  expect_error(a.request({"127.0.0.1"}, "tcp", 18080, 18080), errc::internal,
               "Bind for 0.0.0.0:18080" + in_use);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "udp", 18080, 18080), 18080); // other protocol
  EXPECT_EQ(*a.request({"::"}, "tcp", 18080, 18080), 18080);      // other family
  EXPECT_TRUE(a.is_allocated("0.0.0.0", "tcp", 18080));
  EXPECT_FALSE(a.is_allocated("127.0.0.1", "tcp", 18080));

  EXPECT_EQ(*a.request({"127.0.0.1"}, "tcp", 9000, 9000), 9000);
  EXPECT_EQ(*a.request({"10.0.0.1"}, "tcp", 9000, 9000), 9000); // two specific addresses
  // dockerd names whichever holder its map iteration meets first; Berth the lowest address.
  expect_error(a.request({"0.0.0.0"}, "tcp", 9000, 9000), errc::internal,
               "Bind for 10.0.0.1:9000" + in_use);
  expect_error(a.request({"127.0.0.1"}, "tcp", 9000, 9000), errc::internal,
               "Bind for 127.0.0.1:9000" + in_use);
  EXPECT_EQ(*a.request({"::1"}, "tcp", 9000, 9000), 9000);
  expect_error(a.request({"::"}, "tcp", 9000, 9000), errc::internal, "Bind for ::1:9000" + in_use);
  expect_error(a.request({"0.0.0.0", "::"}, "tcp", 18080, 18080), errc::internal,
               "Bind for 0.0.0.0:18080" + in_use);

  a.release("0.0.0.0", "tcp", 18080);
  EXPECT_FALSE(a.is_allocated("0.0.0.0", "tcp", 18080));
  EXPECT_EQ(*a.request({"127.0.0.1"}, "tcp", 18080, 18080), 18080);
  a.release("nonsense", "tcp", 1); // ignored
  a.release("192.0.2.1", "tcp", 1);
}

TEST(port_allocator, ranges_continue_after_the_last_port_they_gave) {
  port_allocator a({40000, 40002});
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 0, 0), 40000);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 0, 0), 40001);
  a.release("0.0.0.0", "tcp", 40000);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 0, 0), 40002); // onwards, not the freed one
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 0, 0), 40000); // wraps around
  expect_error(a.request({"0.0.0.0"}, "tcp", 0, 0), errc::internal, "all ports are allocated");
  a.release("0.0.0.0", "tcp", 40001);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 0, 0), 40001);

  // Each requested range has its own cursor; the ephemeral range's is untouched.
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 8000, 8002), 8000);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 8001, 8002), 8001);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 8000, 8002), 8002);
  expect_error(a.request({"0.0.0.0"}, "tcp", 8000, 8002), errc::internal,
               "all ports are allocated");
  EXPECT_EQ(*a.request({"0.0.0.0"}, "udp", 0, 0), 40000);
}

TEST(port_allocator, ranges_skip_ports_taken_on_related_addresses) {
  port_allocator a({40000, 40009});
  EXPECT_EQ(*a.request({"127.0.0.1"}, "tcp", 40000, 40000), 40000);
  EXPECT_EQ(*a.request({"0.0.0.0"}, "tcp", 0, 0), 40001);       // 40000 is taken on 127.0.0.1
  EXPECT_EQ(*a.request({"127.0.0.1"}, "tcp", 0, 0), 40000 + 2); // 40001 is taken on 0.0.0.0
  // Several addresses get one port, free on all of them.
  EXPECT_EQ(*a.request({"::"}, "tcp", 40003, 40003), 40003);
  EXPECT_EQ(*a.request({"0.0.0.0", "::"}, "tcp", 0, 0), 40004);
  EXPECT_TRUE(a.is_allocated("0.0.0.0", "tcp", 40004));
  EXPECT_TRUE(a.is_allocated("::", "tcp", 40004));
}

TEST(port_allocator, refuses_bad_requests) {
  port_allocator a;
  EXPECT_EQ(a.ephemeral(), (port_range{49153, 65535}));
  expect_error(a.request({"0.0.0.0"}, "icmp", 1, 1), errc::internal, "unknown protocol");
  expect_error(a.request({"0.0.0.0"}, "TCP", 1, 1), errc::internal, "unknown protocol");
  expect_error(a.request({"0.0.0.0"}, "tcp", 0, 5), errc::internal, "invalid port range: 0-5");
  expect_error(a.request({"0.0.0.0"}, "tcp", 5, 0), errc::internal, "invalid port range: 5-0");
  expect_error(a.request({"0.0.0.0"}, "tcp", 9, 5), errc::internal, "invalid port range: 9-5");
  expect_error(a.request({}, "tcp", 5, 5), errc::internal, "no IP addresses specified");
  expect_error(a.request({"0.0.0.0", "x"}, "tcp", 5, 5), errc::internal, "invalid IP address: x");
  EXPECT_FALSE(a.is_allocated("0.0.0.0", "tcp", 5)); // nothing taken on failure
}

TEST(port_allocator, reads_the_kernels_ephemeral_range) {
  EXPECT_EQ(parse_ip_local_port_range("32768\t60999\n"), (port_range{32768, 60999}));
  EXPECT_EQ(parse_ip_local_port_range("1024 1024"), (port_range{1024, 1024}));
  EXPECT_FALSE(parse_ip_local_port_range(""));
  EXPECT_FALSE(parse_ip_local_port_range("60999 32768"));
  EXPECT_FALSE(parse_ip_local_port_range("0 100"));
  EXPECT_FALSE(parse_ip_local_port_range("1 70000"));
  EXPECT_FALSE(parse_ip_local_port_range("x y"));

  char path[] = "/tmp/berth-port-range-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << "20000\t20100\n";
  EXPECT_EQ(read_ip_local_port_range(path), (port_range{20000, 20100}));
  std::ofstream(path) << "garbage";
  EXPECT_EQ(read_ip_local_port_range(path), port_range{});
  ::unlink(path);
  EXPECT_EQ(read_ip_local_port_range(path), port_range{});
  auto real = read_ip_local_port_range();
  EXPECT_LE(real.begin, real.end);
}

TEST(port_allocator, allocating_groups_rolls_back_on_failure) {
  port_allocator a({40000, 40009});
  std::vector<port_binding_group> groups{{"tcp", 80, 8080, 8080, {"0.0.0.0", "::"}},
                                         {"udp", 53, 0, 0, {"127.0.0.1"}}};
  auto made = allocate_port_bindings(groups, a);
  ASSERT_TRUE(made) << error_message(made.error());
  EXPECT_EQ(*made, (std::vector<published_port>{{"tcp", "0.0.0.0", 8080, 80},
                                              {"tcp", "::", 8080, 80},
                                              {"udp", "127.0.0.1", 40000, 53}}));
  std::vector<port_binding_group> clash{{"tcp", 81, 9090, 9090, {"0.0.0.0"}},
                                        {"tcp", 82, 8080, 8080, {"127.0.0.1"}}};
  expect_error(allocate_port_bindings(clash, a), errc::internal,
               "Bind for 0.0.0.0:8080 failed: port is already allocated");
  EXPECT_FALSE(a.is_allocated("0.0.0.0", "tcp", 9090)); // the first group was given back
  release_port_bindings(*made, a);
  EXPECT_FALSE(a.is_allocated("0.0.0.0", "tcp", 8080));
  EXPECT_FALSE(a.is_allocated("::", "tcp", 8080));
  EXPECT_FALSE(a.is_allocated("127.0.0.1", "udp", 40000));
}

// --- rendering -----------------------------------------------------------------------------

TEST(port_rendering, network_settings_and_summary) {
  std::vector<transport_port> exposed{{"tcp", 80}, {"tcp", 443}, {"udp", 53}};
  std::vector<published_port> mappings{{"tcp", "0.0.0.0", 8080, 80},
                                     {"tcp", "::", 8080, 80},
                                     {"udp", "127.0.0.1", 5353, 53},
                                     {"tcp", "0.0.0.0", 0, 8000}};
  auto ports = network_settings_ports(exposed, mappings);
  EXPECT_EQ(ports, json::parse(R"({
    "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
    "443/tcp": null,
    "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "5353"}],
    "8000/tcp": [{"HostIp": "0.0.0.0", "HostPort": ""}]
  })"));
  EXPECT_EQ(network_settings_ports({}, {}), json::object());
  EXPECT_EQ(container_summary_ports(ports), json::parse(R"([
    {"PrivatePort": 443, "Type": "tcp"},
    {"IP": "127.0.0.1", "PrivatePort": 53, "PublicPort": 5353, "Type": "udp"},
    {"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
    {"IP": "::", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"},
    {"IP": "0.0.0.0", "PrivatePort": 8000, "Type": "tcp"}
  ])"));
  EXPECT_EQ(container_summary_ports(json::parse(R"({"x/tcp": null, "80/tcp": [{"HostPort": "y"}],
                                                    "81/udp": []})")),
            json::parse(R"([{"PrivatePort": 81, "Type": "udp"}])"));
  EXPECT_EQ(container_summary_ports(json()), json::array());
}

TEST(port_rendering, end_to_end_from_a_run_command) {
  // docker run -p 8080:80 -p 127.0.0.1::53/udp -P --expose 443 (image EXPOSE 80)
  std::set<std::string> exposed{"80/tcp", "53/udp", "443/tcp"};
  bindings_map bindings{{"80/tcp", {{"", "8080"}}}, {"53/udp", {{"127.0.0.1", ""}}}};
  auto requests = port_requests_from_config(exposed, bindings, true);
  ASSERT_TRUE(requests);
  port_mapping_options options;
  options.ipv6_to_ipv4_proxy = true;
  options.host_ipv6_listenable = true;
  auto groups = plan_port_bindings(requests->published, options);
  port_allocator allocator({32768, 60999});
  auto made = allocate_port_bindings(groups, allocator);
  ASSERT_TRUE(made) << error_message(made.error());
  EXPECT_EQ(network_settings_ports(requests->exposed, *made), json::parse(R"({
    "80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}, {"HostIp": "::", "HostPort": "8080"}],
    "443/tcp": [{"HostIp": "0.0.0.0", "HostPort": "32768"}, {"HostIp": "::", "HostPort": "32768"}],
    "53/udp": [{"HostIp": "127.0.0.1", "HostPort": "32768"}]
  })"));
  // A second container asking for 8080 collides.
  auto again =
      allocate_port_bindings(plan_port_bindings({{"tcp", 80, "", 8080, 8080}}, options), allocator);
  expect_error(again, errc::internal, "Bind for 0.0.0.0:8080 failed: port is already allocated");
}

} // namespace
