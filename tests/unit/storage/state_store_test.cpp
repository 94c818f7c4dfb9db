// Tests storage/state_store: migrations, atomic batches, reopen, and crash safety.
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/state_store.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

class state_store_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-state-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  std::unique_ptr<state_store> open() {
    auto s = state_store::open(path_);
    EXPECT_TRUE(s) << error_message(s.error());
    return s ? std::move(*s) : nullptr;
  }

  std::string dir_;
  std::string path_;
};

} // namespace

TEST_F(state_store_test, migrates_a_new_database_to_the_latest_schema) {
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schema_version(), state_store::latest_schema_version());
  EXPECT_GE(state_store::latest_schema_version(), 1);
}

TEST_F(state_store_test, batches_put_and_erase_and_survive_reopen) {
  {
    auto s = open();
    ASSERT_FALSE(s->apply({state_op::put("container", "b", R"({"n":2})"),
                           state_op::put("container", "a", R"({"n":1})"),
                           state_op::put("image", "x", "{}")}));
    ASSERT_FALSE(
        s->apply({state_op::erase("image", "x"), state_op::put("container", "a", R"({"n":3})")}));
    ASSERT_FALSE(s->set_meta("engine-id", "abc"));
  }
  auto s = open();
  auto rows = s->load("container");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "a");
  EXPECT_EQ((*rows)[0].body, R"({"n":3})");
  EXPECT_EQ((*rows)[1].id, "b");
  auto img = s->get("image", "x");
  ASSERT_TRUE(img);
  EXPECT_FALSE(img->has_value());
  auto meta = s->get_meta("engine-id");
  ASSERT_TRUE(meta);
  EXPECT_EQ(**meta, "abc");
}

TEST_F(state_store_test, refuses_a_schema_from_the_future) {
  {
    auto s = open();
    ASSERT_TRUE(s);
  }
  // Bump user_version behind the store's back with a second connection via a batch of raw SQL.
  std::string cmd = "sqlite3 " + path_ + " 'PRAGMA user_version=999' >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "sqlite3 command-line tool not available";
  auto s = state_store::open(path_);
  ASSERT_FALSE(s);
  EXPECT_NE(error_message(s.error()).find("refusing to downgrade"), std::string::npos);
}

TEST_F(state_store_test, a_crash_mid_batch_leaves_all_or_nothing) {
  // A child process writes batches in a loop and is killed with SIGKILL at a random moment.
  // Every batch writes the same counter to two rows; after the crash both must agree.
  { auto s = open(); }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = state_store::open(path_);
    if (!s) ::_exit(2);
    for (int i = 0; i < 1'000'000; ++i) {
      std::string v = std::to_string(i);
      if ((*s)->apply({state_op::put("pair", "left", v), state_op::put("pair", "right", v)}))
        ::_exit(3);
    }
    ::_exit(0);
  }
  ::usleep(150'000);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  auto s = open();
  auto rows = s->load("pair");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].body, (*rows)[1].body);
}
