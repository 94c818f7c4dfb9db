// ASCII case folding.
#include "base/ascii.hpp"

namespace berth {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out)
    c = ascii_lower(c);
  return out;
}

} // namespace berth
