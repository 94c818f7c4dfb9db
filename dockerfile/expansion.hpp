// The substitution dockerd applies to an instruction right before running it, with the
// variables in scope at that point (see build_args.hpp's substitution_env).
#pragma once

#include <string>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "dockerfile/build_args.hpp"
#include "dockerfile/instructions.hpp"
#include "dockerfile/shell_lexer.hpp"

namespace berth::dockerfile {

/// Substitutes the fields dockerd substitutes (each word on its own with process_word):
///  - ENV and LABEL (unless no_expand): keys and values;
///  - ADD: --chown, --chmod, --checksum, sources, destination;
///  - COPY: --chown, --chmod, sources, destination (not --from);
///  - WORKDIR, USER, STOPSIGNAL: the argument; VOLUME: each path; ARG: names and defaults;
///  - EXPOSE: each port, split into words (process_words: "$PORTS" may give several).
/// RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD and MAINTAINER are left as written (the
/// shell does its own substitution at run time). Errors are the lexer's.
[[nodiscard]] caf::error expand_instruction(instruction& ins, const shell_lexer& lexer,
                                            const shell_env& env);

/// FROM's image: `base_name` substituted with the meta args (build_args::all_meta); fails with
/// "base name (<as written>) should not be blank" when nothing is left.
[[nodiscard]] caf::expected<std::string>
expand_base_name(const stage& from, const shell_lexer& lexer, const build_args& args);

/// FROM --platform substituted likewise ("" when not given); errors read "failed to process
/// arguments for platform : <why>" as dockerd's do.
[[nodiscard]] caf::expected<std::string>
expand_platform(const stage& from, const shell_lexer& lexer, const build_args& args);

/// A meta ARG (before the first FROM): substituted with the meta args so far, then added both as
/// an arg and as a meta arg (dockerd's processMetaArg).
[[nodiscard]] caf::error apply_meta_arg(instruction& arg, const shell_lexer& lexer,
                                        build_args& args);

/// dockerd's WORKDIR rule: a relative path is joined to the current one ("/" when none), the
/// result cleaned. Fails with "cannot normalize nothing" for "".
[[nodiscard]] caf::expected<std::string> normalize_workdir(const std::string& current,
                                                           const std::string& requested);

/// dockerd's COPY/ADD destination rule: a relative destination is joined to the working
/// directory (and "/"), keeping a trailing '/'.
[[nodiscard]] std::string normalize_copy_dest(const std::string& working_dir,
                                              const std::string& dest);

} // namespace berth::dockerfile
