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

bool is_whiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

bool is_opaque_directory(int dir_fd) {
  char value[2];
  auto n = ::fgetxattr(dir_fd, "trusted.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

std::string merged_directory::path_of(const std::string& name) const {
  return path_ + "/" + name;
}

caf::expected<std::optional<merged_directory::found>>
merged_directory::find(const std::string& name) const {
  for (const auto& dir : dirs_) {
    found top;
    if (::fstatat(dir.get(), name.c_str(), &top.st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue; // nothing in this layer
      return sys::error_from_errno("lstat", path_of(name), errno);
    }
    if (is_whiteout(top.st)) break; // hides this path in every layer below
    top.dir_fd = dir.get();
    return std::optional<found>{top};
  }
  return std::optional<found>{};
}

caf::expected<std::optional<struct stat>> merged_directory::lstat(const std::string& name) const {
  auto top = find(name);
  if (!top) return top.error();
  if (!*top) return std::optional<struct stat>{};
  return std::optional<struct stat>{(*top)->st};
}

caf::expected<merged_directory> merged_directory::open(const std::string& name) const {
  auto path = path_of(name);
  std::vector<unique_fd> below;
  for (const auto& dir : dirs_) {
    struct stat st {};
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue; // nothing in this layer
      return sys::error_from_errno("lstat", path, errno);
    }
    if (is_whiteout(st)) break; // hides this path in every layer below
    // A non-directory ends the merge: it hides the directories below it, and as the top-most
    // entry it makes the name no directory.
    if (!S_ISDIR(st.st_mode)) break;
    unique_fd fd{
        ::openat(dir.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
    if (!fd) return sys::error_from_errno("open", path, errno);
    bool opaque = is_opaque_directory(fd.get());
    below.push_back(std::move(fd));
    if (opaque) break;
  }
  return merged_directory{std::move(path), std::move(below)};
}

caf::expected<layer_view> layer_view::open(const std::vector<std::string>& layer_dirs) {
  std::vector<unique_fd> roots;
  for (const auto& dir : layer_dirs) {
    auto fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
    if (!fd) return fd.error();
    roots.push_back(std::move(*fd));
  }
  return layer_view{merged_directory{"", std::move(roots)}};
}

caf::expected<std::optional<layer_view::entry>>
layer_view::lookup(const std::vector<std::string>& parts) const {
  if (root_.dirs_.empty()) return std::optional<entry>{};
  if (parts.empty()) {
    entry root;
    if (::fstat(root_.dirs_.front().get(), &root.st) != 0)
      return sys::error_from_errno("stat", "/", errno);
    return std::optional<entry>{std::move(root)};
  }
  const merged_directory* dir = &root_;
  merged_directory held;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    auto next = dir->open(parts[i]);
    if (!next) return next.error();
    if (!next->exists()) return std::optional<entry>{};
    held = std::move(*next);
    dir = &held;
  }
  auto top = dir->find(parts.back());
  if (!top) return top.error();
  if (!*top) return std::optional<entry>{};
  entry out{(*top)->st, {}};
  if (S_ISLNK(out.st.st_mode)) {
    auto target = sys::read_link_at((*top)->dir_fd, parts.back(), joined(parts));
    if (!target) return target.error();
    out.link_target = std::move(*target);
  }
  return std::optional<entry>{std::move(out)};
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
