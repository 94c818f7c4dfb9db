// Paths inside a container's root directory, resolved through descriptors.
#include "storage/container_path.hpp"

#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "runtime/go_text.hpp"
#include "storage/kernel_filesystem.hpp"
#include "storage/layer_view.hpp"

namespace berth::storage {

namespace {

/// Linux's and Go's limit on symlinks followed in one resolution.
constexpr int max_symlinks = 255;

/// A component that exists: the resolved directory holding it (open, O_PATH) and its lstat.
struct entry_below {
  unique_fd dir;
  struct stat st {};
};

/// What `leaf` in the resolved directory `parent` is, or nullopt when it (or the directory) does
/// not exist.
caf::expected<std::optional<entry_below>> lstat_below(int root_fd, const std::string& parent,
                                                      const std::string& leaf,
                                                      missing_component missing) {
  // The directory was resolved already: it must still be reached without any symlink.
  auto dir = sys::openat2(root_fd, parent.empty() ? "." : parent, O_PATH | O_DIRECTORY,
                          container_resolve | RESOLVE_NO_SYMLINKS);
  if (!dir) {
    bool absent = error_kind(dir.error()) == errc::not_found ||
                  (missing == missing_component::keep && error_kind(dir.error()) == errc::system);
    if (absent) return std::optional<entry_below>{};
    return dir.error();
  }
  entry_below entry{std::move(*dir)};
  if (::fstatat(entry.dir.get(), leaf.c_str(), &entry.st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT || (missing == missing_component::keep && errno == ENOTDIR))
      return std::optional<entry_below>{};
    return sys::error_from_errno("lstat", "/" + (parent.empty() ? leaf : parent + "/" + leaf),
                                 errno);
  }
  return std::optional<entry_below>{std::move(entry)};
}

} // namespace

std::string below_root(std::string_view path) {
  auto first = path.find_first_not_of('/');
  if (first == std::string_view::npos) return ".";
  return std::string{path.substr(first)};
}

caf::expected<unique_fd> open_in_container(int root_fd, std::string_view path, int flags) {
  auto fd =
      sys::openat2(root_fd, below_root(path), static_cast<uint64_t>(flags), container_resolve);
  if (!fd) return fd.error();
  // The kernel filesystems of a running container are not part of what docker cp shows: only
  // their mount points are (as the empty directories they are in the image).
  if (on_kernel_filesystem(fd->get()) && !is_mount_root(fd->get()))
    return sys::error_from_errno("open", path, ENOENT);
  return fd;
}

caf::expected<std::string> resolve_in_container(int root_fd, std::string_view path,
                                                missing_component missing) {
  std::vector<std::string> resolved;
  auto parts = path_components(path);
  std::deque<std::string> pending{parts.begin(), parts.end()};
  int links = 0;
  while (!pending.empty()) {
    auto part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    auto parent = runtime::join(resolved, "/");
    auto entry = lstat_below(root_fd, parent, part, missing);
    if (!entry) return entry.error();
    if (!*entry) {
      if (missing == missing_component::fail)
        return sys::error_from_errno("lstat", "/" + (parent.empty() ? part : parent + "/" + part),
                                     ENOENT);
      resolved.push_back(std::move(part));
      continue;
    }
    if (!S_ISLNK((*entry)->st.st_mode)) {
      resolved.push_back(std::move(part));
      continue;
    }
    if (++links > max_symlinks)
      return make_error(errc::invalid_argument,
                        "too many symlinks in " + std::string{path} + " (more than 255)");
    auto target = sys::read_link_at((*entry)->dir.get(), part, part);
    if (!target) return target.error();
    if (!target->empty() && target->front() == '/') resolved.clear();
    auto more = path_components(*target);
    pending.insert(pending.begin(), more.begin(), more.end());
  }
  return "/" + runtime::join(resolved, "/");
}

std::string archive_path(std::string_view path) {
  auto cleaned = runtime::clean_path("/" + std::string{path});
  if (go_base(cleaned) != "." && go_base(path) == ".") {
    if (cleaned.back() != '/') cleaned += '/';
    cleaned += '.';
  }
  if (cleaned.back() != '/' && !path.empty() && path.back() == '/') cleaned += '/';
  return cleaned;
}

std::string go_base(std::string_view path) {
  if (path.empty()) return ".";
  auto end = path.find_last_not_of('/');
  if (end == std::string_view::npos) return "/";
  auto trimmed = path.substr(0, end + 1);
  auto slash = trimmed.rfind('/');
  return std::string{slash == std::string_view::npos ? trimmed : trimmed.substr(slash + 1)};
}

} // namespace berth::storage
