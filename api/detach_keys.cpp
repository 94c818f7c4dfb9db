// Docker's detach key sequences.
#include "api/detach_keys.hpp"

#include "base/error.hpp"

namespace berth::api {

caf::expected<std::string> parse_detach_keys(const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto key = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (key.size() == 1) {
      out += key;
    } else if (key.size() == 6 && key.rfind("ctrl-", 0) == 0) {
      char c = key[5];
      if (c >= 'a' && c <= 'z')
        out += static_cast<char>(c - 'a' + 1);
      else if (c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '_')
        out += static_cast<char>(c == '@' ? 0 : c - '@');
      else
        return make_error(errc::invalid_argument, "Invalid detach keys (" + text + ") provided");
    } else {
      return make_error(errc::invalid_argument, "Invalid detach keys (" + text + ") provided");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

} // namespace berth::api
