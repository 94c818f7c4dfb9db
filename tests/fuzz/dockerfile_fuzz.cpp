// Fuzzes the Dockerfile front end with untrusted text: dockerfile/parser and instructions (the
// whole file), then substitution of every instruction with a fixed environment
// (dockerfile/expansion, shell_lexer), and the input's lines as .dockerignore patterns matched
// against a few paths. Any input either fails with invalid_argument and a message, or parses to
// stages whose line numbers and steps are consistent.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "dockerfile/dockerignore.hpp"
#include "dockerfile/expansion.hpp"
#include "dockerfile/go_path_match.hpp"
#include "dockerfile/instructions.hpp"

using namespace berth;
using namespace berth::dockerfile;

namespace {

void check(bool ok, const char* invariant, std::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "dockerfile invariant broken: %s\ninput (%zu bytes): %.*s\n", invariant,
               input.size(), static_cast<int>(input.size()), input.data());
  std::abort();
}

void check_error(const caf::error& err, std::string_view input) {
  check(error_kind(err) == errc::invalid_argument, "errors are invalid_argument", input);
  check(!error_message(err).empty(), "errors have a message", input);
}

size_t line_count(std::string_view text) {
  size_t lines = 0;
  for (char c : text)
    lines += c == '\n';
  return lines + 1;
}

void check_lines(int start, int end, int& previous, size_t lines, std::string_view input) {
  check(start >= 1 && start <= end, "lines are ordered", input);
  check(static_cast<size_t>(end) <= lines, "lines are in the file", input);
  check(start > previous, "instructions follow each other", input);
  previous = end;
}

void substitute(parsed_dockerfile& file, std::string_view input) {
  shell_lexer lexer{file.escape};
  build_args args{{{"VERSION", "1.0"}, {"EMPTY", ""}}};
  for (auto& meta : file.meta_args)
    if (auto err = apply_meta_arg(meta, lexer, args)) check_error(err, input);
  auto env = shell_env::from_list({"PATH=/usr/bin:/bin", "HOME=/root", "SPACED=a b  c", "EMPTY="});
  for (auto& stage : file.stages) {
    if (auto name = expand_base_name(stage, lexer, args); !name) check_error(name.error(), input);
    if (auto platform = expand_platform(stage, lexer, args); !platform)
      check_error(platform.error(), input);
    for (auto& ins : stage.commands) {
      auto before = ins.body.index();
      if (auto err = expand_instruction(ins, lexer, env)) check_error(err, input);
      check(ins.body.index() == before, "substitution keeps the instruction", input);
      (void)legacy_builder_refusal(ins);
      if (auto* run = ins.get<run_instruction>()) (void)resolve_command_line(run->command, {});
    }
  }
}

void match_patterns(std::string_view input) {
  if (input.size() > 4096) return;
  auto patterns = read_ignore_patterns(input);
  auto matcher = ignore_matcher::compile(patterns);
  if (!matcher) return check_error(matcher.error(), input);
  for (auto path : {"Dockerfile", "a/b/c.txt", "node_modules/x", ".git/config", "x\ny"}) {
    if (auto r = matcher->excluded(path); !r) check_error(r.error(), input);
    (void)matcher->may_reinclude_below(path);
  }
  for (const auto& p : patterns)
    (void)go_path_match(p, "a/b/c.txt");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};
  auto file = parse_dockerfile(input);
  if (!file) {
    check_error(file.error(), input);
  } else {
    auto lines = line_count(input);
    int previous = 0;
    for (const auto& meta : file->meta_args) {
      check(meta.get<arg_instruction>() != nullptr, "meta args are ARGs", input);
      check_lines(meta.start_line, meta.end_line, previous, lines, input);
    }
    size_t steps = file->meta_args.size();
    for (size_t i = 0; i < file->stages.size(); ++i) {
      const auto& stage = file->stages[i];
      check(stage.index == i, "stage indexes count", input);
      check_lines(stage.start_line, stage.end_line, previous, lines, input);
      ++steps;
      for (const auto& ins : stage.commands) {
        check_lines(ins.start_line, ins.end_line, previous, lines, input);
        check(!ins.code.empty(), "instructions have their source", input);
        ++steps;
      }
      if (!stage.name.empty())
        check(file->find_stage(stage.name).has_value(), "named stages are found", input);
    }
    check(steps == file->total_steps(), "step count", input);
    substitute(*file, input);
  }
  // The same text as an ONBUILD trigger and as --change lines.
  if (size <= 4096) {
    if (auto trigger = parse_trigger(input); !trigger) check_error(trigger.error(), input);
    if (auto changes = parse_changes({std::string{input}}); !changes)
      check_error(changes.error(), input);
  }
  match_patterns(input);
  return 0;
}
