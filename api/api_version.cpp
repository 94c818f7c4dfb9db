// Docker Engine API versions.
#include "api/api_version.hpp"

#include <charconv>

#include "base/error.hpp"

namespace berth::api {

std::optional<api_version> api_version::parse(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  api_version v;
  auto major = text.substr(0, dot);
  auto minor = text.substr(dot + 1);
  auto [p1, e1] = std::from_chars(major.data(), major.data() + major.size(), v.major);
  auto [p2, e2] = std::from_chars(minor.data(), minor.data() + minor.size(), v.minor);
  if (e1 != std::errc{} || p1 != major.data() + major.size() || e2 != std::errc{} ||
      p2 != minor.data() + minor.size())
    return std::nullopt;
  return v;
}

std::string api_version::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

caf::expected<versioned_path> split_version(std::string_view path) {
  versioned_path out;
  if (path.size() > 2 && path[0] == '/' && path[1] == 'v') {
    auto end = path.find('/', 2);
    auto text = path.substr(2, end == std::string_view::npos ? path.size() - 2 : end - 2);
    bool looks_like_version = !text.empty();
    for (char c : text)
      looks_like_version = looks_like_version && ((c >= '0' && c <= '9') || c == '.');
    if (looks_like_version) {
      auto v = api_version::parse(text);
      if (!v) return make_error(errc::invalid_argument, "invalid API version " + std::string(text));
      if (*v > max_api_version)
        return make_error(errc::invalid_argument,
                          "client version " + v->to_string() +
                              " is too new. Maximum supported API version is " +
                              max_api_version.to_string());
      if (*v < min_api_version)
        return make_error(
            errc::invalid_argument,
            "client version " + v->to_string() + " is too old. Minimum supported API version is " +
                min_api_version.to_string() + ", please upgrade your client to a newer version");
      out.version = *v;
      out.path = end == std::string_view::npos ? "/" : std::string(path.substr(end));
      return out;
    }
  }
  out.path = std::string(path);
  return out;
}

} // namespace berth::api
