// Tests dockerfile/instructions (instruction_parse.cpp, dockerfile_parse.cpp): every instruction's
// typed form, stages and meta ARGs, and dockerd's messages with line numbers.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/instructions.hpp"

using namespace berth;
using namespace berth::dockerfile;
using strings = std::vector<std::string>;

namespace {

parsed_dockerfile parse_ok(std::string_view text) {
  auto r = parse_dockerfile(text);
  EXPECT_TRUE(r) << (r ? "" : error_message(r.error()));
  return r ? *r : parsed_dockerfile{};
}

/// The only instruction of "FROM scratch\n<line>".
instruction one(std::string_view line) {
  auto file = parse_ok("FROM scratch\n" + std::string{line} + "\n");
  EXPECT_EQ(file.stages.size(), 1u);
  if (file.stages.empty() || file.stages[0].commands.size() != 1) {
    ADD_FAILURE() << "no single instruction in: " << line;
    return {};
  }
  return file.stages[0].commands[0];
}

std::string error_of(std::string_view line) {
  auto r = parse_dockerfile("FROM scratch\n" + std::string{line} + "\n");
  EXPECT_FALSE(r) << line;
  return r ? std::string{} : error_message(r.error());
}

} // namespace

TEST(instructions, stages_and_meta_args) {
  auto file = parse_ok("ARG BASE=busybox\nARG TAG\n"
                       "FROM ${BASE}:${TAG:-latest} AS Build\n"
                       "RUN make\n"
                       "from --platform=linux/amd64 build as final\n"
                       "COPY --from=build /out /out\n"
                       "FROM scratch\n");
  ASSERT_EQ(file.meta_args.size(), 2u);
  EXPECT_EQ(file.meta_args[0].get<arg_instruction>()->args,
            (std::vector<arg_definition>{{"BASE", "busybox"}}));
  EXPECT_EQ(file.meta_args[1].code, "ARG TAG");
  ASSERT_EQ(file.stages.size(), 3u);
  EXPECT_EQ(file.stages[0].name, "build");
  EXPECT_EQ(file.stages[0].base_name, "${BASE}:${TAG:-latest}");
  EXPECT_EQ(file.stages[0].code, "FROM ${BASE}:${TAG:-latest} AS Build");
  EXPECT_EQ(file.stages[0].start_line, 3);
  EXPECT_EQ(file.stages[0].commands.size(), 1u);
  EXPECT_EQ(file.stages[1].name, "final");
  EXPECT_EQ(file.stages[1].platform, "linux/amd64");
  EXPECT_EQ(file.stages[1].index, 1u);
  EXPECT_EQ(file.stages[2].name, "");
  EXPECT_EQ(file.stages[2].index, 2u);
  EXPECT_EQ(file.total_steps(), 2u + 3u + 2u);
  EXPECT_EQ(file.find_stage("BUILD"), 0u);
  EXPECT_EQ(file.find_stage("final"), 1u);
  EXPECT_FALSE(file.find_stage("missing"));
}

TEST(instructions, from_errors) {
  EXPECT_EQ(error_message(parse_dockerfile("FROM a b\n").error()),
            "dockerfile parse error on line 1: FROM requires either one or three arguments");
  EXPECT_EQ(error_message(parse_dockerfile("FROM\n").error()),
            "dockerfile parse error on line 1: FROM requires either one or three arguments");
  EXPECT_EQ(error_message(parse_dockerfile("FROM a AS 1st\n").error()),
            "dockerfile parse error on line 1: invalid name for build stage: \"1st\", name can't "
            "start with a number or contain symbols");
  EXPECT_EQ(error_message(parse_dockerfile("FROM a AS x$y\n").error()),
            "dockerfile parse error on line 1: invalid name for build stage: \"x$y\", name can't "
            "start with a number or contain symbols");
  EXPECT_TRUE(parse_dockerfile("FROM a AS My-Stage_1.x\n"));
  EXPECT_EQ(error_message(parse_dockerfile("FROM --plat=x a\n").error()),
            "dockerfile parse error on line 1: unknown flag: --plat");
  EXPECT_EQ(error_message(parse_dockerfile("FROM --platfrom=x a\n").error()),
            "dockerfile parse error on line 1: unknown flag: --platfrom (did you mean platform?)");
}

TEST(instructions, the_first_instruction_must_be_from_or_arg) {
  EXPECT_EQ(error_message(parse_dockerfile("RUN echo\nFROM scratch\n").error()),
            "no build stage in current context");
  EXPECT_EQ(error_message(parse_dockerfile("# c\n\nLABEL a=b\n").error()),
            "no build stage in current context");
  auto only_args = parse_dockerfile("ARG A\n");
  ASSERT_TRUE(only_args);
  EXPECT_TRUE(only_args->stages.empty());
}

TEST(instructions, unknown_instructions_name_the_line) {
  EXPECT_EQ(error_message(parse_dockerfile("FROM scratch\n\nFOOBAR bar\n").error()),
            "dockerfile parse error on line 3: unknown instruction: FOOBAR");
  EXPECT_EQ(error_message(parse_dockerfile("FROM scratch\n\nFOO bar\n").error()),
            "dockerfile parse error on line 3: unknown instruction: FOO (did you mean FROM?)");
  EXPECT_EQ(error_message(parse_dockerfile("FROM scratch\nRUNN make\n").error()),
            "dockerfile parse error on line 2: unknown instruction: RUNN (did you mean RUN?)");
  EXPECT_EQ(error_message(parse_dockerfile("FROM scratch\ncopyy a b\n").error()),
            "dockerfile parse error on line 2: unknown instruction: copyy (did you mean copy?)");
  EXPECT_EQ(
      error_message(parse_dockerfile("FROM scratch\nRUN a \\\n  b\nWORKDIRR /x\n").error()),
      "dockerfile parse error on line 4: unknown instruction: WORKDIRR (did you mean WORKDIR?)");
}

TEST(instructions, run_cmd_entrypoint) {
  auto run = one("RUN echo \"$HOME\" && ls");
  ASSERT_TRUE(run.get<run_instruction>());
  EXPECT_EQ(run.name(), "RUN");
  EXPECT_EQ(run.get<run_instruction>()->command.args, strings{"echo \"$HOME\" && ls"});
  EXPECT_TRUE(run.get<run_instruction>()->command.prepend_shell);
  EXPECT_EQ(resolve_command_line(run.get<run_instruction>()->command, {}),
            (strings{"/bin/sh", "-c", "echo \"$HOME\" && ls"}));
  EXPECT_EQ(resolve_command_line(run.get<run_instruction>()->command, {"/bin/bash", "-xc"}),
            (strings{"/bin/bash", "-xc", "echo \"$HOME\" && ls"}));
  EXPECT_FALSE(legacy_builder_refusal(run));

  auto exec = one("RUN [\"/bin/echo\", \"a b\"]");
  EXPECT_EQ(resolve_command_line(exec.get<run_instruction>()->command, {}),
            (strings{"/bin/echo", "a b"}));

  auto cmd = one("CMD [\"nginx\", \"-g\", \"daemon off;\"]");
  EXPECT_EQ(cmd.get<cmd_instruction>()->command.args, (strings{"nginx", "-g", "daemon off;"}));
  EXPECT_FALSE(cmd.get<cmd_instruction>()->command.prepend_shell);

  auto bare = one("CMD");
  EXPECT_EQ(resolve_command_line(bare.get<cmd_instruction>()->command, {}),
            (strings{"/bin/sh", "-c"}));
  auto empty = one("CMD []");
  EXPECT_EQ(resolve_command_line(empty.get<cmd_instruction>()->command, {}), strings{});

  auto entry = one("ENTRYPOINT []");
  EXPECT_FALSE(resolve_command_line(entry.get<entrypoint_instruction>()->command, {}));
  auto entry_shell = one("ENTRYPOINT exec top -b");
  EXPECT_EQ(resolve_command_line(entry_shell.get<entrypoint_instruction>()->command, {}),
            (strings{"/bin/sh", "-c", "exec top -b"}));
}

TEST(instructions, run_flags_need_buildkit) {
  auto run = one("RUN --mount=type=cache,target=/root/.cache --network=none go build");
  auto* r = run.get<run_instruction>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->flags_used, (strings{"mount", "network"}));
  EXPECT_EQ(r->mounts, strings{"type=cache,target=/root/.cache"});
  EXPECT_EQ(r->network, "none");
  EXPECT_EQ(r->command.args, strings{"go build"});
  EXPECT_EQ(error_message(legacy_builder_refusal(run)),
            "the --mount option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ "
            "to learn how to build images with BuildKit enabled");
  EXPECT_EQ(error_of("RUN --network=bridge x"),
            "dockerfile parse error on line 2: invalid network mode \"bridge\"");
  EXPECT_EQ(error_of("RUN --security=root x"),
            "dockerfile parse error on line 2: security \"root\" is not valid");
  EXPECT_EQ(error_of("RUN --mout=x y"),
            "dockerfile parse error on line 2: unknown flag: --mout (did you mean mount?)");
}

TEST(instructions, env_and_label) {
  auto env = one("ENV A=1 B=\"two words\" C=");
  EXPECT_EQ(
      env.get<env_instruction>()->pairs,
      (std::vector<key_value>{{"A", "1", false}, {"B", "\"two words\"", false}, {"C", "", false}}));
  auto legacy = one("ENV GREETING hello  world");
  EXPECT_EQ(legacy.get<env_instruction>()->pairs,
            (std::vector<key_value>{{"GREETING", "hello  world", true}}));
  auto label = one("LABEL org.opencontainers.image.title=\"My App\" version=1.0");
  EXPECT_EQ(label.get<label_instruction>()->pairs.size(), 2u);
  EXPECT_FALSE(label.get<label_instruction>()->no_expand);
  EXPECT_EQ(error_of("ENV =x"), "dockerfile parse error on line 2: ENV names can not be blank");
  EXPECT_EQ(error_of("ENV"),
            "dockerfile parse error on line 2: ENV requires at least one argument");
  EXPECT_EQ(error_of("LABEL"),
            "dockerfile parse error on line 2: LABEL requires at least one argument");
  EXPECT_EQ(error_of("ENV --x=1 A=b"), "dockerfile parse error on line 2: unknown flag: --x");

  auto added = make_label_instruction("built-by", "ci $X");
  EXPECT_EQ(added.code, "LABEL built-by=ci $X");
  EXPECT_TRUE(added.get<label_instruction>()->no_expand);
}

TEST(instructions, arg) {
  auto arg = one("ARG a b=2 c=\"3 4\" d=");
  EXPECT_EQ(
      arg.get<arg_instruction>()->args,
      (std::vector<arg_definition>{{"a", std::nullopt}, {"b", "2"}, {"c", "\"3 4\""}, {"d", ""}}));
  EXPECT_EQ(error_of("ARG =x"), "dockerfile parse error on line 2: ARG names can not be blank");
  EXPECT_EQ(error_of("ARG"),
            "dockerfile parse error on line 2: ARG requires at least one argument");
  EXPECT_TRUE(one("ARG --ignored=1 x").get<arg_instruction>());
}

TEST(instructions, expose_volume_user_workdir_stopsignal_maintainer) {
  EXPECT_EQ(one("EXPOSE 8080 443/tcp 53/udp 80").get<expose_instruction>()->ports,
            (strings{"443/tcp", "53/udp", "80", "8080"}));
  EXPECT_EQ(error_of("EXPOSE"),
            "dockerfile parse error on line 2: EXPOSE requires at least one argument");

  EXPECT_EQ(one("VOLUME /data /logs").get<volume_instruction>()->paths,
            (strings{"/data", "/logs"}));
  EXPECT_EQ(one("VOLUME [\"/a b\"]").get<volume_instruction>()->paths, strings{"/a b"});
  EXPECT_EQ(error_of("VOLUME [\" \"]"),
            "dockerfile parse error on line 2: VOLUME specified can not be an empty string");
  EXPECT_EQ(error_of("VOLUME"),
            "dockerfile parse error on line 2: VOLUME requires at least one argument");

  EXPECT_EQ(one("USER app:app").get<user_instruction>()->user, "app:app");
  EXPECT_EQ(one("USER a b").get<user_instruction>()->user, "a b");
  EXPECT_EQ(error_of("USER"),
            "dockerfile parse error on line 2: USER requires exactly one argument");
  EXPECT_EQ(one("WORKDIR /srv/app").get<workdir_instruction>()->path, "/srv/app");
  EXPECT_EQ(error_of("WORKDIR"),
            "dockerfile parse error on line 2: WORKDIR requires exactly one argument");
  EXPECT_EQ(one("STOPSIGNAL SIGQUIT").get<stopsignal_instruction>()->signal, "SIGQUIT");
  EXPECT_EQ(one("STOPSIGNAL --ignored 9").get<stopsignal_instruction>()->signal, "9");
  EXPECT_EQ(error_of("STOPSIGNAL"),
            "dockerfile parse error on line 2: STOPSIGNAL requires exactly one argument");
  EXPECT_EQ(one("MAINTAINER Jane <jane@example.com>").get<maintainer_instruction>()->maintainer,
            "Jane <jane@example.com>");
  EXPECT_EQ(error_of("MAINTAINER"),
            "dockerfile parse error on line 2: MAINTAINER requires exactly one argument");
}

TEST(instructions, copy_and_add) {
  auto copy =
      one("COPY --from=build --chown=app:app --link --parents --exclude=*.md src/ lib/ /app/");
  auto* c = copy.get<copy_instruction>();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->paths.sources, (strings{"src/", "lib/"}));
  EXPECT_EQ(c->paths.dest, "/app/");
  EXPECT_EQ(c->from, "build");
  EXPECT_EQ(c->chown, "app:app");
  EXPECT_TRUE(c->link);
  EXPECT_TRUE(c->parents);
  EXPECT_EQ(c->excludes, strings{"*.md"});
  EXPECT_FALSE(legacy_builder_refusal(copy));

  auto json = one("COPY [\"a file\", \"/dest dir/\"]");
  EXPECT_EQ(json.get<copy_instruction>()->paths.sources, strings{"a file"});
  EXPECT_EQ(json.get<copy_instruction>()->paths.dest, "/dest dir/");

  auto chmod = one("COPY --chmod=755 run.sh /");
  EXPECT_EQ(error_message(legacy_builder_refusal(chmod)),
            "the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ "
            "to learn how to build images with BuildKit enabled");

  auto add = one("ADD --checksum=sha256:abc --keep-git-dir=false --unpack x.tar.gz /x/");
  auto* a = add.get<add_instruction>();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->checksum, "sha256:abc");
  EXPECT_EQ(a->keep_git_dir, false);
  EXPECT_EQ(a->unpack, true);
  EXPECT_FALSE(one("ADD a b").get<add_instruction>()->unpack.has_value());

  EXPECT_EQ(error_of("COPY onlyone"),
            "dockerfile parse error on line 2: COPY requires at least two arguments, but only one "
            "was provided. Destination could not be determined");
  EXPECT_EQ(error_of("ADD"),
            "dockerfile parse error on line 2: ADD requires at least two arguments, but only one "
            "was provided. Destination could not be determined");
  EXPECT_EQ(error_of("COPY --from a b"),
            "dockerfile parse error on line 2: missing a value on flag: --from");
  EXPECT_EQ(error_of("COPY --from=a --from=b c d"),
            "dockerfile parse error on line 2: duplicate flag specified: --from");
  EXPECT_EQ(
      error_of("COPY --link=maybe a b"),
      "dockerfile parse error on line 2: expecting boolean value for flag --link, not: maybe");
  EXPECT_EQ(error_of("COPY --link= a b"),
            "dockerfile parse error on line 2: missing a value on flag: --link");
  EXPECT_EQ(error_of("COPY --form=x a b"),
            "dockerfile parse error on line 2: unknown flag: --form (did you mean from?)");
  EXPECT_EQ(error_of("ADD --from=x a b"), "dockerfile parse error on line 2: unknown flag: --from");
  EXPECT_EQ(error_of("COPY [\"a\", \"<<EOF\"]"),
            "dockerfile parse error on line 2: COPY cannot accept a heredoc as a destination");
}

TEST(instructions, shell) {
  EXPECT_EQ(
      one("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]").get<shell_instruction>()->shell,
      (strings{"/bin/bash", "-o", "pipefail", "-c"}));
  EXPECT_EQ(error_of("SHELL /bin/bash -c"),
            "dockerfile parse error on line 2: SHELL requires the arguments to be in JSON form");
  EXPECT_EQ(error_of("SHELL []"),
            "dockerfile parse error on line 2: SHELL requires at least one argument");
}

TEST(instructions, healthcheck) {
  auto none = one("healthcheck none");
  EXPECT_EQ(none.get<healthcheck_instruction>()->health.test, strings{"NONE"});
  EXPECT_EQ(one("HEALTHCHECK --bogus NONE").get<healthcheck_instruction>()->health.test,
            strings{"NONE"});

  auto shell = one("HEALTHCHECK --interval=30s --timeout=1m30s --start-period=1.5s "
                   "--start-interval=250ms --retries=3 CMD curl -f http://localhost/ || exit 1");
  auto& h = shell.get<healthcheck_instruction>()->health;
  EXPECT_EQ(h.test, (strings{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}));
  EXPECT_EQ(h.interval, 30'000'000'000);
  EXPECT_EQ(h.timeout, 90'000'000'000);
  EXPECT_EQ(h.start_period, 1'500'000'000);
  EXPECT_EQ(h.start_interval, 250'000'000);
  EXPECT_EQ(h.retries, 3);

  auto exec = one("HEALTHCHECK cmd [\"/bin/check\", \"--fast\"]");
  EXPECT_EQ(exec.get<healthcheck_instruction>()->health.test,
            (strings{"CMD", "/bin/check", "--fast"}));
  EXPECT_EQ(one("HEALTHCHECK --interval=0 CMD x").get<healthcheck_instruction>()->health.interval,
            0);

  auto line = [](std::string_view why) {
    return "dockerfile parse error on line 2: " + std::string{why};
  };
  EXPECT_EQ(error_of("HEALTHCHECK"), line("HEALTHCHECK requires at least one argument"));
  EXPECT_EQ(error_of("HEALTHCHECK NONE x"), line("HEALTHCHECK NONE takes no arguments"));
  EXPECT_EQ(error_of("HEALTHCHECK CMD"), line("Missing command after HEALTHCHECK CMD"));
  EXPECT_EQ(error_of("HEALTHCHECK RUN x"), line("Unknown type \"RUN\" in HEALTHCHECK (try CMD)"));
  EXPECT_EQ(error_of("HEALTHCHECK --interval=10us CMD x"),
            line("Interval \"interval\" cannot be less than 1ms"));
  EXPECT_EQ(error_of("HEALTHCHECK --timeout=-5s CMD x"),
            line("Interval \"timeout\" cannot be less than 1ms"));
  EXPECT_EQ(error_of("HEALTHCHECK --interval=5 CMD x"),
            line("time: missing unit in duration \"5\""));
  EXPECT_EQ(error_of("HEALTHCHECK --interval=5d CMD x"),
            line("time: unknown unit \"d\" in duration \"5d\""));
  EXPECT_EQ(error_of("HEALTHCHECK --interval=soon CMD x"), line("time: invalid duration \"soon\""));
  EXPECT_EQ(error_of("HEALTHCHECK --retries=-1 CMD x"), line("--retries cannot be negative (-1)"));
  EXPECT_EQ(error_of("HEALTHCHECK --retries=three CMD x"),
            line("strconv.ParseInt: parsing \"three\": invalid syntax"));
  EXPECT_EQ(error_of("HEALTHCHECK --retries=3000000000 CMD x"),
            line("strconv.ParseInt: parsing \"3000000000\": value out of range"));
  EXPECT_EQ(error_of("HEALTHCHECK --retry=1 CMD x"), line("unknown flag: --retry"));
  EXPECT_EQ(error_of("HEALTHCHECK --retires=1 CMD x"),
            line("unknown flag: --retires (did you mean retries?)"));
}

TEST(instructions, onbuild) {
  auto on = one("ONBUILD   RUN make install");
  EXPECT_EQ(on.get<onbuild_instruction>()->expression, "RUN make install");
  EXPECT_EQ(one("onbuild copy --chown=1 . /app").get<onbuild_instruction>()->expression,
            "copy --chown=1 . /app");
  EXPECT_EQ(
      error_of("ONBUILD ONBUILD RUN x"),
      "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  EXPECT_EQ(error_of("ONBUILD from x"),
            "dockerfile parse error on line 2: FROM isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(error_of("ONBUILD MAINTAINER me"),
            "dockerfile parse error on line 2: MAINTAINER isn't allowed as an ONBUILD trigger");
  EXPECT_EQ(error_of("ONBUILD"),
            "dockerfile parse error on line 2: ONBUILD requires at least one argument");
  // Deep nesting is refused, not recursed into.
  std::string deep = "ONBUILD";
  for (int i = 0; i < 200; ++i)
    deep += " ONBUILD";
  EXPECT_EQ(
      error_of(deep + " RUN x"),
      "dockerfile parse error on line 2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
}

TEST(instructions, triggers_read_back_from_images) {
  auto trigger = parse_trigger("RUN echo built on top");
  ASSERT_TRUE(trigger);
  EXPECT_EQ(trigger->get<run_instruction>()->command.args, strings{"echo built on top"});
  EXPECT_EQ(error_message(parse_trigger("RUN a\nRUN b").error()),
            "onbuild trigger should be a single expression");
  EXPECT_EQ(error_message(parse_trigger("FROM x").error()),
            "*instructions.Stage is not a command type");
  EXPECT_EQ(error_message(parse_trigger("NOPE x").error()),
            "unknown instruction: NOPE (did you mean COPY?)");
}

TEST(instructions, change_lines) {
  auto changes = parse_changes({"CMD [\"sh\"]", "ENV A=1", "EXPOSE 80", "HEALTHCHECK NONE",
                                "ONBUILD RUN x", "STOPSIGNAL 9", "USER u", "VOLUME /v",
                                "WORKDIR /w", "LABEL a=b", "ENTRYPOINT x"});
  ASSERT_TRUE(changes) << error_message(changes.error());
  EXPECT_EQ(changes->size(), 11u);
  EXPECT_EQ(error_message(parse_changes({"ENV A=1", "RUN rm -rf /"}).error()),
            "RUN is not a valid change command");
  EXPECT_EQ(error_message(parse_changes({"copy a b"}).error()),
            "copy is not a valid change command");
  EXPECT_TRUE(parse_changes({})->empty());
}

TEST(instructions, code_is_the_trimmed_original) {
  auto file = parse_ok("FROM scratch\n  RUN   a \\\n   b   \n");
  ASSERT_EQ(file.stages[0].commands.size(), 1u);
  EXPECT_EQ(file.stages[0].commands[0].code, "RUN   a    b");
  EXPECT_EQ(file.stages[0].commands[0].keyword, "RUN");
  EXPECT_EQ(file.stages[0].commands[0].start_line, 2);
  EXPECT_EQ(file.stages[0].commands[0].end_line, 3);
}
