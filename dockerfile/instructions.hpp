// Typed Dockerfile instructions and stages: the second stage of parsing (buildkit's
// instructions.Parse as dockerd's classic builder runs it), with dockerd's messages.
//
//   auto file = parse_dockerfile(text);          // whole file: stages, meta ARGs, warnings
//   for (auto& stage : file->stages)              // FROM ... [AS name]
//     for (auto& ins : stage.commands)            // RUN, COPY, ENV, ...
//       if (auto* run = ins.get<run_instruction>()) ...
//
// Arguments are as written: the builder substitutes variables right before it runs each
// instruction (expansion.hpp), with the environment at that point. Pure; thread-safe.
//
// A classic build with this module, in dockerd's order:
//   ctx  = storage::extract_build_context(body, dir, {.dockerfile = query.dockerfile});
//   file = parse_dockerfile(ctx.dockerfile_text, ctx.dockerfile_path);
//          (warning_lines(file.warnings) go to the error stream once the stages are known)
//   build_args args{query.buildargs};  shell_lexer lexer{file.escape};
//   "Step i/n : <meta.code>" and apply_meta_arg(meta, lexer, args) for each meta ARG;
//   stages = file.stages up to --target (find_stage; "target stage %q could not be found"),
//   the last one gets make_label_instruction(k, v) for each --label (sorted by key);
//   per stage: "Step i/n : <stage.code>"; stage_args = args.for_new_stage();
//     base = expand_base_name(stage, lexer, args) (a stage name, "scratch" or an image),
//     expand_platform; then the base image's OnBuild triggers (parse_trigger each);
//     per instruction: "Step i/n : <ins.code>";
//       env = shell_env::from_list(substitution_env(config Env, stage_args));
//       expand_instruction(ins, lexer, env); legacy_builder_refusal(ins);
//       ARG → stage_args.add_arg(key, value); MAINTAINER → the image's author;
//       CMD ENTRYPOINT ENV EXPOSE HEALTHCHECK LABEL ONBUILD SHELL STOPSIGNAL USER VOLUME WORKDIR
//         → apply_instruction(config, ins, cmd_set) (config_changes.hpp);
//       RUN → resolve_command_line(run.command, Shell); its environment adds
//         stage_args.filter_allowed(Env); history/cache: prepend_build_args(...);
//       COPY/ADD → storage::resolve_sources, source_checksum/combined_checksum for the cache,
//         normalize_copy_dest(WorkingDir, dest);
//     args.merge_referenced(stage_args);
//   finally args.unused_warning().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <caf/expected.hpp>

#include "dockerfile/parser.hpp"
#include "runtime/container_config.hpp"

namespace berth::dockerfile {

/// RUN, CMD, ENTRYPOINT and HEALTHCHECK CMD arguments.
struct command_line {
  /// Exec (JSON) form: the array. Shell form: one element, the text as written (flags removed).
  std::vector<std::string> args;
  bool prepend_shell = false; ///< shell form: the builder prepends the SHELL (default /bin/sh -c)
  bool is_null = false;       ///< `ENTRYPOINT []` or no arguments: the entrypoint becomes null
};

/// dockerd's resolveCmdLine: the command as the config stores it (nullopt for null).
[[nodiscard]] std::optional<std::vector<std::string>>
resolve_command_line(const command_line& command, const std::vector<std::string>& shell);

/// The shell of the shell form when the image has no SHELL.
[[nodiscard]] std::vector<std::string> default_shell();

/// One ENV or LABEL pair.
struct key_value {
  std::string key;
  std::string value;
  bool legacy = false; ///< written `ENV key value` (no '=')
  bool operator==(const key_value&) const = default;
};

/// One name of an ARG, with its default if it has one.
struct arg_definition {
  std::string key;
  std::optional<std::string> value;
  bool operator==(const arg_definition&) const = default;
};

/// Docker's HealthcheckConfig (durations in nanoseconds, 0: inherit/default), as containers use it.
using healthcheck_config = runtime::healthcheck_config;

struct run_instruction {
  command_line command;
  /// Flags given (mount, network, security, device), in order: the legacy builder refuses the
  /// instruction when there is any (see legacy_builder_refusal).
  std::vector<std::string> flags_used;
  std::vector<std::string> mounts;
  std::string network;  ///< "default" unless given
  std::string security; ///< "sandbox" unless given
  std::vector<std::string> devices;
};
struct cmd_instruction {
  command_line command;
};
struct entrypoint_instruction {
  command_line command;
};
struct env_instruction {
  std::vector<key_value> pairs;
};
struct label_instruction {
  std::vector<key_value> pairs;
  bool no_expand = false; ///< from --label on the command line: taken literally
};
struct arg_instruction {
  std::vector<arg_definition> args;
};
struct expose_instruction {
  std::vector<std::string> ports; ///< as written, sorted (dockerd sorts them while parsing)
};
struct volume_instruction {
  std::vector<std::string> paths;
};
struct user_instruction {
  std::string user;
};
struct workdir_instruction {
  std::string path;
};
/// COPY's and ADD's sources and destination, as written.
struct sources_and_dest {
  std::vector<std::string> sources;
  std::string dest;
};
struct copy_instruction {
  sources_and_dest paths;
  std::string from;     ///< --from: a stage name, index or image (not substituted)
  std::string chown;    ///< --chown
  std::string chmod;    ///< --chmod: the legacy builder refuses it (see legacy_builder_refusal)
  bool link = false;    ///< --link: accepted and ignored by the legacy builder
  bool parents = false; ///< --parents: accepted and ignored
  std::vector<std::string> excludes; ///< --exclude: accepted and ignored
};
struct add_instruction {
  sources_and_dest paths;
  std::string chown;
  std::string chmod;    ///< refused by the legacy builder
  std::string checksum; ///< --checksum: accepted and ignored
  bool link = false;
  std::optional<bool> keep_git_dir;
  std::optional<bool> unpack;
  std::vector<std::string> excludes;
};
struct shell_instruction {
  std::vector<std::string> shell;
};
struct stopsignal_instruction {
  std::string signal;
};
struct healthcheck_instruction {
  healthcheck_config health;
};
struct onbuild_instruction {
  std::string expression; ///< the trigger as written ("RUN make"), stored in the image config
};
struct maintainer_instruction {
  std::string maintainer;
};

/// Any instruction but FROM.
struct instruction {
  std::string keyword; ///< as written ("run", "RUN")
  std::string code;    ///< the source text, trimmed: what "Step i/n : <code>" shows
  int start_line = 0;
  int end_line = 0;
  std::variant<run_instruction, cmd_instruction, entrypoint_instruction, env_instruction,
               label_instruction, arg_instruction, expose_instruction, volume_instruction,
               user_instruction, workdir_instruction, copy_instruction, add_instruction,
               shell_instruction, stopsignal_instruction, healthcheck_instruction,
               onbuild_instruction, maintainer_instruction>
      body;

  template <class T>
  [[nodiscard]] T* get() noexcept {
    return std::get_if<T>(&body);
  }
  template <class T>
  [[nodiscard]] const T* get() const noexcept {
    return std::get_if<T>(&body);
  }
  /// "RUN", "COPY", ...
  [[nodiscard]] std::string_view name() const noexcept;
};

/// A build stage: FROM and the instructions up to the next FROM.
struct stage {
  std::string name;      ///< AS name, lower case ("" when unnamed)
  std::string base_name; ///< the image or stage, as written (substituted with the meta args)
  std::string platform;  ///< --platform, as written
  std::string code;      ///< the FROM line, trimmed
  int start_line = 0;
  int end_line = 0;
  size_t index = 0; ///< position among the stages (COPY --from=<index>)
  std::vector<instruction> commands;
};

/// A whole Dockerfile.
struct parsed_dockerfile {
  std::vector<instruction> meta_args; ///< the ARGs before the first FROM (arg_instruction)
  std::vector<stage> stages;
  char escape = '\\';
  std::optional<std::string> syntax; ///< `# syntax=`, ignored by the legacy builder
  std::vector<std::string> warnings; ///< see parse_result::warnings and warning_lines
  /// The step count dockerd prints ("Step i/n"): meta args, stages and their instructions.
  [[nodiscard]] size_t total_steps() const;
  /// The index of the stage named `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<size_t> find_stage(std::string_view name) const;
};

/// Parses a whole Dockerfile named `name` (for messages) as dockerd does before building.
/// Errors (errc invalid_argument) carry dockerd's messages:
///  - "the Dockerfile (Dockerfile) cannot be empty" (no bytes at all);
///  - "failed to parse Dockerfile: <parser error>" (parse_nodes, e.g. "file with no
///    instructions");
///  - "dockerfile parse error on line N: <error>" for an instruction, e.g. "unknown
///    instruction: FOO (did you mean FROM?)", "FROM requires either one or three arguments";
///  - "no build stage in current context" for an instruction other than ARG before any FROM.
[[nodiscard]] caf::expected<parsed_dockerfile>
parse_dockerfile(std::string_view text, std::string_view name = "Dockerfile");

/// One node as a typed instruction, or a stage for FROM (buildkit's ParseInstruction); errors
/// without the "dockerfile parse error on line N: " prefix.
[[nodiscard]] caf::expected<std::variant<stage, instruction>>
parse_instruction(const parsed_node& node);

/// An ONBUILD trigger read back from an image (dockerd's dispatchTriggeredOnBuild): exactly one
/// instruction, not FROM.
[[nodiscard]] caf::expected<instruction> parse_trigger(std::string_view expression);

/// `docker commit/import --change` lines (dockerd's BuildFromConfig): only CMD, ENTRYPOINT,
/// ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME and WORKDIR, else "X is
/// not a valid change command".
[[nodiscard]] caf::expected<std::vector<instruction>>
parse_changes(const std::vector<std::string>& changes);

/// The LABEL dockerd adds to the last stage for each `--label key=value` of a build
/// (not substituted).
[[nodiscard]] instruction make_label_instruction(std::string key, std::string value);

/// The error the legacy builder gives when it reaches an instruction using a BuildKit-only
/// feature: RUN with any flag ("the --mount option requires BuildKit. Refer to
/// https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled"),
/// COPY/ADD --chmod. None for everything else.
[[nodiscard]] caf::error legacy_builder_refusal(const instruction& ins);

} // namespace berth::dockerfile
