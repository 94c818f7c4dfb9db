// berthd's command line parser.
#include "config/command_line.hpp"

#include <charconv>

#include "base/error.hpp"
#include "config/options.hpp"

namespace berth::config {

namespace {

using json = nlohmann::json;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error bad_argument(std::string_view value, std::string_view flag, std::string_view why) {
  return invalid("invalid argument \"" + std::string(value) + "\" for \"--" + std::string(flag) +
                 "\" flag: " + std::string(why));
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "true" || s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "True") return true;
  if (s == "false" || s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "False")
    return false;
  return std::nullopt;
}

std::pair<std::string, std::string> split_pair(std::string_view s, char sep) {
  auto pos = s.find(sep);
  if (pos == std::string_view::npos) return {std::string(s), {}};
  return {std::string(s.substr(0, pos)), std::string(s.substr(pos + 1))};
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

// Adds one flag occurrence to `values` under the option's key.
caf::error add_value(const option_spec& opt, std::string_view value, json& values) {
  auto& slot = values[std::string(opt.key)];
  switch (opt.kind) {
  case value_kind::boolean: {
    auto b = parse_bool(value);
    if (!b) return bad_argument(value, opt.flag, "not a boolean");
    slot = *b;
    return {};
  }
  case value_kind::string:
    slot = std::string(value);
    return {};
  case value_kind::integer: {
    auto n = parse_int(value);
    if (!n) return bad_argument(value, opt.flag, "not an integer");
    slot = *n;
    return {};
  }
  case value_kind::string_list:
    if (!slot.is_array()) slot = json::array();
    slot.push_back(std::string(value));
    return {};
  case value_kind::string_map: {
    auto [k, v] = split_pair(value, '=');
    if (k.empty() || value.find('=') == std::string_view::npos)
      return bad_argument(value, opt.flag, "expected key=value");
    if (!slot.is_object()) slot = json::object();
    slot[k] = v;
    return {};
  }
  case value_kind::runtimes: {
    auto [name, path] = split_pair(value, '=');
    if (name.empty() || path.empty()) return bad_argument(value, opt.flag, "expected name=path");
    if (!slot.is_object()) slot = json::object();
    slot[name] = json{{"path", path}};
    return {};
  }
  case value_kind::address_pools: {
    json pool = json::object();
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto part = rest.substr(0, comma);
      auto [k, v] = split_pair(part, '=');
      if (k == "base") {
        pool["base"] = v;
      } else if (k == "size") {
        auto n = parse_int(v);
        if (!n) return bad_argument(value, opt.flag, "size must be an integer");
        pool["size"] = *n;
      } else {
        return bad_argument(value, opt.flag, "unknown field \"" + k + "\"");
      }
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    if (!slot.is_array()) slot = json::array();
    slot.push_back(std::move(pool));
    return {};
  }
  case value_kind::ulimits: {
    auto [name, limits] = split_pair(value, '=');
    auto [soft_s, hard_s] = split_pair(limits, ':');
    auto soft = parse_int(soft_s);
    auto hard = hard_s.empty() ? soft : parse_int(hard_s);
    if (name.empty() || !soft || !hard)
      return bad_argument(value, opt.flag, "expected name=soft[:hard]");
    if (!slot.is_object()) slot = json::object();
    slot[name] = json{{"Name", name}, {"Soft", *soft}, {"Hard", *hard}};
    return {};
  }
  case value_kind::bool_map:
    return bad_argument(value, opt.flag, "only settable in daemon.json");
  }
  return {};
}

bool takes_value(const option_spec& opt) {
  return opt.kind != value_kind::boolean;
}

} // namespace

caf::expected<command_line> parse_command_line(const std::vector<std::string>& args) {
  command_line out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    auto next_value = [&](std::string_view flag_text) -> caf::expected<std::string> {
      if (i + 1 >= args.size()) return invalid("flag needs an argument: " + std::string(flag_text));
      return args[++i];
    };
    if (arg.size() > 2 && arg.substr(0, 2) == "--") {
      auto body = arg.substr(2);
      auto eq = body.find('=');
      auto name = body.substr(0, eq);
      std::optional<std::string> inline_value;
      if (eq != std::string_view::npos) inline_value = std::string(body.substr(eq + 1));
      if (name == "help") {
        out.help = true;
        continue;
      }
      if (name == "version") {
        out.version = true;
        continue;
      }
      if (name == "validate") {
        out.validate = true;
        continue;
      }
      if (name == "config-file") {
        auto v =
            inline_value ? caf::expected<std::string>{*inline_value} : next_value("--config-file");
        if (!v) return v.error();
        out.config_file = *v;
        continue;
      }
      const auto* opt = find_option_by_flag(name);
      if (!opt) return invalid("unknown flag: --" + std::string(name));
      std::string value;
      if (inline_value) {
        value = *inline_value;
      } else if (takes_value(*opt)) {
        auto v = next_value("--" + std::string(name));
        if (!v) return v.error();
        value = *v;
      } else {
        value = "true";
      }
      if (auto err = add_value(*opt, value, out.values)) return err;
      continue;
    }
    if (arg.size() >= 2 && arg[0] == '-' && arg[1] != '-') {
      // Shorthand: -D, -Hunix://..., -H unix://..., -H=unix://..., or grouped booleans (-Dv).
      for (size_t j = 1; j < arg.size(); ++j) {
        char letter = arg[j];
        if (letter == 'h') {
          out.help = true;
          continue;
        }
        if (letter == 'v') {
          out.version = true;
          continue;
        }
        const auto* opt = find_option_by_short(letter);
        if (!opt)
          return invalid(std::string("unknown shorthand flag: '") + letter + "' in " +
                         std::string(arg));
        if (!takes_value(*opt)) {
          std::string value = "true";
          if (j + 1 < arg.size() && arg[j + 1] == '=') {
            value = std::string(arg.substr(j + 2));
            j = arg.size();
          }
          if (auto err = add_value(*opt, value, out.values)) return err;
          continue;
        }
        std::string value;
        if (j + 1 < arg.size()) {
          auto rest = arg.substr(j + 1);
          value = std::string(rest.front() == '=' ? rest.substr(1) : rest);
        } else {
          auto v = next_value(std::string("-") + letter);
          if (!v) return v.error();
          value = *v;
        }
        if (auto err = add_value(*opt, value, out.values)) return err;
        break;
      }
      continue;
    }
    return invalid("berthd does not take positional arguments, got \"" + std::string(arg) + "\"");
  }
  return out;
}

std::string usage_text() {
  std::string text =
      "Usage:\tberthd [OPTIONS]\n\nA Docker-compatible container engine.\n\nOptions:\n";
  auto line = [&](std::string left, std::string_view help) {
    if (left.size() < 34)
      left.resize(34, ' ');
    else
      left += "  ";
    text += "  " + left + std::string(help) + "\n";
  };
  line("    --config-file string",
       "Daemon configuration file (default \"/etc/berth/daemon.json\")");
  for (const auto& opt : option_table()) {
    if (opt.flag.empty()) continue;
    std::string left = opt.short_flag ? std::string("-") + opt.short_flag + ", " : "    ";
    left += "--" + std::string(opt.flag);
    switch (opt.kind) {
    case value_kind::boolean:
      break;
    case value_kind::integer:
      left += " int";
      break;
    case value_kind::string:
      left += " string";
      break;
    case value_kind::string_map:
      left += " map";
      break;
    default:
      left += " list";
      break;
    }
    line(left, opt.help);
  }
  line("-h, --help", "Print usage");
  line("    --validate", "Validate daemon configuration and exit");
  line("-v, --version", "Print version information and quit");
  return text;
}

} // namespace berth::config
