// Tests dockerfile/config_changes: --change lines and the metadata instructions applied to an
// image config.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/config_changes.hpp"

using namespace berth;
using namespace berth::dockerfile;
using json = nlohmann::json;

TEST(config_changes, applies_the_allowed_instructions) {
  json cfg = json::object();
  ASSERT_FALSE(apply_changes(cfg, {R"(CMD ["sh", "-c", "echo hi"])", "ENTRYPOINT /init",
                                   "ENV A=1 B=2", "ENV A=3", "EXPOSE 80 443/tcp", "LABEL x=y",
                                   "USER 1000:1000", "WORKDIR /srv", "WORKDIR app",
                                   R"(VOLUME ["/data"])", "ONBUILD RUN true"}));
  EXPECT_EQ(cfg["Cmd"], json({"sh", "-c", "echo hi"}));
  EXPECT_EQ(cfg["Entrypoint"], json({"/bin/sh", "-c", "/init"}));
  EXPECT_EQ(cfg["Env"], json({"A=3", "B=2"}));
  EXPECT_TRUE(cfg["ExposedPorts"].contains("443/tcp"));
  EXPECT_EQ(cfg["Labels"]["x"], "y");
  EXPECT_EQ(cfg["User"], "1000:1000");
  EXPECT_EQ(cfg["WorkingDir"], "/srv/app");
  EXPECT_TRUE(cfg["Volumes"].contains("/data"));
  EXPECT_EQ(cfg["OnBuild"], json({"RUN true"}));
}

TEST(config_changes, refuses_other_instructions_like_dockerd) {
  json cfg = json::object();
  auto err = apply_changes(cfg, {"RUN rm -rf /"});
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err), "RUN is not a valid change command");
  EXPECT_TRUE(apply_changes(cfg, {"FROB x"}));
  EXPECT_TRUE(apply_changes(cfg, {"EXPOSE notaport"}));
}

TEST(config_changes, an_entrypoint_clears_the_cmd_unless_a_cmd_came_first) {
  // As dockerd's builder (docker commit --change on a container that has a Cmd).
  json cfg{{"Cmd", {"sh", "-c", "echo hi"}}};
  ASSERT_FALSE(apply_changes(cfg, {R"(ENTRYPOINT ["cat"])"}));
  EXPECT_TRUE(cfg["Cmd"].is_null());
  EXPECT_EQ(cfg["Entrypoint"], json({"cat"}));
  json both{{"Cmd", {"sh"}}};
  ASSERT_FALSE(apply_changes(both, {R"(CMD ["/x"])", R"(ENTRYPOINT ["cat"])"}));
  EXPECT_EQ(both["Cmd"], json({"/x"}));
}

TEST(config_changes, substitutes_with_the_config_env) {
  json cfg = {{"Env", {"HOME=/root", "APP=web"}}, {"WorkingDir", "/"}};
  ASSERT_FALSE(apply_changes(
      cfg, {"ENV DATA=$HOME/data", "WORKDIR ${APP}", "LABEL app=$APP", "ENV A=1 B=$A"}));
  EXPECT_EQ(cfg["Env"], json({"HOME=/root", "APP=web", "DATA=/root/data", "A=1", "B="}));
  EXPECT_EQ(cfg["WorkingDir"], "/web");
  EXPECT_EQ(cfg["Labels"]["app"], "web");
  auto err = apply_changes(cfg, {"USER ${NOBODY:?must be set}"});
  EXPECT_EQ(error_message(err),
            "failed to process \"${NOBODY:?must be set}\": NOBODY: must be set");
}

TEST(config_changes, healthcheck_stopsignal_shell_and_entrypoint_rules) {
  json cfg = {{"Cmd", {"old"}}, {"Shell", {"/bin/bash", "-c"}}};
  ASSERT_FALSE(apply_changes(cfg, {"HEALTHCHECK --interval=5s --retries=2 CMD curl -f x",
                                   "STOPSIGNAL SIGQUIT", "ENTRYPOINT run"}));
  EXPECT_EQ(
      cfg["Healthcheck"],
      json({{"Test", {"CMD-SHELL", "curl -f x"}}, {"Interval", 5'000'000'000}, {"Retries", 2}}));
  EXPECT_EQ(cfg["StopSignal"], "SIGQUIT");
  EXPECT_EQ(cfg["Entrypoint"], json({"/bin/bash", "-c", "run"}));
  EXPECT_TRUE(cfg["Cmd"].is_null()); // ENTRYPOINT without an earlier CMD resets it
  ASSERT_FALSE(apply_changes(cfg, {"CMD [\"a\"]", "ENTRYPOINT []"}));
  EXPECT_EQ(cfg["Cmd"], json({"a"}));
  EXPECT_TRUE(cfg["Entrypoint"].is_null());
  EXPECT_EQ(error_message(apply_changes(cfg, {"STOPSIGNAL SIGNOPE"})), "Invalid signal: SIGNOPE");
}

TEST(config_changes, apply_instruction_refuses_build_steps) {
  json cfg = json::object();
  bool cmd_set = false;
  auto run = parse_trigger("RUN make");
  ASSERT_TRUE(run);
  EXPECT_EQ(error_message(apply_instruction(cfg, *run, cmd_set)),
            "RUN does not change the image config");
}
