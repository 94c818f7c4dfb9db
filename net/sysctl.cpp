// Network sysctls through /proc/sys/net.
#include "net/sysctl.hpp"

#include <algorithm>
#include <fcntl.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "net/netns.hpp"

namespace berth::net {

caf::expected<std::string> sysctl_path(const std::string& key) {
  std::string relative = key;
  if (key.find('/') == std::string::npos) std::replace(relative.begin(), relative.end(), '.', '/');
  auto invalid = [&] {
    return make_error(errc::invalid_argument, "invalid network sysctl \"" + key + "\"");
  };
  if (!relative.starts_with("net/") || relative.ends_with('/')) return invalid();
  // No empty, "." or ".." parts: the path must stay under /proc/sys/net.
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = std::min(relative.find('/', start), relative.size());
    auto part = std::string_view{relative}.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return invalid();
    start = end + 1;
  }
  return "/proc/sys/" + relative;
}

caf::error write_sysctl(const std::string& key, const std::string& value) {
  auto path = sysctl_path(key);
  if (!path) return path.error();
  auto fd = sys::open(*path, O_WRONLY);
  if (!fd) return fd.error();
  return sys::write_all(fd->get(), value, *path);
}

caf::expected<std::string> read_sysctl(const std::string& key) {
  auto path = sysctl_path(key);
  if (!path) return path.error();
  auto text = sys::read_file(*path, 64 * 1024);
  if (!text) return text.error();
  while (!text->empty() && text->back() == '\n')
    text->pop_back();
  return text;
}

caf::error write_sysctl_in(const std::string& netns, const std::string& key,
                           const std::string& value) {
  if (netns.empty()) return write_sysctl(key, value);
  return run_in_netns(netns, [&] { return write_sysctl(key, value); });
}

caf::expected<std::string> read_sysctl_in(const std::string& netns, const std::string& key) {
  if (netns.empty()) return read_sysctl(key);
  std::string value;
  auto err = run_in_netns(netns, [&]() -> caf::error {
    auto text = read_sysctl(key);
    if (!text) return text.error();
    value = std::move(*text);
    return {};
  });
  if (err) return err;
  return value;
}

} // namespace berth::net
