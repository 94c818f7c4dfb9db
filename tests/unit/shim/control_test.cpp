// Tests shim/control and shim/attach: command lines, attach headers, stdcopy frames.
#include <string>

#include <gtest/gtest.h>

#include "shim/attach.hpp"
#include "shim/control.hpp"

using namespace berth::shim;

TEST(shim_control, parses_commands) {
  auto kill = parse_control_command("kill 9");
  ASSERT_TRUE(kill);
  EXPECT_EQ(kill->kind, control_command::kill);
  EXPECT_EQ(kill->signal, 9);
  auto resize = parse_control_command("resize 33 111\r");
  ASSERT_TRUE(resize);
  EXPECT_EQ(resize->kind, control_command::resize);
  EXPECT_EQ(resize->rows, 33);
  EXPECT_EQ(resize->cols, 111);
  EXPECT_EQ(parse_control_command("start")->kind, control_command::start);
  EXPECT_EQ(parse_control_command("close-stdin")->kind, control_command::close_stdin);
  EXPECT_EQ(parse_control_command("state")->kind, control_command::state);
  EXPECT_EQ(parse_control_command("wait")->kind, control_command::wait);
  EXPECT_EQ(parse_control_command("stats")->kind, control_command::stats);
  for (auto bad : {"", "kill", "kill 0", "kill 65", "kill x", "kill 9 9", "resize 1", "resize 0 1",
                   "resize 1 70000", "start now", "reboot", "a b c d e"})
    EXPECT_FALSE(parse_control_command(bad)) << bad;
}

TEST(shim_attach, parses_headers) {
  auto req = parse_attach_header("attach stdin=1 stdout=0 stderr=1");
  ASSERT_TRUE(req);
  EXPECT_TRUE(req->want_stdin);
  EXPECT_FALSE(req->want_stdout);
  EXPECT_TRUE(req->want_stderr);
  for (auto bad : {"attach", "attach stdin=1 stdout=1", "attach stdin=2 stdout=1 stderr=1",
                   "attach stdin=1 stdout=1 stderr=1 tty=1", "detach stdin=1 stdout=1 stderr=1"})
    EXPECT_FALSE(parse_attach_header(bad)) << bad;
}

TEST(shim_attach, stdcopy_header_is_big_endian) {
  std::string out;
  append_stdcopy_header(out, output_stream::err, 0x01020304);
  EXPECT_EQ(out, std::string("\x02\x00\x00\x00\x01\x02\x03\x04", 8));
}
