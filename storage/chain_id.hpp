// Chain IDs: a layer's identity together with everything below it (OCI image-spec).
// chain(L1) = diff(L1); chain(Ln) = sha256(chain(Ln-1) + " " + diff(Ln)).
#pragma once

#include <string>
#include <vector>

namespace berth::storage {

[[nodiscard]] std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids);

} // namespace berth::storage
