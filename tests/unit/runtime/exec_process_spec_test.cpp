// Tests runtime/exec_process_spec: the OCI process of a docker exec.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "runtime/exec_process_spec.hpp"

using namespace berth;
using namespace berth::runtime;
using json = nlohmann::json;

namespace {

json container_process() {
  return json{{"terminal", false},
              {"user", {{"uid", 0}, {"gid", 0}}},
              {"args", {"sh"}},
              {"env", {"PATH=/usr/bin:/bin", "HOSTNAME=abc", "KEEP=1", "DROP=1"}},
              {"cwd", "/"},
              {"capabilities", {{"bounding", {"CAP_CHOWN"}}, {"effective", {"CAP_CHOWN"}}}},
              {"rlimits", {{{"type", "RLIMIT_NOFILE"}, {"hard", 1024}, {"soft", 1024}}}},
              {"noNewPrivileges", true},
              {"apparmorProfile", "docker-default"}};
}

} // namespace

TEST(exec_process_spec, keeps_the_containers_process_and_sets_the_command) {
  exec_process_inputs in;
  in.args = {"ls", "-l"};
  auto p = make_exec_process(container_process(), in);
  ASSERT_TRUE(p) << error_message(p.error());
  EXPECT_EQ((*p)["args"], (json{"ls", "-l"}));
  EXPECT_EQ((*p)["cwd"], "/");
  EXPECT_EQ((*p)["terminal"], false);
  EXPECT_EQ((*p)["capabilities"]["bounding"], (json{"CAP_CHOWN"}));
  EXPECT_EQ((*p)["rlimits"], container_process()["rlimits"]);
  EXPECT_EQ((*p)["noNewPrivileges"], true);
  EXPECT_EQ((*p)["apparmorProfile"], "docker-default");
  EXPECT_EQ((*p)["user"]["uid"], 0);
  EXPECT_FALSE(p->contains("consoleSize"));
}

TEST(exec_process_spec, applies_env_user_workdir_tty_and_privileged) {
  exec_process_inputs in;
  in.args = {"id"};
  in.env = {"HOSTNAME=mine", "NEW=2", "DROP"};
  in.working_dir = "/tmp";
  resolved_user user;
  user.uid = 1000;
  user.gid = 100;
  user.additional_gids = {100, 5};
  in.user = user;
  in.tty = true;
  in.rows = 24;
  in.cols = 80;
  in.privileged = true;
  in.all_caps = {"CAP_CHOWN", "CAP_SYS_ADMIN"};
  auto p = make_exec_process(container_process(), in);
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)["env"], (json{"PATH=/usr/bin:/bin", "HOSTNAME=mine", "KEEP=1", "NEW=2"}));
  EXPECT_EQ((*p)["cwd"], "/tmp");
  EXPECT_EQ((*p)["user"], (json{{"uid", 1000}, {"gid", 100}, {"additionalGids", {100, 5}}}));
  EXPECT_EQ((*p)["terminal"], true);
  EXPECT_EQ((*p)["consoleSize"], (json{{"height", 24}, {"width", 80}}));
  EXPECT_EQ((*p)["capabilities"]["effective"], (json{"CAP_CHOWN", "CAP_SYS_ADMIN"}));
  EXPECT_EQ((*p)["capabilities"]["permitted"], (json{"CAP_CHOWN", "CAP_SYS_ADMIN"}));
}

TEST(exec_process_spec, refuses_an_empty_command_or_a_missing_process) {
  exec_process_inputs in;
  auto empty = make_exec_process(container_process(), in);
  ASSERT_FALSE(empty);
  EXPECT_EQ(error_message(empty.error()), "No exec command specified");
  in.args = {"ls"};
  EXPECT_FALSE(make_exec_process(json(nullptr), in));
}

TEST(exec_process_spec, merges_env_like_dockerd) {
  EXPECT_EQ(merge_env({"A=1", "B=2"}, {"B=3", "C=4", "A"}),
            (std::vector<std::string>{"B=3", "C=4"}));
}
