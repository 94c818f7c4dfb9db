// Terminal sizes of resize requests.
#include "api/terminal_size.hpp"

#include "base/error.hpp"

namespace berth::api {

caf::expected<std::pair<int, int>> terminal_size(const query_params& q) {
  auto h = q.integer("h", 0);
  if (!h) return h.error();
  auto w = q.integer("w", 0);
  if (!w) return w.error();
  if (*h < 0 || *w < 0 || *h > 65535 || *w > 65535)
    return make_error(errc::invalid_argument, "invalid terminal size");
  return std::pair{static_cast<int>(*h), static_cast<int>(*w)};
}

} // namespace berth::api
