// Tests daemon/data_root_lock: one holder per data root, the refusal names the holder's pid.
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "daemon/data_root_lock.hpp"

using namespace berth;

TEST(data_root_lock, second_holder_is_refused_naming_the_first) {
  char tmpl[] = "/tmp/berth-lock-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto first = daemon::data_root_lock::acquire(dir);
  ASSERT_TRUE(first) << error_message(first.error());
  // flock is per open file description: a second process must be refused.
  pid_t child = ::fork();
  if (child == 0) {
    auto second = daemon::data_root_lock::acquire(dir);
    bool ok = !second && error_kind(second.error()) == errc::conflict &&
              error_message(second.error()).find("(pid " + std::to_string(::getppid()) + ")") !=
                  std::string::npos;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Released on destruction: a new holder succeeds.
  { auto moved = std::move(*first); }
  pid_t again = ::fork();
  if (again == 0) ::_exit(daemon::data_root_lock::acquire(dir) ? 0 : 1);
  ::waitpid(again, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  (void)sys::remove_all(dir);
}
