// Tests base/socket_path: sockets deeper than sun_path stay reachable.
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/fd.hpp"
#include "base/socket_path.hpp"
#include "base/sys.hpp"

using namespace berth;

namespace {

struct temp_dir {
  temp_dir() {
    char tmpl[] = "/tmp/berth-sockpath-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~temp_dir() { (void)sys::remove_all(path); }
  std::string path;
};

unique_fd listen_at(const std::string& dir, const std::string& name) {
  // Bind through the directory's descriptor too: the full path does not fit either way.
  auto reachable = socket_path::make(dir, name);
  EXPECT_TRUE(reachable);
  unique_fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, reachable->address().c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::listen(fd.get(), 1), 0);
  return fd;
}

bool can_connect(const std::string& address) {
  unique_fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, address.c_str(), sizeof addr.sun_path - 1);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

} // namespace

TEST(socket_path, a_short_path_is_used_as_is) {
  auto p = socket_path::make("/run/x", "control.sock");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address(), "/run/x/control.sock");
}

TEST(socket_path, a_deep_socket_is_reached_through_its_directory) {
  temp_dir root;
  std::string deep = root.path + "/" + std::string(64, 'a') + "/" + std::string(64, 'b');
  ASSERT_FALSE(sys::make_dirs(deep));
  ASSERT_GT(deep.size() + 13, sizeof(sockaddr_un::sun_path));
  auto listener = listen_at(deep, "control.sock");
  auto p = socket_path::make(deep, "control.sock");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address().rfind("/proc/self/fd/", 0), 0U) << p->address();
  EXPECT_TRUE(can_connect(p->address()));
}

TEST(socket_path, a_missing_deep_directory_is_an_error) {
  auto p = socket_path::make("/nonexistent/" + std::string(120, 'x'), "s.sock");
  EXPECT_FALSE(p);
}
