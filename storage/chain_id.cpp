// Chain IDs.
#include "storage/chain_id.hpp"

#include "storage/digest.hpp"

namespace berth::storage {

std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids) {
  std::vector<std::string> out;
  out.reserve(diff_ids.size());
  for (const auto& diff : diff_ids)
    out.push_back(next_chain_id(out.empty() ? std::string{} : out.back(), diff));
  return out;
}

std::string next_chain_id(const std::string& parent_chain, const std::string& diff_id) {
  return parent_chain.empty() ? diff_id : sha256_digest(parent_chain + " " + diff_id);
}

} // namespace berth::storage
