// A stack of layer directories seen merged as overlayfs shows them (see layer_view.hpp).
#include "storage/layer_view.hpp"

#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

/// moby's evalSymlinksInScope gives up after this many path components (links expanded).
constexpr int max_components = 255;

/// Go's filepath.Clean of an absolute path, as components: ".." is lexical and stops at "/".
std::deque<std::string> clean_components(std::string_view path) {
  std::deque<std::string> out;
  for (auto& part : path_components(path)) {
    if (part != "..")
      out.push_back(std::move(part));
    else if (!out.empty())
      out.pop_back();
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

bool is_opaque(int dir_fd) {
  char value[2];
  auto n = ::fgetxattr(dir_fd, "trusted.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

} // namespace

std::vector<std::string> path_components(std::string_view path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    auto part = path.substr(pos, slash - pos);
    if (!part.empty() && part != ".") out.emplace_back(part);
    pos = slash + 1;
  }
  return out;
}

caf::expected<layer_view> layer_view::open(const std::vector<std::string>& layer_dirs) {
  std::vector<unique_fd> roots;
  for (const auto& dir : layer_dirs) {
    auto fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
    if (!fd) return fd.error();
    roots.push_back(std::move(*fd));
  }
  return layer_view{std::move(roots)};
}

caf::expected<std::optional<layer_view::entry>>
layer_view::lookup(const std::vector<std::string>& parts) const {
  if (roots_.empty()) return std::optional<entry>{};
  if (parts.empty()) {
    entry root;
    if (::fstat(roots_.front().get(), &root.st) != 0)
      return sys::error_from_errno("stat", "/", errno);
    return std::optional<entry>{std::move(root)};
  }
  // The directories of the current path that still merge, top-most first.
  std::vector<int> merging;
  for (const auto& root : roots_)
    merging.push_back(root.get());
  std::vector<unique_fd> opened;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& part = parts[i];
    bool last = i + 1 == parts.size();
    std::optional<entry> top;
    int top_dir = -1;
    std::vector<unique_fd> next;
    for (int dir : merging) {
      struct stat st {};
      if (::fstatat(dir, part.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) continue; // nothing in this layer
        return sys::error_from_errno("lstat", joined({parts.begin(), parts.begin() + i + 1}),
                                     errno);
      }
      if (is_whiteout(st)) break; // hides this path in every layer below
      if (!top) {
        top = entry{st, {}};
        top_dir = dir;
      }
      // A non-directory ends the merge: the top-most one is the entry, others are hidden. The
      // last component needs only the top-most entry.
      if (!S_ISDIR(st.st_mode) || last) break;
      unique_fd below{::openat(dir, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
      if (!below)
        return sys::error_from_errno("open", joined({parts.begin(), parts.begin() + i + 1}), errno);
      bool opaque = is_opaque(below.get());
      next.push_back(std::move(below));
      if (opaque) break;
    }
    if (!top) return std::optional<entry>{};
    if (last) {
      if (S_ISLNK(top->st.st_mode)) {
        auto target = sys::read_link_at(top_dir, part, joined(parts));
        if (!target) return target.error();
        top->link_target = std::move(*target);
      }
      return top;
    }
    if (!S_ISDIR(top->st.st_mode)) return std::optional<entry>{};
    opened = std::move(next);
    merging.clear();
    for (const auto& fd : opened)
      merging.push_back(fd.get());
  }
  return std::optional<entry>{}; // not reached: the last component returns above
}

std::optional<struct stat> layer_view::lstat(std::string_view path) const {
  auto found = lookup(path_components(path));
  if (!found || !*found) return std::nullopt;
  return (*found)->st;
}

caf::expected<std::string> layer_view::resolve(std::string_view path) const {
  std::vector<std::string> resolved;
  auto pending = clean_components(path);
  for (int n = 1; !pending.empty(); ++n) {
    if (n > max_components)
      return make_error(errc::invalid_argument,
                        "evalSymlinksInScope: too many links in " + std::string{path});
    auto part = std::move(pending.front());
    pending.pop_front();
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    resolved.push_back(std::move(part));
    auto found = lookup(resolved);
    if (!found) return found.error();
    if (!*found || !S_ISLNK((*found)->st.st_mode)) continue; // missing parts are kept as written
    resolved.pop_back();
    const auto& target = (*found)->link_target;
    if (!target.empty() && target.front() == '/') resolved.clear();
    auto more = path_components(target);
    pending.insert(pending.begin(), more.begin(), more.end());
  }
  return joined(resolved);
}

} // namespace berth::storage
