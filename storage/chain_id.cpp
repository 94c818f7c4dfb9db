// Chain IDs.
#include "storage/chain_id.hpp"

#include "storage/digest.hpp"

namespace berth::storage {

std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids) {
  std::vector<std::string> out;
  out.reserve(diff_ids.size());
  for (const auto& diff : diff_ids)
    out.push_back(out.empty() ? diff : sha256_digest(out.back() + " " + diff));
  return out;
}

} // namespace berth::storage
