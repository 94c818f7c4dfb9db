// Known source repositories of blobs.
#include "distribution/blob_sources.hpp"

#include <algorithm>

namespace berth::distribution {

void blob_sources::add(const std::string& digest, const std::string& domain,
                       const std::string& path) {
  std::lock_guard guard{mutex_};
  auto [it, fresh] = sources_.try_emplace(digest);
  auto& list = it->second;
  std::erase_if(list, [&](const source& s) { return s.domain == domain && s.path == path; });
  list.push_front({domain, path});
  if (list.size() > max_repositories_per_blob) list.pop_back();
  if (!fresh) return;
  order_.push_back(digest);
  while (order_.size() > max_blobs) {
    sources_.erase(order_.front());
    order_.pop_front();
  }
}

std::vector<std::string> blob_sources::candidates(const std::string& digest,
                                                  const std::string& domain,
                                                  const std::string& except_path) const {
  std::lock_guard guard{mutex_};
  std::vector<std::string> out;
  auto it = sources_.find(digest);
  if (it == sources_.end()) return out;
  for (const auto& s : it->second)
    if (s.domain == domain && s.path != except_path) out.push_back(s.path);
  return out;
}

} // namespace berth::distribution
