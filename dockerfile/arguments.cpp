// JSON arrays and port lists in Dockerfile arguments.
#include "dockerfile/arguments.hpp"

#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"

namespace berth::dockerfile {

namespace {

caf::error invalid(std::string why) {
  return make_error(errc::invalid_argument, std::move(why));
}

} // namespace

json_array parse_json_array(std::string_view args) {
  auto text = decode_utf8(args);
  size_t start = 0;
  while (start < text.size() && is_go_space(text[start]))
    ++start;
  if (start == text.size() || text[start] != U'[') return {};
  // Re-encoding turns each invalid byte into U+FFFD, as Go's decoder does inside strings (outside
  // them the JSON is invalid either way).
  auto doc =
      nlohmann::json::parse(encode_utf8(std::u32string_view{text}.substr(start)), nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return {};
  json_array out{json_form::strings, {}};
  for (const auto& v : doc) {
    if (!v.is_string()) return {json_form::not_strings, {}};
    out.words.push_back(v.get<std::string>());
  }
  return out;
}

namespace {

/// A port or port range ("80", "8000-8002") within 1-65535.
std::optional<std::pair<int, int>> port_range(std::string_view text) {
  auto dash = text.find('-');
  auto lo = text.substr(0, dash);
  auto hi = dash == std::string_view::npos ? lo : text.substr(dash + 1);
  int first = 0, last = 0;
  auto [p1, e1] = std::from_chars(lo.data(), lo.data() + lo.size(), first);
  auto [p2, e2] = std::from_chars(hi.data(), hi.data() + hi.size(), last);
  if (lo.empty() || hi.empty() || e1 != std::errc{} || p1 != lo.data() + lo.size() ||
      e2 != std::errc{} || p2 != hi.data() + hi.size() || first < 1 || last > 65535 || first > last)
    return std::nullopt;
  return std::pair{first, last};
}

} // namespace

caf::expected<std::vector<std::string>> parse_ports(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) {
    // [ip:][host:]container[/proto]: only the container part is exposed.
    auto colon = w.rfind(':');
    std::string_view container =
        colon == std::string::npos ? std::string_view{w} : std::string_view{w}.substr(colon + 1);
    std::string_view host;
    if (colon != std::string::npos) {
      auto before = std::string_view{w}.substr(0, colon);
      auto host_colon = before.rfind(':');
      host = host_colon == std::string_view::npos ? before : before.substr(host_colon + 1);
    }
    auto slash = container.find('/');
    auto range = container.substr(0, slash);
    if (range.empty()) return invalid("no port specified: " + w + "<empty>");
    auto proto = slash == std::string_view::npos ? std::string("tcp")
                                                 : std::string{container.substr(slash + 1)};
    if (proto.empty()) proto = "tcp";
    for (auto& c : proto)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (proto != "tcp" && proto != "udp" && proto != "sctp")
      return invalid("invalid proto: " + proto);
    auto ports = port_range(range);
    if (!ports) return invalid("invalid containerPort: " + std::string{range});
    if (!host.empty()) {
      auto host_ports = port_range(host);
      if (!host_ports) return invalid("invalid hostPort: " + std::string{host});
      if (ports->second - ports->first != host_ports->second - host_ports->first &&
          ports->first != ports->second)
        return invalid("invalid ranges specified for container and host Ports: " +
                       std::string{range} + " and " + std::string{host});
    }
    for (int p = ports->first; p <= ports->second; ++p)
      out.push_back(std::to_string(p) + "/" + proto);
  }
  return out;
}

} // namespace berth::dockerfile
