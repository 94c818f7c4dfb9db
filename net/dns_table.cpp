// The embedded DNS server's names: immutable snapshots swapped under a lock.
#include "net/dns_table.hpp"

#include <algorithm>

#include "net/dns_name.hpp"

namespace berth::net {

/// One network's records with names folded to lower case, as lookups compare them.
struct dns_table::network_entry {
  std::string network_name; // folded
  std::unordered_map<std::string, std::vector<ipv4_address>> names;
  std::map<ipv4_address, std::string> reverse;
  std::string reverse_suffix; // "." + the network's name as given, for PTR answers
};

dns_table::dns_table() : snapshot_(std::make_shared<const snapshot>()) {}

std::shared_ptr<const dns_table::snapshot> dns_table::current() const {
  std::shared_lock lock(mutex_);
  return snapshot_;
}

void dns_table::replace(const std::string& network_id, std::shared_ptr<const network_entry> entry) {
  std::lock_guard writer(writer_mutex_);
  // Copying the outer map copies pointers only; the other networks' entries are shared.
  auto next = std::make_shared<snapshot>(*current());
  if (entry)
    (*next)[network_id] = std::move(entry);
  else
    next->erase(network_id);
  std::unique_lock lock(mutex_);
  snapshot_ = std::move(next);
}

void dns_table::set_entries(const std::string& network_id, dns_network_records records) {
  auto entry = std::make_shared<network_entry>();
  entry->network_name = dns_fold_case(records.network_name);
  entry->reverse_suffix = "." + records.network_name;
  for (auto& [name, addresses] : records.names) {
    std::string_view key = name;
    if (!key.empty() && key.back() == '.') key.remove_suffix(1);
    if (key.empty() || addresses.empty()) continue;
    auto& merged = entry->names[dns_fold_case(key)];
    // "Web" and "web" are one name: their addresses are merged, without duplicates.
    for (auto address : addresses)
      if (std::find(merged.begin(), merged.end(), address) == merged.end())
        merged.push_back(address);
  }
  entry->reverse = std::move(records.reverse);
  replace(network_id, std::move(entry));
}

void dns_table::remove_network(const std::string& network_id) {
  replace(network_id, nullptr);
}

std::vector<ipv4_address> dns_table::lookup(std::span<const std::string> network_ids,
                                            std::string_view name) const {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return {};
  auto snap = current();
  auto folded = dns_fold_case(name);
  // `wanted_network` empty: any network the container is on.
  auto find = [&](const std::string& request,
                  std::string_view wanted_network) -> const std::vector<ipv4_address>* {
    for (const auto& id : network_ids) {
      auto network = snap->find(id);
      if (network == snap->end()) continue;
      if (!wanted_network.empty() && network->second->network_name != wanted_network) continue;
      auto found = network->second->names.find(request);
      if (found != network->second->names.end()) return &found->second;
    }
    return nullptr;
  };
  if (auto* found = find(folded, {})) return *found;
  // "a.b.c": "a.b" in network "c", then "a" in network "b.c".
  std::string_view request = folded;
  for (auto dot = request.rfind('.'); dot != std::string_view::npos; dot = request.rfind('.')) {
    request = request.substr(0, dot);
    auto network_name = std::string_view(folded).substr(dot + 1);
    if (request.empty()) break;
    if (auto* found = find(std::string(request), network_name)) return *found;
  }
  return {};
}

std::optional<std::string> dns_table::reverse_lookup(std::span<const std::string> network_ids,
                                                     ipv4_address address) const {
  auto snap = current();
  for (const auto& id : network_ids) {
    auto network = snap->find(id);
    if (network == snap->end()) continue;
    auto found = network->second->reverse.find(address);
    if (found != network->second->reverse.end())
      return found->second + network->second->reverse_suffix;
  }
  return std::nullopt;
}

} // namespace berth::net
