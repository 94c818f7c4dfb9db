// Nodes → typed instructions: each keyword's argument rules and flags (buildkit's
// instructions/parse.go as the classic builder uses it).
#include <algorithm>
#include <cstdint>

#include "base/error.hpp"
#include "base/go_duration.hpp"
#include "dockerfile/build_flags.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/instructions.hpp"
#include "dockerfile/line_parsers.hpp"
#include "dockerfile/suggestion.hpp"
#include "runtime/go_text.hpp"

namespace berth::dockerfile {

namespace {

using parsed = caf::expected<std::variant<stage, instruction>>;

constexpr std::string_view buildkit_url = "https://docs.docker.com/go/buildkit/";

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error at_least_one(std::string_view name) {
  return fail(std::string{name} + " requires at least one argument");
}
caf::error exactly_one(std::string_view name) {
  return fail(std::string{name} + " requires exactly one argument");
}
caf::error no_destination(std::string_view name) {
  return fail(std::string{name} +
              " requires at least two arguments, but only one was provided. Destination could "
              "not be determined");
}
caf::error blank_names(std::string_view name) {
  return fail(std::string{name} + " names can not be blank");
}

/// The parts every instruction shares.
instruction make(const parsed_node& node) {
  instruction out;
  out.keyword = node.keyword;
  out.code = std::string{trim_go_space(node.original)};
  out.start_line = node.start_line;
  out.end_line = node.end_line;
  return out;
}

template <class Body>
parsed done(const parsed_node& node, Body body) {
  auto out = make(node);
  out.body = std::move(body);
  return std::variant<stage, instruction>{std::move(out)};
}

/// handleJSONArgs: the exec form as is; the shell form's words joined back into one string.
std::vector<std::string> json_args(const std::vector<std::string>& args, bool json) {
  if (args.empty()) return {};
  if (json) return args;
  std::string joined;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) joined += ' ';
    joined += args[i];
  }
  return {joined};
}

command_line shell_dependent(const std::vector<std::string>& args, bool json, bool empty_as_null) {
  command_line out;
  out.args = json_args(args, json);
  out.prepend_shell = !json;
  out.is_null = empty_as_null && out.args.empty();
  return out;
}

caf::expected<std::vector<key_value>> key_values(const std::vector<std::string>& args,
                                                 std::string_view name) {
  if (args.empty()) return at_least_one(name);
  if (args.size() % 3 != 0)
    return fail("Bad input to " + std::string{name} + ", too many arguments");
  std::vector<key_value> out;
  for (size_t i = 0; i < args.size(); i += 3) {
    if (args[i].empty()) return blank_names(name);
    out.push_back({args[i], args[i + 1], args[i + 2].empty()});
  }
  return out;
}

bool valid_stage_name(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

parsed parse_from(const parsed_node& node) {
  const auto& args = node.args;
  stage out;
  if (args.size() == 3 && ascii_lower(args[1]) == "as") {
    out.name = ascii_lower(args[2]);
    if (!valid_stage_name(out.name))
      return fail("invalid name for build stage: " + runtime::go_quote(args[2]) +
                  ", name can't start with a number or contain symbols");
  } else if (args.size() != 1) {
    return fail("FROM requires either one or three arguments");
  }
  build_flags flags{node.flags};
  flags.add_string("platform");
  if (auto err = flags.parse()) return err;
  out.base_name = args[0];
  out.platform = flags.string("platform");
  out.code = std::string{trim_go_space(node.original)};
  out.start_line = node.start_line;
  out.end_line = node.end_line;
  return std::variant<stage, instruction>{std::move(out)};
}

parsed parse_env_or_label(const parsed_node& node, bool label) {
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  auto pairs = key_values(node.args, label ? "LABEL" : "ENV");
  if (!pairs) return pairs.error();
  if (label) return done(node, label_instruction{std::move(*pairs), false});
  return done(node, env_instruction{std::move(*pairs)});
}

parsed parse_maintainer(const parsed_node& node) {
  if (node.args.size() != 1) return exactly_one("MAINTAINER");
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  return done(node, maintainer_instruction{node.args[0]});
}

caf::expected<sources_and_dest> sources_and_destination(const std::vector<std::string>& args,
                                                        std::string_view name) {
  sources_and_dest out;
  out.sources.assign(args.begin(), args.end() - 1);
  out.dest = args.back();
  if (is_heredoc_word(out.dest))
    return fail(std::string{name} + " cannot accept a heredoc as a destination");
  for (const auto& source : out.sources)
    if (is_heredoc_word(source))
      return fail(std::string{name} + " source " + source +
                  " is a heredoc: heredocs are not supported by the legacy builder; build with "
                  "BuildKit to use them");
  return out;
}

parsed parse_add(const parsed_node& node) {
  if (node.args.size() < 2) return no_destination("ADD");
  build_flags flags{node.flags};
  flags.add_string("chown");
  flags.add_string("chmod");
  flags.add_bool("link");
  flags.add_bool("keep-git-dir");
  flags.add_string("checksum");
  flags.add_bool("unpack");
  flags.add_strings("exclude");
  if (auto err = flags.parse()) return err;
  auto paths = sources_and_destination(node.args, "ADD");
  if (!paths) return paths.error();
  add_instruction out;
  out.paths = std::move(*paths);
  out.chown = flags.string("chown");
  out.chmod = flags.string("chmod");
  out.checksum = flags.string("checksum");
  out.link = flags.boolean("link");
  if (flags.used("keep-git-dir")) out.keep_git_dir = flags.boolean("keep-git-dir");
  if (flags.used("unpack")) out.unpack = flags.boolean("unpack");
  out.excludes = flags.strings("exclude");
  return done(node, std::move(out));
}

parsed parse_copy(const parsed_node& node) {
  if (node.args.size() < 2) return no_destination("COPY");
  build_flags flags{node.flags};
  flags.add_string("chown");
  flags.add_string("from");
  flags.add_string("chmod");
  flags.add_bool("link");
  flags.add_strings("exclude");
  flags.add_bool("parents");
  if (auto err = flags.parse()) return err;
  auto paths = sources_and_destination(node.args, "COPY");
  if (!paths) return paths.error();
  copy_instruction out;
  out.paths = std::move(*paths);
  out.from = flags.string("from");
  out.chown = flags.string("chown");
  out.chmod = flags.string("chmod");
  out.link = flags.boolean("link");
  out.parents = flags.boolean("parents");
  out.excludes = flags.strings("exclude");
  return done(node, std::move(out));
}

parsed parse_onbuild(const parsed_node& node) {
  if (node.args.empty()) return at_least_one("ONBUILD");
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  auto trigger = ascii_upper(trim_go_space(node.args[0]));
  if (trigger == "ONBUILD") return fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger == "MAINTAINER" || trigger == "FROM")
    return fail(trigger + " isn't allowed as an ONBUILD trigger");
  // The original line without its leading "ONBUILD" and the blanks after it.
  std::string_view expression = node.original;
  auto is_s = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
  size_t i = 0;
  while (i < expression.size() && is_s(expression[i]))
    ++i;
  if (ascii_lower(expression.substr(i, 7)) == "onbuild") {
    i += 7;
    while (i < expression.size() && is_s(expression[i]))
      ++i;
    expression.remove_prefix(i);
  }
  return done(node, onbuild_instruction{std::string{expression}});
}

parsed parse_single(const parsed_node& node, std::string_view name) {
  if (node.args.size() != 1) return exactly_one(name);
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  if (name == "WORKDIR") return done(node, workdir_instruction{node.args[0]});
  return done(node, user_instruction{node.args[0]});
}

parsed parse_run(const parsed_node& node) {
  build_flags flags{node.flags};
  flags.add_strings("mount");
  flags.add_string("network", "default");
  flags.add_string("security", "sandbox");
  flags.add_strings("device");
  if (auto err = flags.parse()) return err;
  run_instruction out;
  out.flags_used = flags.used_names();
  out.command = shell_dependent(node.args, node.json, false);
  out.mounts = flags.strings("mount");
  out.network = flags.string("network");
  out.security = flags.string("security");
  out.devices = flags.strings("device");
  if (out.network != "default" && out.network != "none" && out.network != "host")
    return fail("invalid network mode " + runtime::go_quote(out.network));
  if (out.security != "sandbox" && out.security != "insecure")
    return fail("security " + runtime::go_quote(out.security) + " is not valid");
  return done(node, std::move(out));
}

/// parseOptInterval: "" and 0 are 0; otherwise at least 1ms.
caf::expected<int64_t> interval(const build_flags& flags, const std::string& name) {
  auto text = flags.string(name);
  if (text.empty()) return int64_t{0};
  auto d = parse_go_duration(text);
  if (!d) return d.error();
  if (*d == 0) return int64_t{0};
  if (*d < 1'000'000)
    return fail("Interval " + runtime::go_quote(name) + " cannot be less than 1ms");
  return *d;
}

parsed parse_healthcheck(const parsed_node& node) {
  if (node.args.empty()) return at_least_one("HEALTHCHECK");
  auto type = ascii_upper(node.args[0]);
  std::vector<std::string> rest(node.args.begin() + 1, node.args.end());
  healthcheck_instruction out;
  if (type == "NONE") {
    if (!rest.empty()) return fail("HEALTHCHECK NONE takes no arguments");
    out.health.test = {type};
    return done(node, std::move(out));
  }
  build_flags flags{node.flags};
  for (const char* name : {"interval", "timeout", "start-period", "start-interval", "retries"})
    flags.add_string(name);
  if (auto err = flags.parse()) return err;
  if (type != "CMD")
    return fail("Unknown type " + runtime::go_quote(type) + " in HEALTHCHECK (try CMD)");
  auto command = json_args(rest, node.json);
  if (command.empty()) return fail("Missing command after HEALTHCHECK CMD");
  out.health.test.push_back(node.json ? "CMD" : "CMD-SHELL");
  out.health.test.insert(out.health.test.end(), command.begin(), command.end());
  auto& h = out.health;
  for (auto [name, field] : {std::pair{"interval", &h.interval}, std::pair{"timeout", &h.timeout},
                             std::pair{"start-period", &h.start_period},
                             std::pair{"start-interval", &h.start_interval}}) {
    auto value = interval(flags, name);
    if (!value) return value.error();
    *field = *value;
  }
  if (auto retries = flags.string("retries"); !retries.empty()) {
    auto n = runtime::parse_go_int(retries);
    if (!n) {
      // strconv.ParseInt(s, 10, 32): syntax first, then range.
      auto digits = retries;
      if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) digits.erase(0, 1);
      bool syntax = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                   [](char c) { return c >= '0' && c <= '9'; });
      return fail("strconv.ParseInt: parsing " + runtime::go_quote(retries) +
                  (syntax ? ": value out of range" : ": invalid syntax"));
    }
    if (*n > INT32_MAX || *n < INT32_MIN)
      return fail("strconv.ParseInt: parsing " + runtime::go_quote(retries) +
                  ": value out of range");
    if (*n < 0) return fail("--retries cannot be negative (" + std::to_string(*n) + ")");
    h.retries = static_cast<int>(*n);
  }
  return done(node, std::move(out));
}

parsed parse_expose(const parsed_node& node) {
  if (node.args.empty()) return at_least_one("EXPOSE");
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  auto ports = node.args;
  std::sort(ports.begin(), ports.end());
  return done(node, expose_instruction{std::move(ports)});
}

parsed parse_volume(const parsed_node& node) {
  if (node.args.empty()) return at_least_one("VOLUME");
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  volume_instruction out;
  for (const auto& v : node.args) {
    auto path = trim_go_space(v);
    if (path.empty()) return fail("VOLUME specified can not be an empty string");
    out.paths.emplace_back(path);
  }
  return done(node, std::move(out));
}

parsed parse_arg(const parsed_node& node) {
  // dockerd does not read ARG's flags: they are ignored.
  if (node.args.empty()) return at_least_one("ARG");
  arg_instruction out;
  for (const auto& word : node.args) {
    auto eq = word.find('=');
    if (eq == std::string::npos) {
      out.args.push_back({word, std::nullopt});
      continue;
    }
    if (eq == 0) return blank_names("ARG");
    out.args.push_back({word.substr(0, eq), word.substr(eq + 1)});
  }
  return done(node, std::move(out));
}

parsed parse_shell(const parsed_node& node) {
  build_flags flags{node.flags};
  if (auto err = flags.parse()) return err;
  auto shell = json_args(node.args, node.json);
  if (shell.empty()) return at_least_one("SHELL");
  if (!node.json) return fail("SHELL requires the arguments to be in JSON form");
  return done(node, shell_instruction{std::move(shell)});
}

constexpr std::string_view instruction_names[] = {
    "ADD",    "ARG",   "CMD",         "COPY",  "ENTRYPOINT", "ENV",
    "EXPOSE", "FROM",  "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD",
    "RUN",    "SHELL", "STOPSIGNAL",  "USER",  "VOLUME",     "WORKDIR"};

} // namespace

parsed parse_instruction(const parsed_node& node) {
  auto k = ascii_lower(node.keyword);
  if (k == "env") return parse_env_or_label(node, false);
  if (k == "maintainer") return parse_maintainer(node);
  if (k == "label") return parse_env_or_label(node, true);
  if (k == "add") return parse_add(node);
  if (k == "copy") return parse_copy(node);
  if (k == "from") return parse_from(node);
  if (k == "onbuild") return parse_onbuild(node);
  if (k == "workdir") return parse_single(node, "WORKDIR");
  if (k == "run") return parse_run(node);
  if (k == "cmd" || k == "entrypoint") {
    build_flags flags{node.flags};
    if (auto err = flags.parse()) return err;
    if (k == "cmd")
      return done(node, cmd_instruction{shell_dependent(node.args, node.json, false)});
    return done(node, entrypoint_instruction{shell_dependent(node.args, node.json, true)});
  }
  if (k == "healthcheck") return parse_healthcheck(node);
  if (k == "expose") return parse_expose(node);
  if (k == "user") return parse_single(node, "USER");
  if (k == "volume") return parse_volume(node);
  if (k == "stopsignal") {
    // dockerd does not read STOPSIGNAL's flags either.
    if (node.args.size() != 1) return exactly_one("STOPSIGNAL");
    return done(node, stopsignal_instruction{node.args[0]});
  }
  if (k == "arg") return parse_arg(node);
  if (k == "shell") return parse_shell(node);
  return fail(with_suggestion("unknown instruction: " + node.keyword, node.keyword,
                              instruction_names, false));
}

caf::error legacy_builder_refusal(const instruction& ins) {
  auto refuse = [](const std::string& flag) {
    return fail("the --" + flag + " option requires BuildKit. Refer to " +
                std::string{buildkit_url} + " to learn how to build images with BuildKit enabled");
  };
  if (auto* run = ins.get<run_instruction>(); run && !run->flags_used.empty())
    return refuse(run->flags_used.front());
  if (auto* copy = ins.get<copy_instruction>(); copy && !copy->chmod.empty())
    return refuse("chmod");
  if (auto* add = ins.get<add_instruction>(); add && !add->chmod.empty()) return refuse("chmod");
  return {};
}

} // namespace berth::dockerfile
