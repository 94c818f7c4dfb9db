// Tests actors/build_steps: the "#(nop)" records of metadata steps compared with dockerd's texts
// (daemon/builder/dockerfile/dispatchers.go and internals.go), created_by, Go's %q of a list, and
// the JSON message lines of a build's output.
#include <gtest/gtest.h>

#include "actors/build_steps.hpp"
#include "base/error.hpp"
#include "dockerfile/instructions.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

using json = nlohmann::json;
using strings = std::vector<std::string>;

/// The first instruction of a one-stage Dockerfile whose body is `line`.
dockerfile::instruction parse(const std::string& line) {
  auto file = dockerfile::parse_dockerfile("FROM scratch\n" + line + "\n");
  EXPECT_TRUE(file) << (file ? "" : error_message(file.error()));
  if (!file || file->stages.empty() || file->stages[0].commands.empty()) return {};
  return file->stages[0].commands[0];
}

/// What `docker history` shows for a metadata step: dockerd's "<shell> #(nop)  <comment>".
std::string history_of(const std::string& line, const json& config_after) {
  auto comment = commit_comment(parse(line), config_after);
  return created_by(nop_config(config_after, comment, false));
}

} // namespace

TEST(build_steps, shell_of_is_the_configs_shell_or_bin_sh) {
  EXPECT_EQ(shell_of(json::object()), (strings{"/bin/sh", "-c"}));
  EXPECT_EQ(shell_of(json{{"Shell", nullptr}}), (strings{"/bin/sh", "-c"}));
  EXPECT_EQ(shell_of(json{{"Shell", json::array()}}), (strings{"/bin/sh", "-c"}));
  EXPECT_EQ(shell_of(json{{"Shell", {"/bin/bash", "-eo", "pipefail", "-c"}}}),
            (strings{"/bin/bash", "-eo", "pipefail", "-c"}));
}

TEST(build_steps, commit_comments_are_dockerds) {
  json none = json::object();
  EXPECT_EQ(history_of("CMD [\"sh\"]", {{"Cmd", {"sh"}}}), "/bin/sh -c #(nop)  CMD [\"sh\"]");
  EXPECT_EQ(history_of("CMD echo \"hi\"", {{"Cmd", {"/bin/sh", "-c", "echo \"hi\""}}}),
            "/bin/sh -c #(nop)  CMD [\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\"]");
  EXPECT_EQ(history_of("ENTRYPOINT [\"/init\", \"--\"]", {{"Entrypoint", {"/init", "--"}}}),
            "/bin/sh -c #(nop)  ENTRYPOINT [\"/init\" \"--\"]");
  // A null entrypoint: Go's %q of a nil slice.
  EXPECT_EQ(history_of("ENTRYPOINT []", {{"Entrypoint", nullptr}}),
            "/bin/sh -c #(nop)  ENTRYPOINT []");
  // Instructions arrive expanded (quotes removed) from the build job; these have no quotes.
  EXPECT_EQ(history_of("ENV A=b C=d\\ e", none), "/bin/sh -c #(nop)  ENV A=b C=d\\ e");
  // The legacy form is recorded with '=' as dockerd's KeyValuePair.String() does.
  EXPECT_EQ(history_of("ENV PATH /usr/bin", none), "/bin/sh -c #(nop)  ENV PATH=/usr/bin");
  EXPECT_EQ(history_of("LABEL a=1 b=two", none), "/bin/sh -c #(nop)  LABEL a=1 b=two");
  EXPECT_EQ(history_of("EXPOSE 80/tcp", none), "/bin/sh -c #(nop)  EXPOSE 80/tcp");
  EXPECT_EQ(history_of("VOLUME /data /logs", none), "/bin/sh -c #(nop)  VOLUME [/data /logs]");
  EXPECT_EQ(history_of("VOLUME [\"/data\"]", none), "/bin/sh -c #(nop)  VOLUME [/data]");
  EXPECT_EQ(history_of("USER app:app", none), "/bin/sh -c #(nop)  USER app:app");
  EXPECT_EQ(history_of("STOPSIGNAL SIGKILL", none), "/bin/sh -c #(nop)  STOPSIGNAL SIGKILL");
  EXPECT_EQ(history_of("MAINTAINER Jane <jane@example.com>", none),
            "/bin/sh -c #(nop)  MAINTAINER Jane <jane@example.com>");
  EXPECT_EQ(history_of("ONBUILD RUN make install", none),
            "/bin/sh -c #(nop)  ONBUILD RUN make install");
  EXPECT_EQ(history_of("ARG version=1.0 debug", none), "/bin/sh -c #(nop)  ARG version=1.0 debug");
  EXPECT_EQ(history_of("ARG empty=", none), "/bin/sh -c #(nop)  ARG empty=");
}

TEST(build_steps, shell_is_recorded_with_the_new_shell) {
  json config{{"Shell", {"/bin/bash", "-c"}}};
  EXPECT_EQ(commit_comment(parse("SHELL [\"/bin/bash\", \"-c\"]"), config), "SHELL [/bin/bash -c]");
  EXPECT_EQ(history_of("SHELL [\"/bin/bash\", \"-c\"]", config),
            "/bin/bash -c #(nop)  SHELL [/bin/bash -c]");
}

TEST(build_steps, healthcheck_is_gos_plus_v_of_the_config) {
  json config{{"Healthcheck",
               {{"Test", {"CMD-SHELL", "curl -f http://localhost/"}},
                {"Interval", int64_t{30'000'000'000}},
                {"Timeout", int64_t{90'000'000'000}},
                {"StartPeriod", int64_t{1'500'000'000}},
                {"Retries", 3}}}};
  EXPECT_EQ(commit_comment(parse("HEALTHCHECK --interval=30s --timeout=90s --start-period=1500ms "
                                 "--retries=3 CMD curl -f http://localhost/"),
                           config),
            "HEALTHCHECK &{Test:[CMD-SHELL curl -f http://localhost/] Interval:30s Timeout:1m30s "
            "StartPeriod:1.5s StartInterval:0s Retries:3}");
  json disabled{{"Healthcheck", {{"Test", {"NONE"}}}}};
  EXPECT_EQ(commit_comment(parse("HEALTHCHECK NONE"), disabled),
            "HEALTHCHECK &{Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s "
            "Retries:0}");
}

TEST(build_steps, nop_config_single_argument_form) {
  json config{{"Env", {"PATH=/bin"}}, {"Cmd", {"sh"}}, {"WorkingDir", "/app"}};
  auto workdir = nop_config(config, "WORKDIR /app", true);
  EXPECT_EQ(workdir["Cmd"], json({"/bin/sh", "-c", "#(nop) WORKDIR /app"}));
  EXPECT_EQ(created_by(workdir), "/bin/sh -c #(nop) WORKDIR /app");
  // Everything else of the config is kept.
  EXPECT_EQ(workdir["Env"], config["Env"]);
  EXPECT_EQ(workdir["WorkingDir"], "/app");
  auto copy = nop_config(config, "COPY file:0123abcd in /dest ", true);
  EXPECT_EQ(created_by(copy), "/bin/sh -c #(nop) COPY file:0123abcd in /dest ");
  auto two = nop_config(config, "ENV A=b", false);
  EXPECT_EQ(two["Cmd"], json({"/bin/sh", "-c", "#(nop) ", "ENV A=b"}));
  // The comment follows a custom shell.
  auto bash = nop_config(json{{"Shell", {"/bin/bash", "-c"}}}, "USER x", false);
  EXPECT_EQ(bash["Cmd"], json({"/bin/bash", "-c", "#(nop) ", "USER x"}));
}

TEST(build_steps, created_by_joins_the_command) {
  EXPECT_EQ(created_by(json{{"Cmd", {"/bin/sh", "-c", "apk add curl"}}}),
            "/bin/sh -c apk add curl");
  EXPECT_EQ(created_by(json::object()), "");
  EXPECT_EQ(created_by(json{{"Cmd", nullptr}}), "");
}

TEST(build_steps, go_quote_list_is_percent_q_of_a_slice) {
  EXPECT_EQ(go_quote_list({}), "[]");
  EXPECT_EQ(go_quote_list({"sh"}), "[\"sh\"]");
  EXPECT_EQ(go_quote_list({"a b", ""}), "[\"a b\" \"\"]");
  EXPECT_EQ(go_quote_list({"say \"hi\"\\"}), "[\"say \\\"hi\\\"\\\\\"]");
  EXPECT_EQ(go_quote_list({"l1\nl2\t\r"}), "[\"l1\\nl2\\t\\r\"]");
  EXPECT_EQ(go_quote_list({std::string{"\x01\x7f", 2}}), "[\"\\x01\\x7f\"]");
  // Printable Unicode stays as it is (strconv.Quote).
  EXPECT_EQ(go_quote_list({"caf\xc3\xa9"}), "[\"caf\xc3\xa9\"]");
}

TEST(build_steps, stream_lines_are_json_with_escapes) {
  EXPECT_EQ(stream_line("Step 1/2 : FROM busybox\n"),
            "{\"stream\":\"Step 1/2 : FROM busybox\\n\"}\n");
  auto line = stream_line("say \"hi\"\\\t\x01\x1b[0m");
  EXPECT_EQ(line, "{\"stream\":\"say \\\"hi\\\"\\\\\\t\\u0001\\u001b[0m\"}\n");
  auto parsed = json::parse(line);
  EXPECT_EQ(parsed["stream"], "say \"hi\"\\\t\x01\x1b[0m");
  // Output of a RUN is not always UTF-8: replaced, never an exception or invalid JSON.
  auto binary = stream_line(std::string{"ok \xff\xfe end"});
  EXPECT_EQ(binary.back(), '\n');
  EXPECT_EQ(json::parse(binary)["stream"], "ok \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(json::parse(stream_line("caf\xc3\xa9"))["stream"], "caf\xc3\xa9");
}

TEST(build_steps, aux_and_error_lines) {
  std::string id = "sha256:" + std::string(64, 'a');
  auto aux = aux_id_line(id);
  EXPECT_EQ(aux, "{\"aux\":{\"ID\":\"" + id + "\"}}\n");
  auto err = error_line("The command '/bin/sh -c exit 3' returned a non-zero code: 3\n\"x\"");
  ASSERT_EQ(err.back(), '\n');
  auto parsed = json::parse(err);
  EXPECT_EQ(parsed["error"], "The command '/bin/sh -c exit 3' returned a non-zero code: 3\n\"x\"");
  EXPECT_EQ(parsed["errorDetail"]["message"], parsed["error"]);
  EXPECT_EQ(err.find('\n'), err.size() - 1); // one line: the newline inside is escaped
  EXPECT_TRUE(json::accept(error_line(std::string{"bad \xff"})));
}
