// Maps (method, path) to a handler.
#include "api/router.hpp"

namespace berth::api {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1; // skip the leading '/'
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

bool is_greedy(std::string_view seg) {
  return is_param(seg) && seg[seg.size() - 2] == '*';
}

std::string param_name(std::string_view seg) {
  auto inner = seg.substr(1, seg.size() - 2);
  if (!inner.empty() && inner.back() == '*') inner.remove_suffix(1);
  return std::string(inner);
}

// Matches pattern[pi..] against parts[si..]; greedy parameters take one or more segments, trying
// the longest first so that "/images/a/b/json" binds name="a/b".
bool match_from(const std::vector<std::string>& pattern, size_t pi,
                const std::vector<std::string_view>& parts, size_t si,
                std::map<std::string, std::string>& params) {
  if (pi == pattern.size()) return si == parts.size();
  const auto& seg = pattern[pi];
  if (is_greedy(seg)) {
    size_t remaining = pattern.size() - pi - 1;
    if (parts.size() < si + 1 + remaining) return false;
    for (size_t take = parts.size() - si - remaining; take >= 1; --take) {
      std::string joined;
      for (size_t k = 0; k < take; ++k) {
        if (k) joined += '/';
        joined += parts[si + k];
      }
      if (joined.empty()) continue;
      auto saved = params;
      params[param_name(seg)] = joined;
      if (match_from(pattern, pi + 1, parts, si + take, params)) return true;
      params = std::move(saved);
    }
    return false;
  }
  if (si >= parts.size()) return false;
  if (is_param(seg)) {
    if (parts[si].empty()) return false;
    params[param_name(seg)] = std::string(parts[si]);
    return match_from(pattern, pi + 1, parts, si + 1, params);
  }
  return seg == parts[si] && match_from(pattern, pi + 1, parts, si + 1, params);
}

} // namespace

void router::add(std::string method, std::string pattern, route_handler handler, body_mode body) {
  route r{std::move(method), std::move(pattern), std::move(handler), body, {}};
  for (auto seg : split_path(r.pattern))
    r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

route_match router::match(std::string_view method, std::string_view path) const {
  route_match out;
  if (path.empty() || path.front() != '/') return out;
  auto parts = split_path(path);
  for (const auto& r : routes_) {
    if (r.method != method) continue;
    std::map<std::string, std::string> params;
    if (match_from(r.segments, 0, parts, 0, params)) {
      out.matched = &r;
      out.params = std::move(params);
      return out;
    }
  }
  return out;
}

} // namespace berth::api
