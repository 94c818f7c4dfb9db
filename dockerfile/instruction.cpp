// One Dockerfile instruction and its argument forms.
#include "dockerfile/instruction.hpp"

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "base/error.hpp"

namespace berth::dockerfile {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

caf::error invalid(std::string why) { return make_error(errc::invalid_argument, std::move(why)); }

} // namespace

caf::expected<instruction> split_instruction(std::string_view line) {
  line = trim(line);
  if (line.empty())
    return invalid("empty instruction");
  size_t i = 0;
  while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
    ++i;
  instruction out;
  for (char c : line.substr(0, i))
    out.keyword += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.args = std::string(trim(line.substr(i)));
  return out;
}

std::optional<std::vector<std::string>> parse_json_form(std::string_view args) {
  args = trim(args);
  if (args.empty() || args.front() != '[')
    return std::nullopt;
  auto doc = nlohmann::json::parse(args, nullptr, false);
  if (doc.is_discarded() || !doc.is_array())
    return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : doc) {
    if (!v.is_string())
      return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

caf::expected<std::vector<std::string>> split_words(std::string_view args, char escape) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    char c = args[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == escape && quote == '"' && i + 1 < args.size()) {
        word += args[++i];
      } else {
        word += c;
      }
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
      continue;
    }
    in_word = true;
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == escape && i + 1 < args.size()) {
      word += args[++i];
    } else {
      word += c;
    }
  }
  if (quote)
    return invalid(std::string("unexpected end of statement while looking for matching ") + quote);
  if (in_word)
    words.push_back(std::move(word));
  return words;
}

caf::expected<std::vector<std::pair<std::string, std::string>>>
parse_key_values(std::string_view keyword, std::string_view args, char escape) {
  auto words = split_words(args, escape);
  if (!words)
    return words.error();
  std::vector<std::pair<std::string, std::string>> out;
  if (words->empty())
    return invalid(std::string(keyword) + " requires at least one argument");
  if ((*words)[0].find('=') == std::string::npos) {
    // Legacy form "KEY value with spaces": one pair, the value is the rest of the line.
    auto rest = trim(args);
    auto space = rest.find_first_of(" \t");
    if (space == std::string_view::npos)
      return invalid(std::string(keyword) + " must have two arguments");
    out.emplace_back(std::string(rest.substr(0, space)), std::string(trim(rest.substr(space))));
    return out;
  }
  for (const auto& w : *words) {
    auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      return invalid("Syntax error - can't find = in \"" + w + "\". Must be of the form: name=value");
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

caf::expected<std::vector<std::string>> parse_ports(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const auto& w : words) {
    auto slash = w.find('/');
    auto proto = slash == std::string::npos ? std::string("tcp") : w.substr(slash + 1);
    for (auto& c : proto)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (proto != "tcp" && proto != "udp" && proto != "sctp")
      return invalid("invalid proto: " + proto);
    auto range = w.substr(0, slash);
    auto dash = range.find('-');
    int first = 0, last = 0;
    auto lo = range.substr(0, dash);
    auto hi = dash == std::string::npos ? lo : range.substr(dash + 1);
    auto [p1, e1] = std::from_chars(lo.data(), lo.data() + lo.size(), first);
    auto [p2, e2] = std::from_chars(hi.data(), hi.data() + hi.size(), last);
    if (lo.empty() || e1 != std::errc{} || p1 != lo.data() + lo.size() || e2 != std::errc{}
        || p2 != hi.data() + hi.size() || first < 1 || last > 65535 || first > last)
      return invalid("invalid containerPort: " + range);
    if (last - first > 65535)
      return invalid("invalid port range: " + range);
    for (int p = first; p <= last; ++p)
      out.push_back(std::to_string(p) + "/" + proto);
  }
  return out;
}

} // namespace berth::dockerfile
