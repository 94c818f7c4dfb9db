// Tests dockerfile/expansion and dockerfile/build_args: which fields dockerd substitutes, with
// which variables, and the WORKDIR/COPY destination rules.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/expansion.hpp"

using namespace berth;
using namespace berth::dockerfile;
using strings = std::vector<std::string>;

namespace {

instruction one(std::string_view line) {
  auto file = parse_dockerfile("FROM scratch\n" + std::string{line} + "\n");
  EXPECT_TRUE(file) << (file ? "" : error_message(file.error()));
  return file ? file->stages.at(0).commands.at(0) : instruction{};
}

instruction expanded(std::string_view line, const shell_env& env, char escape = '\\') {
  auto ins = one(line);
  auto err = expand_instruction(ins, shell_lexer{escape}, env);
  EXPECT_FALSE(err) << line << ": " << error_message(err);
  return ins;
}

shell_env env() {
  return shell_env::from_list({"NAME=app", "DIR=/srv", "PORTS=80 443", "EMPTY="});
}

} // namespace

TEST(expansion, substituted_instructions) {
  auto e = env();
  auto env_ins = expanded("ENV HOME=$DIR/$NAME GREETING=\"hello world\" ${NAME}_X=1", e);
  EXPECT_EQ(
      env_ins.get<env_instruction>()->pairs,
      (std::vector<key_value>{{"HOME", "/srv/app"}, {"GREETING", "hello world"}, {"app_X", "1"}}));
  auto legacy = expanded("ENV PATHS $DIR/bin:\"$DIR\"/sbin", e);
  EXPECT_EQ(legacy.get<env_instruction>()->pairs[0].value, "/srv/bin:/srv/sbin");
  EXPECT_EQ(expanded("LABEL \"title\"=\"$NAME\"", e).get<label_instruction>()->pairs,
            (std::vector<key_value>{{"title", "app"}}));
  auto copy = expanded("COPY --chown=${NAME}:${NAME} --from=$NAME ./${NAME}* $DIR/", e);
  EXPECT_EQ(copy.get<copy_instruction>()->chown, "app:app");
  EXPECT_EQ(copy.get<copy_instruction>()->from, "$NAME");
  EXPECT_EQ(copy.get<copy_instruction>()->paths.sources, strings{"./app*"});
  EXPECT_EQ(copy.get<copy_instruction>()->paths.dest, "/srv/");
  auto add = expanded("ADD --chmod=$EMPTY --checksum=${X:-none} $NAME.tgz /", e);
  EXPECT_EQ(add.get<add_instruction>()->chmod, "");
  EXPECT_FALSE(legacy_builder_refusal(add)); // an empty --chmod after substitution is allowed
  EXPECT_EQ(add.get<add_instruction>()->checksum, "none");
  EXPECT_EQ(expanded("WORKDIR $DIR/${NAME}", e).get<workdir_instruction>()->path, "/srv/app");
  EXPECT_EQ(expanded("USER ${NAME}:${GROUP:-staff}", e).get<user_instruction>()->user, "app:staff");
  EXPECT_EQ(expanded("VOLUME $DIR/data '/a'", e).get<volume_instruction>()->paths,
            (strings{"/srv/data", "/a"}));
  // The words form splits at blanks before substitution: a quoted blank breaks the quotes.
  auto split_quote = one("VOLUME \"/a b\"");
  EXPECT_TRUE(expand_instruction(split_quote, shell_lexer{}, e));
  EXPECT_EQ(expanded("VOLUME [\"$DIR/data\"]", e).get<volume_instruction>()->paths,
            strings{"/srv/data"});
  EXPECT_EQ(expanded("STOPSIGNAL ${SIG:-SIGTERM}", e).get<stopsignal_instruction>()->signal,
            "SIGTERM");
  EXPECT_EQ(expanded("ARG ${NAME}_VERSION=$DIR", e).get<arg_instruction>()->args,
            (std::vector<arg_definition>{{"app_VERSION", "/srv"}}));
  EXPECT_EQ(expanded("EXPOSE $PORTS 8080/udp", e).get<expose_instruction>()->ports,
            (strings{"80", "443", "8080/udp"}));
}

TEST(expansion, untouched_instructions) {
  auto e = env();
  for (auto line :
       {"RUN echo $NAME", "CMD echo $NAME", "ENTRYPOINT [\"$NAME\"]", "SHELL [\"$NAME\"]",
        "HEALTHCHECK CMD check $NAME", "ONBUILD RUN $NAME", "MAINTAINER $NAME"}) {
    auto before = one(line);
    auto after = expanded(line, e);
    EXPECT_EQ(after.code, before.code);
    EXPECT_EQ(after.body.index(), before.body.index());
  }
  EXPECT_EQ(expanded("RUN echo $NAME", e).get<run_instruction>()->command.args,
            strings{"echo $NAME"});
  EXPECT_EQ(expanded("ONBUILD RUN $NAME", e).get<onbuild_instruction>()->expression, "RUN $NAME");
  auto label = make_label_instruction("k", "$NAME");
  ASSERT_FALSE(expand_instruction(label, shell_lexer{}, e));
  EXPECT_EQ(label.get<label_instruction>()->pairs[0].value, "$NAME");
}

TEST(expansion, errors_are_the_lexers) {
  auto ins = one("WORKDIR ${MISSING:?set it}");
  auto err = expand_instruction(ins, shell_lexer{}, env());
  EXPECT_EQ(error_message(err), "failed to process \"${MISSING:?set it}\": MISSING: set it");
  auto quote = one("ENV A=\"open");
  EXPECT_TRUE(expand_instruction(quote, shell_lexer{}, env()));
}

TEST(expansion, backtick_escape) {
  auto ins = expanded("COPY C:\\src\\$NAME `$NOT .", env(), '`');
  EXPECT_EQ(ins.get<copy_instruction>()->paths.sources, (strings{"C:\\src\\app", "$NOT"}));
}

TEST(expansion, from_uses_meta_args_only) {
  auto file = parse_dockerfile("ARG TAG=1.36\nARG REPO\nFROM ${REPO:-busybox}:$TAG\nFROM $NOPE\n"
                               "FROM --platform=$PLATFORM x\nFROM --platform=${P x\n");
  ASSERT_TRUE(file);
  build_args args{{{"REPO", std::nullopt}, {"PLATFORM", "linux/amd64"}}};
  shell_lexer lexer;
  for (auto& meta : file->meta_args)
    ASSERT_FALSE(apply_meta_arg(meta, lexer, args));
  EXPECT_EQ(*expand_base_name(file->stages[0], lexer, args), "busybox:1.36");
  EXPECT_EQ(error_message(expand_base_name(file->stages[1], lexer, args).error()),
            "base name ($NOPE) should not be blank");
  // PLATFORM was never declared: build args only reach FROM through a meta ARG.
  EXPECT_EQ(*expand_platform(file->stages[2], lexer, args), "");
  EXPECT_EQ(*expand_platform(file->stages[0], lexer, args), "");
  EXPECT_TRUE(error_message(expand_platform(file->stages[3], lexer, args).error())
                  .starts_with("failed to process arguments for platform : failed to process"));
}

TEST(build_args, values_come_from_options_then_defaults_then_meta_args) {
  build_args args{{{"VERSION", "2.0"},
                   {"UNUSED", "x"},
                   {"HTTP_PROXY", "http://proxy"},
                   {"NULLED", std::nullopt}}};
  args.add_meta_arg("BASE", "alpine");
  auto stage = args.for_new_stage();
  stage.add_arg("VERSION", "1.0");
  stage.add_arg("BASE", std::nullopt);
  stage.add_arg("NULLED", "default");
  stage.add_arg("NOVALUE", std::nullopt);
  auto allowed = stage.all_allowed();
  EXPECT_EQ(allowed.at("VERSION"), "2.0");
  EXPECT_EQ(allowed.at("BASE"), "alpine");
  EXPECT_EQ(allowed.at("NULLED"), "default");
  EXPECT_EQ(allowed.at("HTTP_PROXY"), "http://proxy"); // builtin: no ARG needed
  EXPECT_FALSE(allowed.contains("NOVALUE"));
  EXPECT_FALSE(allowed.contains("UNUSED"));

  // RUN's environment: the image's Env wins over build args of the same name.
  EXPECT_EQ(stage.filter_allowed({"VERSION=from-env", "PATH=/bin"}),
            (strings{"BASE=alpine", "HTTP_PROXY=http://proxy", "NULLED=default"}));
  EXPECT_EQ(substitution_env({"PATH=/bin"}, stage).front(), "PATH=/bin");
  EXPECT_EQ(prepend_build_args(stage, {"VERSION=2.0", "HTTP_PROXY=http://proxy", "BASE=alpine"},
                               {"/bin/sh", "-c", "make"}),
            (strings{"|2", "BASE=alpine", "VERSION=2.0", "/bin/sh", "-c", "make"}));

  // A new stage forgets the previous stage's ARGs but not the meta ones.
  auto next = stage.for_new_stage();
  EXPECT_FALSE(next.all_allowed().contains("VERSION"));
  EXPECT_TRUE(next.all_meta().contains("BASE"));

  args.merge_referenced(stage);
  EXPECT_EQ(args.unused(), strings{"UNUSED"});
  EXPECT_EQ(args.unused_warning(), "[Warning] One or more build-args [UNUSED] were not consumed\n");
  EXPECT_TRUE(is_builtin_build_arg("no_proxy"));
  EXPECT_FALSE(is_builtin_build_arg("NO_PROXY_X"));
}

TEST(paths, workdir_and_copy_destination) {
  EXPECT_EQ(*normalize_workdir("", "app"), "/app");
  EXPECT_EQ(*normalize_workdir("/srv", "app/../lib/"), "/srv/lib");
  EXPECT_EQ(*normalize_workdir("/srv", "/opt//x/."), "/opt/x");
  EXPECT_EQ(error_message(normalize_workdir("/", "").error()), "cannot normalize nothing");
  EXPECT_EQ(normalize_copy_dest("/srv", "app/"), "/srv/app/");
  EXPECT_EQ(normalize_copy_dest("/srv", "file"), "/srv/file");
  EXPECT_EQ(normalize_copy_dest("", "."), "/");
  EXPECT_EQ(normalize_copy_dest("/w", "./"), "/w/");
  EXPECT_EQ(normalize_copy_dest("/w", "/abs/../x/"), "/abs/../x/");
}
