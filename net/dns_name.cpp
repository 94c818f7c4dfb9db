// Domain names: wire ↔ presentation form, case folding, reverse-lookup names.
#include "net/dns_name.hpp"

#include <array>
#include <charconv>

namespace berth::net {

namespace {

char fold(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

void append_escaped(std::string& out, unsigned char c) {
  if (c == '.' || c == '\\') {
    out += '\\';
    out += static_cast<char>(c);
  } else if (c > 0x20 && c < 0x7f) {
    out += static_cast<char>(c);
  } else {
    std::array<char, 4> digits{'\\', static_cast<char>('0' + c / 100),
                               static_cast<char>('0' + c / 10 % 10),
                               static_cast<char>('0' + c % 10)};
    out.append(digits.data(), digits.size());
  }
}

// Reads one escape after a backslash at text[i]: "\DDD" or "\X". Advances i past it.
std::optional<unsigned char> read_escape(std::string_view text, size_t& i) {
  if (i + 1 >= text.size()) return std::nullopt;
  char first = text[i + 1];
  if (first < '0' || first > '9') {
    i += 2;
    return static_cast<unsigned char>(first);
  }
  if (text.size() - i < 4) return std::nullopt; // a backslash and three digits
  unsigned value = 0;
  for (size_t k = 1; k <= 3; ++k) {
    char d = text[i + k];
    if (d < '0' || d > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(d - '0');
  }
  if (value > 255) return std::nullopt;
  i += 4;
  return static_cast<unsigned char>(value);
}

} // namespace

std::string dns_labels_to_text(const std::vector<std::string>& labels) {
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += '.';
    for (char c : labels[i])
      append_escaped(out, static_cast<unsigned char>(c));
  }
  return out;
}

std::optional<std::string> dns_text_to_wire(std::string_view text) {
  if (text == "." || text.empty()) return std::string(1, '\0');
  std::string wire;
  std::string label;
  auto close_label = [&]() -> bool {
    if (label.empty() || label.size() > dns_max_label_length) return false;
    wire += static_cast<char>(label.size());
    wire += label;
    label.clear();
    return true;
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '.') {
      if (!close_label()) return std::nullopt;
      ++i;
      if (i == text.size()) break; // one trailing dot: fully qualified
      continue;
    }
    if (c == '\\') {
      auto byte = read_escape(text, i);
      if (!byte) return std::nullopt;
      label += static_cast<char>(*byte);
    } else {
      label += c;
      ++i;
    }
    if (label.size() > dns_max_label_length) return std::nullopt;
  }
  if (!label.empty() && !close_label()) return std::nullopt;
  wire += '\0';
  if (wire.size() > dns_max_name_wire_length) return std::nullopt;
  return wire;
}

std::string dns_fold_case(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    c = fold(c);
  return out;
}

bool dns_names_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != fold(b[i])) return false;
  return true;
}

std::optional<ipv4_address> dns_parse_reverse_ipv4(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  constexpr std::string_view suffix = ".in-addr.arpa";
  if (name.size() <= suffix.size() ||
      !dns_names_equal(name.substr(name.size() - suffix.size()), suffix))
    return std::nullopt;
  name.remove_suffix(suffix.size());
  // Four decimal labels, least significant octet first.
  uint32_t value = 0;
  for (int octet = 0; octet < 4; ++octet) {
    auto dot = name.find('.');
    auto label = name.substr(0, dot);
    if (label.empty() || label.size() > 3 || (label.size() > 1 && label[0] == '0'))
      return std::nullopt;
    unsigned v = 0;
    auto [end, ec] = std::from_chars(label.data(), label.data() + label.size(), v);
    if (ec != std::errc{} || end != label.data() + label.size() || v > 255) return std::nullopt;
    value |= v << (8 * octet);
    if (octet < 3) {
      if (dot == std::string_view::npos) return std::nullopt;
      name.remove_prefix(dot + 1);
    } else if (dot != std::string_view::npos) {
      return std::nullopt;
    }
  }
  return ipv4_address{value};
}

} // namespace berth::net
