// The ?h=&w= of a resize request (attach, exec): rows and columns, each 0..65535.
#pragma once

#include <utility>

#include <caf/expected.hpp>

#include "api/query.hpp"

namespace berth::api {

/// {rows, cols}, or a 400: the parameters' parse error, or "invalid terminal size".
[[nodiscard]] caf::expected<std::pair<int, int>> terminal_size(const query_params& q);

} // namespace berth::api
