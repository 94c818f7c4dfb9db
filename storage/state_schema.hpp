// The state store's schema, as an ordered list of migrations. Append only: never edit a shipped
// one.
#pragma once

#include <string_view>
#include <vector>

namespace berth::storage {

/// Migration N (1-based index into this list) brings the schema from version N-1 to N.
[[nodiscard]] const std::vector<std::string_view>& state_migrations();

} // namespace berth::storage
