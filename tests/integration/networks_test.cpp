// Integration tests of networking with the real docker CLI against a real berthd: the built-in
// networks, user networks and their IPAM, addresses inside containers, the embedded DNS, DNS and
// hosts options, published TCP and UDP ports, the none/host/container modes, live connect and
// disconnect, what is left in the kernel after everything is removed, a `kill -9` restart, and bad
// input over the API. Every daemon has its own network prefix, bridge subnet and address pool
// (see test_daemon); all traffic stays between the host's loopback and the test's own bridges.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <regex>
#include <sched.h>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/ipv4.hpp"
#include "daemon_test.hpp"
#include "host_network.hpp"
#include "test_images.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

using clock_type = std::chrono::steady_clock;

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text))
    if (trim(l) == line) return true;
  return false;
}

// The IPv4 addresses `ip -4 addr show` printed, as "a.b.c.d/len".
std::vector<std::string> inet_addresses(const std::string& ip_output) {
  static const std::regex inet(R"(inet (\d+\.\d+\.\d+\.\d+/\d+))");
  std::vector<std::string> out;
  for (std::sregex_iterator it(ip_output.begin(), ip_output.end(), inet), end; it != end; ++it)
    out.push_back((*it)[1]);
  return out;
}

// True when `text` mentions `token` as a whole address or number (so 10.1.2.3 does not match
// 10.1.2.30, and port 4000 does not match 40001).
bool mentions(const std::string& text, const std::string& token) {
  std::string escaped;
  for (char c : token)
    escaped += (c == '.') ? std::string("\\.") : std::string(1, c);
  return std::regex_search(text, std::regex("(^|[^0-9.])" + escaped + "([^0-9]|$)"));
}

// A JSON string's value; "" for anything else (a missing field fails the comparison that uses
// it, not the whole test with an exception).
std::string str(const json& j) {
  return j.is_string() ? j.get<std::string>() : std::string();
}

bool in_subnet(const std::string& address, const std::string& subnet) {
  auto a = berth::ipv4_address::parse(address);
  auto s = berth::ipv4_cidr::parse(subnet);
  return a && s && s->contains(*a);
}

// "10.1.2.0/24" -> "10.1.2." (the test's own /24s: their addresses are this plus a number).
std::string stem_of(const std::string& subnet24) {
  return subnet24.substr(0, subnet24.rfind('.') + 1);
}

std::string address_of(const std::string& cidr) {
  return cidr.substr(0, cidr.find('/'));
}

// A socket created inside the network namespace of process `pid`: setns on a thread of its own
// (a thread's network namespace is its own), and a socket stays in the namespace it was made in.
int socket_in_netns_of(int pid, int type) {
  int fd = -1;
  std::thread([&] {
    int ns = ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    if (ns >= 0 && ::setns(ns, CLONE_NEWNET) == 0) fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    if (ns >= 0) ::close(ns);
  }).join();
  return fd;
}

// A shell command serving `text` as /index.html with busybox httpd on `port`.
std::string serve(const std::string& text, int port) {
  return "mkdir -p /www && echo " + text + " > /www/index.html && exec httpd -f -p " +
         std::to_string(port) + " -h /www";
}

class networks : public daemon_test {
 protected:
  // Runs a docker command that must fail; returns its stderr.
  std::string fails(const std::vector<std::string>& args) {
    auto r = docker(args);
    EXPECT_NE(r.exit_code, 0) << "docker " << args.front() << " " << args.at(1) << ": " << r.out;
    return r.err;
  }

  json inspect_network(const std::string& name) { return inspect(name, "network"); }

  int pid_of(const std::string& container) {
    auto pid = inspect(container)["State"]["Pid"];
    return pid.is_number_integer() ? pid.get<int>() : -1;
  }

  std::string ip_of(const std::string& container, const std::string& network) {
    auto settings = inspect(container)["NetworkSettings"]["Networks"];
    if (!settings.contains(network)) return {};
    return str(settings[network]["IPAddress"]);
  }

  // Runs a host program in a running container's network namespace (what `docker exec` of the
  // same command would show about links, addresses and routes).
  command_result in_netns_of(const std::string& container, std::vector<std::string> argv) {
    auto pid = pid_of(container);
    if (pid <= 0) return {.exit_code = -1, .err = container + " has no process"};
    argv.insert(argv.begin(), {"nsenter", "--net=/proc/" + std::to_string(pid) + "/ns/net"});
    return run(argv, {.timeout = 10s});
  }

  // GETs http://127.0.0.1:<port>/ until the body is `expected` or `timeout` passed (the server in
  // a just-started container may not listen yet); returns the last body.
  static std::string http_get_until(int port, const std::string& expected,
                                    std::chrono::milliseconds timeout = 5s) {
    auto deadline = clock_type::now() + timeout;
    std::string body;
    for (;;) {
      body = trim(
          run({"curl", "-s", "--max-time", "2", "http://127.0.0.1:" + std::to_string(port) + "/"})
              .out);
      if (body == expected || clock_type::now() >= deadline) return body;
      std::this_thread::sleep_for(100ms); // no event tells when the server listens
    }
  }

  // Follows network events since `since` (unix time) and collects "<action> <network>" lines
  // until one equals `last` or the timeout.
  std::vector<std::string> network_events_until(const std::string& since, const std::string& last,
                                                std::chrono::milliseconds timeout = 10s) {
    background_process events({"docker", "events", "--since", since, "--filter", "type=network",
                               "--format", "{{.Action}} {{.Actor.Attributes.name}}"},
                              daemon_.docker_env());
    std::vector<std::string> seen;
    auto deadline = clock_type::now() + timeout;
    while (clock_type::now() < deadline) {
      auto line = events.read_line(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()));
      if (!line) break;
      seen.push_back(*line);
      if (*line == last) break;
    }
    return seen;
  }

  std::string veth_prefix() const { return daemon_.network_prefix + "v"; }

  size_t host_veths() const {
    size_t n = 0;
    for (const auto& link : links_with_prefix(daemon_.network_prefix))
      n += link.rfind(veth_prefix(), 0) == 0;
    return n;
  }

  std::string bridge_of(const std::string& network_id) const {
    return daemon_.network_prefix + "-" + network_id.substr(0, 8);
  }

  std::string gateway() const { return address_of(daemon_.bip); }
};

} // namespace

// ---- built-in networks and the default bridge -------------------------------------------------

TEST_F(networks, builtin_networks_are_listed_and_bridge_uses_bip) {
  EXPECT_EQ(
      lines_of(ok({"network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"})),
      (std::vector<std::string>{"bridge bridge local", "host host local", "none null local"}));

  auto bridge = inspect_network("bridge");
  EXPECT_EQ(bridge["Name"], "bridge");
  EXPECT_EQ(bridge["Driver"], "bridge");
  EXPECT_EQ(bridge["Scope"], "local");
  EXPECT_EQ(bridge["Internal"], false);
  EXPECT_EQ(bridge["EnableIPv6"], false);
  EXPECT_EQ(bridge["IPAM"]["Driver"], "default");
  ASSERT_EQ(bridge["IPAM"]["Config"].size(), 1U) << bridge.dump();
  EXPECT_EQ(bridge["IPAM"]["Config"][0]["Subnet"], daemon_.bip_subnet);
  EXPECT_EQ(bridge["IPAM"]["Config"][0]["Gateway"], gateway());
  const json expected_options = {{"com.docker.network.bridge.default_bridge", "true"},
                                 {"com.docker.network.bridge.enable_icc", "true"},
                                 {"com.docker.network.bridge.enable_ip_masquerade", "true"},
                                 {"com.docker.network.bridge.host_binding_ipv4", "0.0.0.0"},
                                 {"com.docker.network.bridge.name", daemon_.network_prefix + "0"},
                                 {"com.docker.network.driver.mtu", "1500"}};
  for (const auto& [key, value] : expected_options.items())
    EXPECT_EQ(bridge["Options"].value(key, json()), value) << key << " in " << bridge.dump();
  EXPECT_TRUE(bridge["Containers"].empty());

  // The bridge device on the host carries the gateway address.
  auto host_side = run({"ip", "-4", "addr", "show", "dev", daemon_.network_prefix + "0"});
  EXPECT_EQ(inet_addresses(host_side.out), std::vector<std::string>{daemon_.bip}) << host_side.err;

  // A container on it: an address from --bip, the default route via the gateway, and the
  // daemon's --dns in resolv.conf (no embedded DNS on the default bridge).
  auto inside = ok({"run", "--rm", "busybox", "sh", "-c",
                    "ip -4 addr show eth0; echo @@; ip route; echo @@; cat /etc/resolv.conf"});
  auto eth0 = inet_addresses(inside);
  ASSERT_EQ(eth0.size(), 1U) << inside;
  EXPECT_TRUE(in_subnet(address_of(eth0[0]), daemon_.bip_subnet)) << eth0[0];
  EXPECT_EQ(eth0[0].substr(eth0[0].find('/')), "/24");
  EXPECT_THAT(inside, HasSubstr("default via " + gateway() + " dev eth0")) << inside;
  EXPECT_TRUE(has_line(inside, "nameserver 127.0.0.1")) << inside;
  EXPECT_FALSE(has_line(inside, "nameserver 127.0.0.11")) << inside;
}

TEST_F(networks, default_bridge_containers_reach_each_other_by_ip) {
  ok({"run", "-d", "--name", "peer", "busybox", "sleep", "300"});
  auto a = inspect("peer");
  auto ip = str(a["NetworkSettings"]["IPAddress"]);
  EXPECT_TRUE(in_subnet(ip, daemon_.bip_subnet)) << ip;
  // The top-level fields describe the default bridge, as on dockerd.
  EXPECT_EQ(a["NetworkSettings"]["Networks"]["bridge"]["IPAddress"], ip);
  EXPECT_EQ(a["NetworkSettings"]["Gateway"], gateway());
  EXPECT_EQ(a["NetworkSettings"]["IPPrefixLen"], 24);
  EXPECT_EQ(a["NetworkSettings"]["MacAddress"],
            a["NetworkSettings"]["Networks"]["bridge"]["MacAddress"]);
  auto ping = docker({"run", "--rm", "busybox", "ping", "-c", "1", "-W", "2", ip});
  EXPECT_EQ(ping.exit_code, 0) << ping.out << ping.err;
  EXPECT_THAT(ping.out, HasSubstr("1 packets received"));
  EXPECT_EQ(inspect_network("bridge")["Containers"].size(), 1U);
}

// ---- user networks: create, inspect, remove, prune --------------------------------------------

TEST_F(networks, user_networks_are_created_inspected_and_removed) {
  auto since = unix_now();
  auto subnet = daemon_.spare_subnet();
  auto stem = stem_of(subnet);
  auto id = ok({"network", "create", "--subnet", subnet, "--gateway", stem + "254", "--ip-range",
                stem + "128/25", "--label", "team=a", "n1"});
  ASSERT_EQ(id.size(), 64U) << id;
  auto n1 = inspect_network("n1");
  EXPECT_EQ(n1["Id"], id);
  EXPECT_EQ(n1["Driver"], "bridge");
  EXPECT_EQ(n1["Scope"], "local");
  EXPECT_EQ(n1["Labels"], json({{"team", "a"}}));
  ASSERT_EQ(n1["IPAM"]["Config"].size(), 1U) << n1.dump();
  EXPECT_EQ(n1["IPAM"]["Config"][0]["Subnet"], subnet);
  EXPECT_EQ(n1["IPAM"]["Config"][0]["Gateway"], stem + "254");
  EXPECT_EQ(n1["IPAM"]["Config"][0]["IPRange"], stem + "128/25");
  EXPECT_TRUE(n1["Containers"].empty());
  // Its bridge on the host: <prefix>-<first 8 of the ID>, with the gateway address.
  auto host_side = run({"ip", "-4", "addr", "show", "dev", bridge_of(id)});
  EXPECT_EQ(inet_addresses(host_side.out), std::vector<std::string>{stem + "254/24"})
      << host_side.err;

  // Without --subnet: the next /24 of the daemon's default address pool, gateway first.
  ok({"network", "create", "n2"});
  auto n2_subnet = str(inspect_network("n2")["IPAM"]["Config"][0]["Subnet"]);
  EXPECT_TRUE(in_subnet(address_of(n2_subnet), daemon_.address_pool)) << n2_subnet;
  EXPECT_EQ(n2_subnet.substr(n2_subnet.find('/')), "/24");
  EXPECT_EQ(inspect_network("n2")["IPAM"]["Config"][0]["Gateway"], stem_of(n2_subnet) + "1");

  // Refused, and nothing made.
  EXPECT_THAT(fails({"network", "create", "n1"}), HasSubstr("network with name n1 already exists"));
  EXPECT_THAT(fails({"network", "create", "--subnet", subnet, "n3"}),
              HasSubstr("Pool overlaps with other one on this address space"));
  EXPECT_THAT(fails({"network", "create", "--subnet", "300.1.1.0/24", "n3"}),
              HasSubstr("invalid subnet 300.1.1.0/24"));
  // The CLI itself refuses a gateway outside the subnet; dockerd would too ("invalid gateway").
  auto other = daemon_.spare_subnet();
  EXPECT_THAT(fails({"network", "create", "--subnet", other, "--gateway", stem + "1", "n3"}),
              HasSubstr("gateway"));
  EXPECT_THAT(fails({"network", "rm", "bridge"}),
              HasSubstr("bridge is a pre-defined network and cannot be removed"));
  EXPECT_THAT(fails({"network", "rm", "host"}),
              HasSubstr("host is a pre-defined network and cannot be removed"));
  EXPECT_EQ(lines_of(ok({"network", "ls", "--format", "{{.Name}}"})),
            (std::vector<std::string>{"bridge", "host", "n1", "n2", "none"}));
  EXPECT_EQ(ok({"network", "ls", "-q", "--no-trunc", "--filter", "label=team=a"}), id);

  // In use: not removable; prune takes only the unused user networks.
  ok({"network", "create", "n3"});
  ok({"run", "-d", "--name", "user", "--network", "n2", "busybox", "sleep", "300"});
  EXPECT_THAT(fails({"network", "rm", "n2"}), HasSubstr("has active endpoints"));
  auto pruned = ok({"network", "prune", "-f"});
  EXPECT_THAT(pruned, HasSubstr("Deleted Networks:"));
  EXPECT_TRUE(has_line(pruned, "n1")) << pruned;
  EXPECT_TRUE(has_line(pruned, "n3")) << pruned;
  EXPECT_FALSE(has_line(pruned, "n2")) << pruned;
  EXPECT_EQ(lines_of(ok({"network", "ls", "--format", "{{.Name}}"})),
            (std::vector<std::string>{"bridge", "host", "n2", "none"}));
  EXPECT_EQ(run({"ip", "link", "show", bridge_of(id)}).exit_code, 1) << "n1's bridge is left";

  ok({"rm", "-f", "user"});
  EXPECT_EQ(ok({"network", "rm", "n2"}), "n2");
  EXPECT_EQ(links_with_prefix(daemon_.network_prefix),
            std::vector<std::string>{daemon_.network_prefix + "0"});

  auto events = network_events_until(since, "destroy n2");
  std::set<std::string> seen(events.begin(), events.end());
  for (const auto* expected : {"create n1", "create n2", "create n3", "connect n2", "destroy n1",
                               "destroy n3", "disconnect n2", "destroy n2"})
    EXPECT_TRUE(seen.count(expected)) << expected << " not among the network events";
}

// ---- addresses ---------------------------------------------------------------------------------

TEST_F(networks, addresses_come_from_the_ip_range_and_are_released) {
  auto subnet = daemon_.spare_subnet();
  auto stem = stem_of(subnet);
  ok({"network", "create", "--subnet", subnet, "--gateway", stem + "254", "--ip-range",
      stem + "128/25", "n1"});

  ok({"run", "-d", "--name", "a1", "--network", "n1", "busybox", "sleep", "300"});
  EXPECT_EQ(ip_of("a1", "n1"), stem + "128");
  auto a1 = inspect("a1")["NetworkSettings"]["Networks"]["n1"];
  EXPECT_EQ(a1["Gateway"], stem + "254");
  EXPECT_EQ(a1["IPPrefixLen"], 24);
  EXPECT_EQ(a1["NetworkID"], inspect_network("n1")["Id"]);
  // Inside: eth0 has it, and the MAC inspect reports; a locally administered unicast MAC.
  auto eth0 = in_netns_of("a1", {"ip", "-4", "addr", "show", "eth0"});
  EXPECT_EQ(inet_addresses(eth0.out), std::vector<std::string>{stem + "128/24"}) << eth0.err;
  auto link = in_netns_of("a1", {"ip", "link", "show", "eth0"}).out;
  std::smatch mac;
  ASSERT_TRUE(std::regex_search(link, mac, std::regex("link/ether ([0-9a-f:]{17})"))) << link;
  EXPECT_EQ(a1["MacAddress"], mac[1].str());
  EXPECT_EQ(std::stoi(mac[1].str().substr(0, 2), nullptr, 16) & 0x03, 0x02) << mac[1];

  ok({"run", "-d", "--name", "a2", "--network", "n1", "--ip", stem + "200", "busybox", "sleep",
      "300"});
  EXPECT_EQ(ip_of("a2", "n1"), stem + "200");
  EXPECT_NE(inspect("a2")["NetworkSettings"]["Networks"]["n1"]["MacAddress"], a1["MacAddress"]);
  EXPECT_EQ(inspect("a2")["NetworkSettings"]["Networks"]["n1"]["IPAMConfig"]["IPv4Address"],
            stem + "200");

  // The same fixed address again: the container is created, its start fails, nothing is left.
  EXPECT_THAT(fails({"run", "-d", "--name", "a3", "--network", "n1", "--ip", stem + "200",
                     "busybox", "sleep", "300"}),
              HasSubstr("Address already in use"));
  EXPECT_EQ(inspect("a3")["State"]["Status"], "created");
  EXPECT_EQ(host_veths(), 2U);
  EXPECT_EQ(netns_pins(daemon_.exec_root).size(), 2U);
  // --ip needs a user network.
  EXPECT_THAT(fails({"run", "--rm", "--ip", stem + "9", "busybox", "true"}),
              HasSubstr("user specified IP address is supported on user defined networks only"));

  // Removing a1 frees its address: the next container gets it back, then the one after it.
  ok({"rm", "-f", "a1"});
  ok({"run", "-d", "--name", "a4", "--network", "n1", "busybox", "sleep", "300"});
  EXPECT_EQ(ip_of("a4", "n1"), stem + "128");
  ok({"run", "-d", "--name", "a5", "--network", "n1", "busybox", "sleep", "300"});
  EXPECT_EQ(ip_of("a5", "n1"), stem + "129");
  EXPECT_EQ(inspect_network("n1")["Containers"].size(), 3U);
}

// ---- embedded DNS ------------------------------------------------------------------------------

TEST_F(networks, embedded_dns_resolves_names_and_aliases_on_user_networks) {
  ok({"network", "create", "n1"});
  ok({"network", "create", "n2"});
  auto id = ok({"run", "-d", "--name", "web", "--network", "n1", "--network-alias", "www",
                "busybox", "sh", "-c", serve("hello-web", 80)});
  auto web = ip_of("web", "n1");
  ASSERT_FALSE(web.empty());
  EXPECT_EQ(inspect("web")["NetworkSettings"]["Networks"]["n1"]["DNSNames"],
            json({"web", "www", id.substr(0, 12)}));

  // One client does every check (a container start costs more than the checks).
  auto client =
      docker({"run", "--rm", "--network", "n1", "busybox", "sh", "-c",
              "cat /etc/resolv.conf; echo @@web; timeout 5 nslookup web; echo @@www; "
              "timeout 5 nslookup www; echo @@ping; "
              "ping -c 1 -W 2 web >/dev/null && echo ping-ok; echo @@http; "
              "for i in $(seq 50); do wget -qO- http://web/ 2>/dev/null && break; sleep 0.1; done; "
              "wget -qO- http://www/"});
  ASSERT_EQ(client.exit_code, 0) << client.out << client.err;
  auto section = [&](const std::string& name) {
    auto begin = client.out.find("@@" + name);
    if (begin == std::string::npos) return std::string();
    auto end = client.out.find("@@", begin + 2);
    return client.out.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  };
  auto resolv = client.out.substr(0, client.out.find("@@"));
  EXPECT_TRUE(has_line(resolv, "nameserver 127.0.0.11")) << resolv;
  size_t nameservers = 0;
  for (const auto& line : lines_of(resolv))
    nameservers += line.rfind("nameserver", 0) == 0;
  EXPECT_EQ(nameservers, 1U) << "only the embedded server: " << resolv;
  EXPECT_TRUE(mentions(section("web"), web)) << section("web");
  EXPECT_TRUE(mentions(section("www"), web)) << section("www");
  EXPECT_THAT(section("ping"), HasSubstr("ping-ok"));
  EXPECT_EQ(lines_of(section("http")),
            (std::vector<std::string>{"@@http", "hello-web", "hello-web"}));

  // Names are per network: not on n2, not on the default bridge.
  auto elsewhere =
      docker({"run", "--rm", "--network", "n2", "busybox", "timeout", "3", "nslookup", "web"});
  EXPECT_FALSE(mentions(elsewhere.out, web)) << elsewhere.out;
  auto bridge = docker({"run", "--rm", "busybox", "ping", "-c", "1", "-W", "1", "web"});
  EXPECT_NE(bridge.exit_code, 0);
  EXPECT_THAT(bridge.err + bridge.out, HasSubstr("bad address 'web'"));
}

TEST_F(networks, dns_options_and_extra_hosts_reach_the_containers_files) {
  const std::vector<std::string> options = {"--add-host",   "foo:10.1.2.3", "--dns",
                                            "10.9.9.9",     "--dns-search", "example.test",
                                            "--dns-option", "ndots:2"};
  const std::string show = "cat /etc/hosts; echo @@; cat /etc/resolv.conf";
  auto run_with = [&](const std::vector<std::string>& network) {
    std::vector<std::string> args{"run", "--rm"};
    args.insert(args.end(), network.begin(), network.end());
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {"busybox", "sh", "-c", show});
    auto out = ok(args);
    auto split = out.find("@@");
    return std::pair{out.substr(0, split), split == std::string::npos ? "" : out.substr(split)};
  };

  // Default bridge: the given server is the nameserver.
  auto [hosts, resolv] = run_with({});
  EXPECT_TRUE(has_line(hosts, "10.1.2.3\tfoo")) << hosts;
  EXPECT_TRUE(has_line(resolv, "nameserver 10.9.9.9")) << resolv;
  EXPECT_FALSE(has_line(resolv, "nameserver 127.0.0.1")) << resolv;
  EXPECT_TRUE(has_line(resolv, "search example.test")) << resolv;
  EXPECT_TRUE(has_line(resolv, "options ndots:2")) << resolv;

  // User network: the embedded server is the nameserver (10.9.9.9 becomes its upstream).
  ok({"network", "create", "n1"});
  auto [user_hosts, user_resolv] = run_with({"--network", "n1"});
  EXPECT_TRUE(has_line(user_hosts, "10.1.2.3\tfoo")) << user_hosts;
  EXPECT_TRUE(has_line(user_resolv, "nameserver 127.0.0.11")) << user_resolv;
  EXPECT_FALSE(has_line(user_resolv, "nameserver 10.9.9.9")) << user_resolv;
  EXPECT_TRUE(has_line(user_resolv, "search example.test")) << user_resolv;
  EXPECT_TRUE(has_line(user_resolv, "options ndots:2")) << user_resolv;

  // The container's own address and hostname are in its hosts file; inspect keeps the options.
  auto id =
      ok({"run", "-d", "--network", "n1", "--add-host", "foo:10.1.2.3", "busybox", "sleep", "300"});
  auto c = inspect(id);
  auto own_hosts = read_text("/proc/" + std::to_string(pid_of(id)) + "/root/etc/hosts");
  auto ip = str(c["NetworkSettings"]["Networks"]["n1"]["IPAddress"]);
  EXPECT_THAT(own_hosts, HasSubstr(ip + "\t" + id.substr(0, 12))) << own_hosts;
  EXPECT_EQ(c["HostConfig"]["ExtraHosts"], json({"foo:10.1.2.3"}));
}

// ---- published ports ---------------------------------------------------------------------------

TEST_F(networks, published_tcp_port_reaches_the_container_from_the_host) {
  auto port = free_tcp_port();
  auto hp = std::to_string(port);
  ok({"run", "-d", "--name", "web", "-p", "127.0.0.1:" + hp + ":8080", "busybox", "sh", "-c",
      serve("hello-published", 8080)});
  EXPECT_EQ(http_get_until(port, "hello-published"), "hello-published");
  EXPECT_EQ(ok({"port", "web"}), "8080/tcp -> 127.0.0.1:" + hp);
  EXPECT_EQ(ok({"ps", "--format", "{{.Names}} {{.Ports}}"}), "web 127.0.0.1:" + hp + "->8080/tcp");
  auto c = inspect("web");
  const json binding = json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", hp}}});
  EXPECT_EQ(c["NetworkSettings"]["Ports"]["8080/tcp"], binding);
  EXPECT_EQ(c["HostConfig"]["PortBindings"]["8080/tcp"], binding);
  // ps filters by the ports ps shows, as dockerd's publish=/expose=: publish= the host ports,
  // expose= the container ports, and a container that is not running has none.
  ok({"run", "-d", "--name", "exp", "--expose", "9000-9001/udp", "busybox", "sleep", "1000"});
  ok({"create", "--name", "idle", "--expose", "9001/udp", "-p", "127.0.0.1::8080", "busybox"});
  auto names = [&](const std::string& filter) {
    return ok({"ps", "-a", "--filter", filter, "--format", "{{.Names}}"});
  };
  EXPECT_EQ(names("publish=" + hp), "web");
  EXPECT_EQ(names("publish=" + std::to_string(port - 1) + "-" + std::to_string(port + 1) + "/tcp"),
            "web");
  EXPECT_EQ(names("publish=" + hp + "/udp"), "");
  if (port != 8080) {
    EXPECT_EQ(names("publish=8080"), "");
  }
  EXPECT_EQ(names("expose=8080"), "web");
  EXPECT_EQ(names("expose=9001/udp"), "exp");
  EXPECT_EQ(names("expose=9001"), "");
  ok({"rm", "idle"});
  auto colon = docker({"ps", "--filter", "publish=80:80"});
  EXPECT_THAT(colon.err, HasSubstr("filter for 'publish' should not contain ':': 80:80"));
  EXPECT_THAT(docker({"ps", "--filter", "publish=9000-8000/udp"}).err,
              HasSubstr("error while looking up for publish 9000-8000/udp: invalid range "
                        "specified for port: 9000-8000"));
  EXPECT_THAT(docker({"ps", "--filter", "expose=x"}).err,
              HasSubstr("error while looking up for expose x: strconv.ParseUint: parsing "
                        "\"x\": invalid syntax"));
  EXPECT_THAT(docker({"ps", "--filter", "expose=/udp"}).err,
              HasSubstr("error while looking up for expose /udp: empty string specified for "
                        "ports"));
  ok({"rm", "-f", "exp"});

  // All interfaces (no host IP): reachable through 127.0.0.1 too.
  auto any_port = free_tcp_port();
  ok({"run", "-d", "--name", "any", "-p", std::to_string(any_port) + ":8080", "busybox", "sh", "-c",
      serve("hello-any", 8080)});
  EXPECT_EQ(http_get_until(any_port, "hello-any"), "hello-any");
  EXPECT_THAT(ok({"port", "any"}), HasSubstr("8080/tcp -> 0.0.0.0:" + std::to_string(any_port)));

  // The same host port again: the container is created, its start fails, nothing half-made.
  auto veths = host_veths();
  auto pins = netns_pins(daemon_.exec_root).size();
  EXPECT_THAT(fails({"run", "-d", "--name", "clash", "-p", "127.0.0.1:" + hp + ":8080", "busybox",
                     "sleep", "300"}),
              HasSubstr("port is already allocated"));
  EXPECT_THAT(ok({"ps", "-a", "--format", "{{.Names}} {{.Status}}"}), HasSubstr("clash Created"));
  EXPECT_EQ(host_veths(), veths);
  EXPECT_EQ(netns_pins(daemon_.exec_root).size(), pins);
  EXPECT_EQ(http_get_until(port, "hello-published"), "hello-published"); // web still has it

  // Removing the owner frees the port for the one that could not have it.
  ok({"rm", "-f", "web"});
  EXPECT_NE(run({"curl", "-s", "--max-time", "2", "http://127.0.0.1:" + hp + "/"}).exit_code, 0);
  ok({"rm", "clash"});
  ok({"run", "-d", "--name", "clash", "-p", "127.0.0.1:" + hp + ":8080", "busybox", "sh", "-c",
      serve("hello-again", 8080)});
  EXPECT_EQ(http_get_until(port, "hello-again"), "hello-again");
}

TEST_F(networks, ephemeral_and_publish_all_ports) {
  ok({"run", "-d", "--name", "eph", "-p", "127.0.0.1::8080", "busybox", "sh", "-c",
      serve("hello-eph", 8080)});
  auto mapped = ok({"port", "eph", "8080/tcp"});
  ASSERT_EQ(mapped.rfind("127.0.0.1:", 0), 0U) << mapped;
  auto port = std::stoi(mapped.substr(mapped.find(':') + 1));
  EXPECT_GT(port, 1023);
  EXPECT_EQ(http_get_until(port, "hello-eph"), "hello-eph");
  EXPECT_EQ(inspect("eph")["NetworkSettings"]["Ports"]["8080/tcp"][0]["HostPort"],
            std::to_string(port));

  // -P publishes what the image EXPOSEs, on ephemeral ports of every interface.
  ok({"import", "--change", "EXPOSE 8080", "--change", "ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      test_images_dir() + "/rootfs.tar", "exposed:1"});
  ok({"run", "-d", "--name", "all", "-P", "exposed:1", "sh", "-c", serve("hello-all", 8080)});
  auto all = ok({"port", "all"});
  std::smatch m;
  ASSERT_TRUE(std::regex_search(all, m, std::regex(R"(8080/tcp -> 0\.0\.0\.0:(\d+))"))) << all;
  auto all_port = std::stoi(m[1]);
  EXPECT_NE(all_port, port);
  EXPECT_EQ(http_get_until(all_port, "hello-all"), "hello-all");
  EXPECT_TRUE(inspect("all")["Config"]["ExposedPorts"].contains("8080/tcp"));
  EXPECT_EQ(inspect("all")["HostConfig"]["PublishAllPorts"], true);
}

TEST_F(networks, published_udp_port_delivers_datagrams) {
  auto port = free_udp_port();
  auto hp = std::to_string(port);
  ok({"run", "-d", "--name", "udp", "-p", "127.0.0.1:" + hp + ":9000/udp", "busybox", "sleep",
      "300"});
  EXPECT_EQ(ok({"port", "udp"}), "9000/udp -> 127.0.0.1:" + hp);

  // busybox nc has no UDP mode: the receiver is a socket the test makes in the container's
  // namespace, bound to the container port; the sender is the host.
  auto pid = pid_of("udp");
  ASSERT_GT(pid, 0);
  int receiver = socket_in_netns_of(pid, SOCK_DGRAM);
  ASSERT_GE(receiver, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_port = htons(9000);
  ASSERT_EQ(::bind(receiver, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
  int sender = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(static_cast<uint16_t>(port));
  std::string got;
  // Datagrams may be dropped until the rules are in: resend every 100 ms, for 5 s at most.
  auto deadline = clock_type::now() + 5s;
  while (got.empty() && clock_type::now() < deadline) {
    (void)::sendto(sender, "hello-udp", 9, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    pollfd p{receiver, POLLIN, 0};
    if (::poll(&p, 1, 100) == 1) {
      char buf[64];
      auto n = ::recv(receiver, buf, sizeof buf, 0);
      if (n > 0) got.assign(buf, static_cast<size_t>(n));
    }
  }
  ::close(sender);
  ::close(receiver);
  EXPECT_EQ(got, "hello-udp");
}

// ---- network modes -----------------------------------------------------------------------------

TEST_F(networks, none_host_and_container_modes) {
  // Only loopback (a kernel with tunnel modules loaded adds its fallback devices to every new
  // namespace: those are not the daemon's).
  static const std::set<std::string> fallback = {
      "tunl0", "sit0", "ip6tnl0", "gre0", "gretap0", "erspan0", "ip_vti0", "ip6_vti0", "ip6gre0"};
  auto none = ok({"run", "--rm", "--network", "none", "busybox", "ip", "-o", "link"});
  std::vector<std::string> none_links;
  for (const auto& line : lines_of(none)) {
    auto begin = line.find(": ") + 2;
    auto name = line.substr(begin, line.find_first_of("@:", begin) - begin);
    if (!fallback.count(name)) none_links.push_back(name);
  }
  EXPECT_EQ(none_links, std::vector<std::string>{"lo"}) << none;
  auto idle = ok({"create", "--network", "none", "busybox", "true"});
  auto none_settings = inspect(idle)["NetworkSettings"]["Networks"];
  EXPECT_EQ(none_settings.size(), 1U);
  EXPECT_TRUE(none_settings.contains("none")) << none_settings.dump();

  auto host = ok({"run", "--rm", "--network", "host", "busybox", "ip", "-o", "link"});
  EXPECT_THAT(host, HasSubstr(": " + daemon_.network_prefix + "0:")) << host;

  ok({"run", "-d", "--name", "web", "busybox", "sleep", "300"});
  auto web = ip_of("web", "bridge");
  auto shared =
      ok({"run", "--rm", "--network", "container:web", "busybox", "ip", "-4", "addr", "show"});
  EXPECT_EQ(inet_addresses(shared), (std::vector<std::string>{"127.0.0.1/8", web + "/24"}))
      << shared;
  EXPECT_THAT(fails({"run", "--rm", "--network", "container:nope", "busybox", "true"}),
              HasSubstr("No such container: nope"));
}

// ---- connect and disconnect --------------------------------------------------------------------

TEST_F(networks, connect_and_disconnect_a_running_container) {
  auto since = unix_now();
  ok({"network", "create", "n1"});
  ok({"network", "create", "n2"});
  ok({"run", "-d", "--name", "web", "--network", "n1", "busybox", "sleep", "300"});
  auto on_n1 = ip_of("web", "n1");

  ok({"network", "connect", "n2", "web"});
  auto on_n2 = ip_of("web", "n2");
  ASSERT_FALSE(on_n2.empty());
  auto n2_subnet = str(inspect_network("n2")["IPAM"]["Config"][0]["Subnet"]);
  EXPECT_TRUE(in_subnet(on_n2, n2_subnet)) << on_n2 << " not in " << n2_subnet;
  auto eth1 = in_netns_of("web", {"ip", "-4", "addr", "show", "eth1"});
  EXPECT_EQ(inet_addresses(eth1.out), std::vector<std::string>{on_n2 + "/24"}) << eth1.err;
  auto eth0 = in_netns_of("web", {"ip", "-4", "addr", "show", "eth0"});
  EXPECT_EQ(inet_addresses(eth0.out), std::vector<std::string>{on_n1 + "/24"}) << eth0.err;
  EXPECT_EQ(inspect("web")["NetworkSettings"]["Networks"].size(), 2U);
  EXPECT_EQ(inspect_network("n2")["Containers"].size(), 1U);

  ok({"network", "disconnect", "n2", "web"});
  EXPECT_NE(in_netns_of("web", {"ip", "link", "show", "eth1"}).exit_code, 0) << "eth1 is left";
  EXPECT_EQ(inspect("web")["NetworkSettings"]["Networks"].size(), 1U);
  EXPECT_TRUE(inspect_network("n2")["Containers"].empty());

  // Its n2 address was released: connecting again (with an alias) gets the same one, and the
  // alias resolves for the other containers on n2.
  ok({"network", "connect", "--alias", "foo", "n2", "web"});
  EXPECT_EQ(ip_of("web", "n2"), on_n2);
  auto lookup = ok({"run", "--rm", "--network", "n2", "busybox", "sh", "-c",
                    "timeout 5 nslookup foo; echo @@; timeout 5 nslookup web"});
  auto split = lookup.find("@@");
  EXPECT_TRUE(mentions(lookup.substr(0, split), on_n2)) << lookup;
  EXPECT_TRUE(mentions(lookup.substr(split), on_n2)) << lookup;

  EXPECT_THAT(fails({"network", "connect", "nope", "web"}), HasSubstr("network nope not found"));
  EXPECT_THAT(fails({"network", "connect", "n1", "web"}), HasSubstr("already"));
  ok({"run", "-d", "--name", "lonely", "busybox", "sleep", "300"});
  EXPECT_THAT(fails({"network", "disconnect", "n2", "lonely"}),
              HasSubstr("is not connected to network n2"));
  EXPECT_THAT(fails({"network", "connect", "n2", "nope"}), HasSubstr("No such container: nope"));

  auto events = network_events_until(since, "disconnect n2");
  std::set<std::string> seen(events.begin(), events.end());
  EXPECT_TRUE(seen.count("connect n2")) << "events: " << json(events).dump();
  EXPECT_TRUE(seen.count("disconnect n2")) << "events: " << json(events).dump();
  auto metrics =
      run({"curl", "-s", "http://127.0.0.1:" + std::to_string(daemon_.metrics_port) + "/metrics"});
  EXPECT_THAT(metrics.out,
              HasSubstr("engine_daemon_network_actions_seconds_count{action=\"connect\"}"));
}

// ---- nothing left behind -----------------------------------------------------------------------

TEST_F(networks, removing_everything_leaves_no_trace_in_the_kernel) {
  auto prefix = daemon_.network_prefix;
  auto web_port = free_tcp_port();
  auto plain_port = free_tcp_port();
  ok({"network", "create", "n1"});
  ok({"network", "create", "n2"});
  ok({"run", "-d", "--name", "web", "--network", "n1", "-p",
      "127.0.0.1:" + std::to_string(web_port) + ":8080", "busybox", "sh", "-c",
      serve("hello", 8080)});
  ok({"run", "-d", "--name", "plain", "-p", "127.0.0.1:" + std::to_string(plain_port) + ":8080",
      "busybox", "sleep", "300"});
  ok({"network", "connect", "n2", "web"});
  std::vector<std::string> addresses = {ip_of("web", "n1"), ip_of("web", "n2"),
                                        ip_of("plain", "bridge")};
  EXPECT_EQ(http_get_until(web_port, "hello"), "hello");
  EXPECT_EQ(host_veths(), 3U);
  // While they run, the table mentions them (so their absence later means something).
  auto during = nft_tables_text(prefix);
  EXPECT_TRUE(mentions(during, std::to_string(web_port))) << during;
  EXPECT_TRUE(mentions(during, std::to_string(plain_port))) << during;

  ok({"rm", "-f", "web", "plain"});
  ok({"network", "rm", "n1", "n2"});
  EXPECT_EQ(links_with_prefix(prefix), std::vector<std::string>{prefix + "0"});
  auto after = nft_tables_text(prefix);
  for (const auto& token : {std::to_string(web_port), std::to_string(plain_port)})
    EXPECT_FALSE(mentions(after, token)) << token << " left in:\n" << after;
  for (const auto& address : addresses)
    EXPECT_FALSE(mentions(after, address)) << address << " left in:\n" << after;
  auto routes = run({"ip", "-4", "route", "show", "table", "all"}).out;
  for (const auto& line : lines_of(routes)) {
    if (line.find("dev " + prefix) != std::string::npos) {
      EXPECT_THAT(line, HasSubstr("dev " + prefix + "0")) << "route left: " << line;
    }
  }
  EXPECT_THAT(run({"ip", "netns", "list"}).out, Not(HasSubstr(prefix)));
  EXPECT_TRUE(netns_pins(daemon_.exec_root).empty());

  EXPECT_EQ(daemon_.stop(SIGTERM, 20s), 0);
  EXPECT_TRUE(netns_pins(daemon_.exec_root).empty());
}

// ---- daemon restart ----------------------------------------------------------------------------

TEST_F(networks, networking_survives_kill_9_of_the_daemon) {
  auto port = free_tcp_port();
  ok({"network", "create", "n1"});
  ok({"run", "-d", "--name", "web", "--network", "n1", "-p",
      "127.0.0.1:" + std::to_string(port) + ":8080", "busybox", "sh", "-c",
      serve("hello-restart", 8080)});
  auto web = ip_of("web", "n1");
  ASSERT_EQ(http_get_until(port, "hello-restart"), "hello-restart");
  auto links = links_with_prefix(daemon_.network_prefix);

  daemon_.kill9();
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();

  EXPECT_EQ(inspect("web")["State"]["Running"], true);
  EXPECT_EQ(ip_of("web", "n1"), web);
  EXPECT_EQ(http_get_until(port, "hello-restart"), "hello-restart");
  EXPECT_EQ(lines_of(ok({"network", "ls", "--format", "{{.Name}}"})),
            (std::vector<std::string>{"bridge", "host", "n1", "none"}));
  auto lookup =
      ok({"run", "--rm", "--network", "n1", "busybox", "timeout", "5", "nslookup", "web"});
  EXPECT_TRUE(mentions(lookup, web)) << lookup;
  ok({"run", "-d", "--name", "second", "--network", "n1", "busybox", "sleep", "300"});
  auto second = ip_of("second", "n1");
  EXPECT_FALSE(second.empty());
  EXPECT_NE(second, web);
  // The restarted daemon reused its bridges and web's veth rather than making new ones.
  auto now = links_with_prefix(daemon_.network_prefix);
  for (const auto& link : links)
    EXPECT_NE(std::find(now.begin(), now.end(), link), now.end()) << link << " was replaced";
  EXPECT_EQ(now.size(), links.size() + 1) << "one new veth for the new container";
}

// ---- bad input over the API --------------------------------------------------------------------

TEST_F(networks, bad_api_input_is_refused_and_changes_nothing) {
  ok({"network", "create", "n1"});
  auto before = ok({"network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}"});
  struct call {
    std::string method, path, body;
    int status;
    std::string message;
  };
  const std::vector<call> calls = {
      {"POST", "/networks/create", "{not json", 400, ""},
      {"POST", "/networks/create", R"({"Name":"x1","Driver":"nosuch"})", 404,
       R"(plugin "nosuch" not found)"},
      {"POST", "/networks/create", R"({"Name":"x2","IPAM":{"Config":[{"Subnet":"10.1.2.0/33"}]}})",
       400, "invalid subnet 10.1.2.0/33"},
      {"GET", "/networks/nope", "", 404, "network nope not found"},
      {"DELETE", "/networks/nope", "", 404, "network nope not found"},
      {"POST", "/networks/n1/connect", R"({"Container":"nope"})", 404, "No such container: nope"},
      {"POST", "/networks/nope/disconnect", R"({"Container":"nope"})", 404, "nope"},
      {"POST", "/swarm/leave", "", 503, "This node is not part of a swarm"},
  };
  for (const auto& c : calls) {
    std::vector<std::string> args{"-X", c.method, "-w", "\n%{http_code}"};
    if (!c.body.empty())
      args.insert(args.end(), {"-H", "Content-Type: application/json", "-d", c.body});
    args.push_back("http://d" + c.path);
    auto r = daemon_.curl(args);
    auto nl = r.out.rfind('\n');
    ASSERT_NE(nl, std::string::npos) << c.method << " " << c.path << ": " << r.out;
    EXPECT_EQ(r.out.substr(nl + 1), std::to_string(c.status)) << c.method << " " << c.path;
    auto body = json::parse(r.out.substr(0, nl), nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("message"))
        << c.method << " " << c.path << ": " << r.out;
    EXPECT_THAT(str(body["message"]), HasSubstr(c.message)) << c.method << " " << c.path;
  }
  EXPECT_EQ(ok({"network", "ls", "--no-trunc", "--format", "{{.ID}} {{.Name}}"}), before);
  EXPECT_EQ(links_with_prefix(daemon_.network_prefix).size(), 2U) << "<prefix>0 and n1's bridge";
}
