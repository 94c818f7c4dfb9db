// A whole Dockerfile → stages (buildkit's instructions.Parse with dockerd's wrapping), plus the
// other ways dockerd reads instructions: ONBUILD triggers and --change lines.
#include <set>

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/instructions.hpp"

namespace berth::dockerfile {

namespace {

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

constexpr std::string_view kind_names[] = {
    "RUN",    "CMD",        "ENTRYPOINT",  "ENV",     "LABEL",     "ARG",
    "EXPOSE", "VOLUME",     "USER",        "WORKDIR", "COPY",      "ADD",
    "SHELL",  "STOPSIGNAL", "HEALTHCHECK", "ONBUILD", "MAINTAINER"};
static_assert(std::size(kind_names) == std::variant_size_v<decltype(instruction::body)>);

/// parser.Parse then ParseCommand for each node: the raw messages, no prefix.
caf::expected<std::vector<instruction>> parse_commands(std::string_view text,
                                                       const std::set<std::string>* allowed) {
  auto nodes = parse_nodes(text);
  if (!nodes) return nodes.error();
  std::vector<instruction> out;
  for (const auto& node : nodes->nodes) {
    if (allowed && !allowed->contains(ascii_lower(node.keyword)))
      return fail(node.keyword + " is not a valid change command");
    auto parsed = parse_instruction(node);
    if (!parsed) return parsed.error();
    if (std::holds_alternative<stage>(*parsed))
      return fail("*instructions.Stage is not a command type");
    out.push_back(std::get<instruction>(std::move(*parsed)));
  }
  return out;
}

} // namespace

std::string_view instruction::name() const noexcept {
  return kind_names[body.index()];
}

std::vector<std::string> default_shell() {
  return {"/bin/sh", "-c"};
}

std::optional<std::vector<std::string>>
resolve_command_line(const command_line& command, const std::vector<std::string>& shell) {
  if (command.is_null) return std::nullopt;
  if (!command.prepend_shell) return command.args;
  auto out = shell.empty() ? default_shell() : shell;
  out.insert(out.end(), command.args.begin(), command.args.end());
  return out;
}

size_t parsed_dockerfile::total_steps() const {
  size_t total = meta_args.size() + stages.size();
  for (const auto& s : stages)
    total += s.commands.size();
  return total;
}

std::optional<size_t> parsed_dockerfile::find_stage(std::string_view name) const {
  auto wanted = ascii_lower(name);
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i].name == wanted) return i;
  return std::nullopt;
}

caf::expected<parsed_dockerfile> parse_dockerfile(std::string_view text, std::string_view name) {
  if (text.empty()) return fail("the Dockerfile (" + std::string{name} + ") cannot be empty");
  auto nodes = parse_nodes(text);
  if (!nodes)
    return fail("failed to parse " + std::string{name} + ": " + error_message(nodes.error()));
  parsed_dockerfile out;
  out.escape = nodes->escape;
  out.syntax = nodes->syntax;
  out.warnings = nodes->warnings;
  for (const auto& node : nodes->nodes) {
    auto parsed = parse_instruction(node);
    if (!parsed)
      return fail("dockerfile parse error on line " + std::to_string(node.start_line) + ": " +
                  error_message(parsed.error()));
    if (auto* s = std::get_if<stage>(&*parsed)) {
      s->index = out.stages.size();
      out.stages.push_back(std::move(*s));
      continue;
    }
    auto& ins = std::get<instruction>(*parsed);
    if (out.stages.empty()) {
      if (ins.get<arg_instruction>()) {
        out.meta_args.push_back(std::move(ins));
        continue;
      }
      return fail("no build stage in current context");
    }
    out.stages.back().commands.push_back(std::move(ins));
  }
  return out;
}

caf::expected<instruction> parse_trigger(std::string_view expression) {
  auto nodes = parse_nodes(expression);
  if (!nodes) return nodes.error();
  if (nodes->nodes.size() != 1) return fail("onbuild trigger should be a single expression");
  auto parsed = parse_instruction(nodes->nodes.front());
  if (!parsed) return parsed.error();
  if (std::holds_alternative<stage>(*parsed))
    return fail("*instructions.Stage is not a command type");
  return std::get<instruction>(std::move(*parsed));
}

caf::expected<std::vector<instruction>> parse_changes(const std::vector<std::string>& changes) {
  if (changes.empty()) return std::vector<instruction>{};
  static const std::set<std::string> allowed{"cmd",    "entrypoint", "healthcheck", "env",
                                             "expose", "label",      "onbuild",     "stopsignal",
                                             "user",   "volume",     "workdir"};
  std::string text;
  for (size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) text += '\n';
    text += changes[i];
  }
  return parse_commands(text, &allowed);
}

instruction make_label_instruction(std::string key, std::string value) {
  instruction out;
  out.keyword = "label";
  out.code = "LABEL " + key + "=" + value;
  out.body = label_instruction{{{std::move(key), std::move(value), false}}, true};
  return out;
}

} // namespace berth::dockerfile
