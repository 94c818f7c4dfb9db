// Network sysctls in a given network namespace.
#include "net/nft_sysctl.hpp"

#include <fcntl.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "net/netns.hpp"

namespace berth::net {

namespace {

caf::error in_netns(const std::string& netns, const std::function<caf::error()>& fn) {
  return netns.empty() ? fn() : run_in_netns(netns, fn);
}

caf::error check_path(const std::string& path) {
  if (path.empty() || path.find("..") != std::string::npos || path.front() == '/')
    return make_error(errc::invalid_argument, "invalid sysctl path " + path);
  return {};
}

} // namespace

caf::error write_net_sysctl(const std::string& netns, const std::string& path,
                            std::string_view value) {
  if (auto err = check_path(path)) return err;
  auto file = "/proc/sys/" + path;
  return in_netns(netns, [&]() -> caf::error {
    auto fd = sys::open(file, O_WRONLY);
    if (!fd) return fd.error();
    return sys::write_all(fd->get(), value, file);
  });
}

caf::expected<std::string> read_net_sysctl(const std::string& netns, const std::string& path) {
  if (auto err = check_path(path)) return err;
  std::string value;
  auto err = in_netns(netns, [&]() -> caf::error {
    auto text = sys::read_file("/proc/sys/" + path, 4096);
    if (!text) return text.error();
    value = std::move(*text);
    return {};
  });
  if (err) return err;
  while (!value.empty() && value.back() == '\n')
    value.pop_back();
  return value;
}

} // namespace berth::net
