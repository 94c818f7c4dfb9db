// Network namespaces for containers.
#include "net/netns.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <thread>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/sys.hpp"
#include "net/netlink.hpp"

namespace berth::net {

namespace {

// Runs `fn` on a fresh thread and returns its result: namespace changes stay on that thread.
caf::error on_own_thread(const std::function<caf::error()>& fn) {
  caf::error result;
  std::thread worker([&] { result = fn(); });
  worker.join();
  return result;
}

} // namespace

caf::error set_link_up(const std::string& name) {
  auto sock = nl::connect_route_socket();
  if (!sock) return sock.error();
  auto link = nl::get_link(sock->get(), name);
  if (!link) return link.error();
  return nl::bring_up(sock->get(), link->get(), name);
}

caf::error create_netns(const std::string& path) {
  {
    auto fd = sys::open(path, O_RDONLY | O_CREAT | O_EXCL, 0444);
    if (!fd) return fd.error();
  }
  auto err = on_own_thread([&]() -> caf::error {
    if (::unshare(CLONE_NEWNET) != 0)
      return sys::error_from_errno("unshare", "CLONE_NEWNET", errno);
    if (auto e = set_link_up("lo")) return e;
    if (::mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND, nullptr) != 0)
      return sys::error_from_errno("mount netns", path, errno);
    return {};
  });
  if (err) ::unlink(path.c_str());
  return err;
}

caf::error remove_netns(const std::string& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return sys::error_from_errno("umount netns", path, errno);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return sys::error_from_errno("unlink", path, errno);
  return {};
}

caf::error run_in_netns(const std::string& path, const std::function<caf::error()>& fn) {
  return on_own_thread([&]() -> caf::error {
    auto ns = sys::open(path, O_RDONLY);
    if (!ns) return ns.error();
    if (::setns(ns->get(), CLONE_NEWNET) != 0) return sys::error_from_errno("setns", path, errno);
    return fn();
  });
}

} // namespace berth::net
