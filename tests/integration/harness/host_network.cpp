// Per-test network names and subnets, and views of what a test daemon made on the host.
#include "host_network.hpp"

#include <dirent.h>
#include <random>
#include <set>
#include <sstream>

#include "base/ipv4.hpp"
#include "process.hpp"

namespace berth::test {

namespace {

std::mt19937& random_engine() {
  static std::mt19937 engine{std::random_device{}()};
  return engine;
}

int random_between(int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(random_engine());
}

// The first word of a route line may be its type (`ip route show table all` prints "local
// 10.0.0.1 dev ...", "broadcast ..."); the destination is the word after it.
std::string route_destination(const std::string& line) {
  static const std::set<std::string> types = {"unicast", "local",     "broadcast",   "multicast",
                                              "anycast", "blackhole", "unreachable", "prohibit",
                                              "throw",   "nat"};
  std::istringstream words(line);
  std::string word;
  words >> word;
  if (types.count(word)) words >> word;
  return word;
}

std::vector<ipv4_cidr> parse_cidrs(const std::vector<std::string>& texts) {
  std::vector<ipv4_cidr> out;
  for (const auto& text : texts)
    if (auto cidr = ipv4_cidr::parse(text)) out.push_back(*cidr);
  return out;
}

} // namespace

std::string random_network_prefix() {
  static const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string prefix = "t";
  for (int i = 0; i < 5; ++i)
    prefix += alphabet[static_cast<size_t>(random_between(0, 35))];
  return prefix;
}

std::vector<std::string> host_ipv4_routes() {
  auto listed = run({"ip", "-4", "route", "show", "table", "all"});
  std::vector<std::string> out;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    auto dest = route_destination(line);
    if (dest.empty() || dest == "default") continue;
    if (dest.find('/') == std::string::npos) dest += "/32";
    if (ipv4_cidr::parse(dest)) out.push_back(dest);
  }
  return out;
}

std::string random_free_subnet(int prefix_len, const std::vector<std::string>& avoid) {
  auto taken = parse_cidrs(host_ipv4_routes());
  for (const auto& cidr : parse_cidrs(avoid))
    taken.push_back(cidr);
  // Bounded: with a handful of routes nearly every draw is free.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    uint32_t value = (10U << 24) | (static_cast<uint32_t>(random_between(100, 249)) << 16) |
                     (static_cast<uint32_t>(random_between(0, 255)) << 8);
    ipv4_cidr candidate = ipv4_cidr{ipv4_address{value}, prefix_len}.canonical();
    bool clear = true;
    for (const auto& t : taken)
      clear = clear && !candidate.overlaps(t);
    if (clear) return candidate.to_string();
  }
  return {};
}

std::vector<std::string> links_with_prefix(const std::string& prefix) {
  std::vector<std::string> out;
  if (prefix.empty()) return out;
  auto listed = run({"ip", "-o", "link", "show"});
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    // "7: tab12cv0a1b2c3d@if6: <BROADCAST,...": the name is the second field, up to '@' or ':'.
    auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    auto begin = colon + 2;
    auto end = line.find_first_of("@:", begin);
    auto name = line.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (name.rfind(prefix, 0) == 0) out.push_back(name);
  }
  return out;
}

std::string nft_tables_text(const std::string& prefix) {
  if (prefix.empty()) return {};
  std::string text;
  for (const char* family : {"ip", "bridge"}) {
    auto listed = run({"nft", "list", "table", family, prefix});
    if (listed.exit_code == 0) text += listed.out;
  }
  return text;
}

std::vector<std::string> netns_pins(const std::string& exec_root) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir((exec_root + "/netns").c_str())) {
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  return names;
}

} // namespace berth::test
