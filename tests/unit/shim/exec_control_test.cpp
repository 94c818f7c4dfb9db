// Tests the shim's exec commands and exec naming (shim/control, shim/exec_process).
#include <string>

#include <gtest/gtest.h>

#include "shim/control.hpp"
#include "shim/exec_process.hpp"

using namespace berth::shim;

TEST(shim_exec_control, parses_exec_commands) {
  auto prepare = parse_control_command("exec abc123 1 0");
  ASSERT_TRUE(prepare);
  EXPECT_EQ(prepare->kind, control_command::exec_prepare);
  EXPECT_EQ(prepare->exec_id, "abc123");
  EXPECT_TRUE(prepare->tty);
  EXPECT_FALSE(prepare->open_stdin);
  auto start = parse_control_command("exec-start abc123");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->kind, control_command::exec_start);
  EXPECT_EQ(parse_control_command("wait-exec ff")->kind, control_command::exec_wait);
  auto resize = parse_control_command("resize-exec ff 24 80");
  ASSERT_TRUE(resize);
  EXPECT_EQ(resize->kind, control_command::exec_resize);
  EXPECT_EQ(resize->rows, 24);
  EXPECT_EQ(resize->cols, 80);
  auto kill = parse_control_command("kill-exec ff 9");
  ASSERT_TRUE(kill);
  EXPECT_EQ(kill->kind, control_command::exec_kill);
  EXPECT_EQ(kill->exec_id, "ff");
  EXPECT_EQ(kill->signal, 9);
  for (auto bad :
       {"exec", "exec abc 1", "exec abc 2 0", "exec ../x 0 0", "exec ABC 0 0", "exec-start",
        "exec-start a b", "wait-exec", "resize-exec ff 0 80", "exec-start g", "kill-exec ff",
        "kill-exec ff 0", "kill-exec ff 65", "kill-exec ff TERM"})
    EXPECT_FALSE(parse_control_command(bad)) << bad;
  EXPECT_FALSE(parse_control_command("exec " + std::string(65, 'a') + " 0 0"));
}

TEST(shim_exec_control, names_and_failure_codes) {
  EXPECT_EQ(exec_socket_name("ab"), "exec-ab.sock");
  EXPECT_EQ(exec_exit_name("ab"), "exec-ab.json");
  EXPECT_EQ(exec_process_name("ab"), "exec-ab.process.json");
  EXPECT_EQ(exec_start_failure_code(
                "exec failed: unable to start container process: exec: \"x\": executable file "
                "not found in $PATH"),
            127);
  EXPECT_EQ(exec_start_failure_code("exec failed: permission denied"), 126);
  EXPECT_TRUE(valid_exec_id(std::string(64, 'f')));
  EXPECT_FALSE(valid_exec_id(""));
}
