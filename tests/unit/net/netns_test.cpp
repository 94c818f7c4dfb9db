// Tests net/netns: a pinned namespace with loopback up, usable from another thread, removable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "net/netns.hpp"

using namespace berth;

namespace {

bool loopback_up() {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq req{};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  bool up = ::ioctl(fd, SIOCGIFFLAGS, &req) == 0 && (req.ifr_flags & IFF_UP);
  ::close(fd);
  return up;
}

} // namespace

TEST(netns, creates_a_pinned_namespace_with_loopback_up) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root";
  char tmpl[] = "/tmp/berth-netns-test-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  auto path = dir + "/ns";
  ASSERT_FALSE(net::create_netns(path)) << "create failed";
  bool up = false;
  ASSERT_FALSE(net::run_in_netns(path, [&]() -> caf::error {
    up = loopback_up();
    return {};
  }));
  EXPECT_TRUE(up);
  EXPECT_TRUE(net::create_netns(path)) << "a second create on the same path must fail";
  ASSERT_FALSE(net::remove_netns(path));
  EXPECT_FALSE(sys::exists(path));
  EXPECT_FALSE(net::remove_netns(path)); // already gone is fine
  (void) sys::remove_all(dir);
}
