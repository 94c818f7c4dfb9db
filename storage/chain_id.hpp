// Chain IDs: a layer's identity together with everything below it (OCI image-spec).
// chain(L1) = diff(L1); chain(Ln) = sha256(chain(Ln-1) + " " + diff(Ln)).
#pragma once

#include <string>
#include <vector>

namespace berth::storage {

[[nodiscard]] std::vector<std::string> chain_ids(const std::vector<std::string>& diff_ids);

/// The chain ID of a layer with diff ID `diff_id` on top of the chain `parent_chain` ("" for a
/// base layer).
[[nodiscard]] std::string next_chain_id(const std::string& parent_chain,
                                        const std::string& diff_id);

} // namespace berth::storage
