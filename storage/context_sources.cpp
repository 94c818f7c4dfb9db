// COPY/ADD sources: resolution in a root, in-root opening, cache checksums.
#include "storage/context_sources.hpp"

#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "dockerfile/go_path_match.hpp"
#include "storage/digest.hpp"

namespace berth::storage {

namespace {

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

/// openat2 with in-root resolution; the errno on failure (EAGAIN retried a few times).
std::pair<unique_fd, int> open_resolved(int root_fd, const std::string& path, int flags) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags) | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (int attempt = 0;; ++attempt) {
    auto fd = ::syscall(SYS_openat2, root_fd, path.c_str(), &how, sizeof how);
    if (fd >= 0) return {unique_fd{static_cast<int>(fd)}, 0};
    if ((errno == EAGAIN || errno == EINTR) && attempt < 16) continue;
    return {unique_fd{}, errno};
  }
}

/// dockerd's origPath: "/" then "./" dropped from the front, once each.
std::string trimmed_source(std::string_view source) {
  if (source.starts_with("/")) source.remove_prefix(1);
  if (source.starts_with("./")) source.remove_prefix(2);
  return std::string{source};
}

std::string not_found(std::string_view path, source_root kind) {
  std::string stat = "stat " + std::string{path} + ": file does not exist";
  if (kind == source_root::image) return stat;
  return "file not found in build context or excluded by .dockerignore: " + stat;
}

/// calcCopyInfo for one path (no wildcards).
caf::expected<context_source> resolve_path(int root_fd, const std::string& path, source_root kind) {
  if (leaves_root(path)) return forbidden_path(path);
  auto [fd, err] = open_resolved(root_fd, path.empty() ? "." : path, O_PATH);
  if (!fd) {
    if (err == ENOENT || err == ENOTDIR) return fail(not_found(path, kind));
    if (err == ELOOP || err == EXDEV) return forbidden_path(path);
    return sys::error_from_errno("stat", path, err);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys::error_from_errno("stat", path, errno);
  return context_source{path, S_ISDIR(st.st_mode)};
}

/// Calls `visit(relative path)` for everything under the directory open at `dir_fd`, in
/// lexical pre-order, never following symlinks (Go's filepath.WalkDir).
template <class Visit>
caf::error walk(int dir_fd, const std::string& prefix, Visit& visit) {
  auto names = sys::directory_entries(dir_fd, prefix.empty() ? "." : prefix);
  if (!names) return names.error();
  for (const auto& name : *names) {
    auto rel = prefix.empty() ? name : prefix + "/" + name;
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
      return sys::error_from_errno("stat", rel, errno);
    if (auto err = visit(rel, dir_fd, name, st)) return err;
    if (!S_ISDIR(st.st_mode)) continue;
    int child = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0) return sys::error_from_errno("open", rel, errno);
    unique_fd owned{child};
    if (auto err = walk(child, rel, visit)) return err;
  }
  return {};
}

caf::expected<std::vector<context_source>> expand_wildcard(int root_fd, const std::string& pattern,
                                                           source_root kind) {
  auto [root, err] = open_resolved(root_fd, ".", O_RDONLY | O_DIRECTORY);
  if (!root) return sys::error_from_errno("open", ".", err);
  std::vector<context_source> out;
  caf::error failure;
  auto visit = [&](const std::string& rel, int, const std::string&,
                   const struct stat&) -> caf::error {
    auto match = dockerfile::go_path_match(pattern, rel);
    if (!match || !*match) return {}; // a bad pattern matches nothing, as in dockerd
    auto source = resolve_path(root_fd, rel, kind);
    if (!source) return source.error();
    out.push_back(std::move(*source));
    return {};
  };
  if (auto walk_err = walk(root.get(), "", visit)) return walk_err;
  return out;
}

std::string hex_of(sha256_hasher& hasher) {
  return std::string{digest_hex(hasher.finish())};
}

/// The sha256 hex of everything readable from `fd`.
caf::expected<std::string> hash_contents(int fd, const std::string& name) {
  sha256_hasher contents;
  char buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys::error_from_errno("read", name, errno);
    }
    if (n == 0) break;
    contents.update(buf, static_cast<size_t>(n));
  }
  return hex_of(contents);
}

/// Adds one entry's record: name, type and mode, owner, size, and contents or link target.
caf::error hash_entry(sha256_hasher& hasher, int parent_fd, const std::string& name,
                      const std::string& rel, const struct stat& st) {
  std::string record = rel;
  record += '\0';
  record += std::to_string(st.st_mode) + ' ' + std::to_string(st.st_uid) + ' ' +
            std::to_string(st.st_gid);
  if (S_ISREG(st.st_mode)) {
    record += ' ' + std::to_string(st.st_size) + ' ';
    int fd = ::openat(parent_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys::error_from_errno("open", rel, errno);
    unique_fd file{fd};
    auto contents = hash_contents(fd, rel);
    if (!contents) return contents.error();
    record += *contents;
  } else if (S_ISLNK(st.st_mode)) {
    auto target = sys::read_link_at(parent_fd, name, rel);
    if (!target) return target.error();
    record += " -> " + *target;
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    record += ' ' + std::to_string(major(st.st_rdev)) + ',' + std::to_string(minor(st.st_rdev));
  }
  record += '\n';
  hasher.update(record);
  return {};
}

} // namespace

bool leaves_root(std::string_view path) {
  long depth = 0;
  size_t pos = 0;
  while (pos <= path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    auto part = path.substr(pos, slash - pos);
    if (part == "..") {
      if (--depth < 0) return true;
    } else if (!part.empty() && part != ".") {
      ++depth;
    }
    pos = slash + 1;
  }
  return false;
}

caf::error forbidden_path(std::string_view path) {
  return make_error(errc::invalid_argument,
                    "forbidden path outside the build context: " + std::string{path} + " ()");
}

bool is_url_source(std::string_view source) {
  return source.starts_with("http://") || source.starts_with("https://");
}

caf::expected<unique_fd> open_in_root(int root_fd, std::string_view path, int flags) {
  std::string p{path};
  if (leaves_root(p)) return forbidden_path(p);
  auto [fd, err] = open_resolved(root_fd, p.empty() ? "." : p, flags);
  if (!fd) {
    if (err == ELOOP || err == EXDEV) return forbidden_path(p);
    auto error = sys::error_from_errno("open", p, err);
    // A file where a directory was expected: the path does not exist either.
    if (err == ENOTDIR) return make_error(errc::not_found, error_message(error));
    return error;
  }
  return std::move(fd);
}

caf::expected<std::vector<context_source>>
resolve_sources(int root_fd, std::string_view instruction, const std::vector<std::string>& sources,
                std::string_view dest, source_root kind) {
  std::string name{instruction};
  auto failed = [&](const caf::error& err) {
    return make_error(error_kind(err).value_or(errc::invalid_argument),
                      name + " failed: " + error_message(err));
  };
  std::vector<context_source> out;
  for (const auto& source : sources) {
    if (is_url_source(source)) {
      if (name == "COPY") return failed(fail("source can't be a URL for COPY"));
      return failed(fail("cannot download " + source +
                         ": remote sources are not supported by this builder (no network access)"));
    }
    auto path = trimmed_source(source);
    if (dockerfile::contains_wildcards(path)) {
      auto matches = expand_wildcard(root_fd, path, kind);
      if (!matches) return failed(matches.error());
      out.insert(out.end(), matches->begin(), matches->end());
      continue;
    }
    auto resolved = resolve_path(root_fd, path, kind);
    if (!resolved) return failed(resolved.error());
    out.push_back(std::move(*resolved));
  }
  if (out.empty()) return failed(fail("no source files were specified"));
  if (out.size() > 1 && !dest.ends_with("/"))
    return fail("When using " + name +
                " with more than one source file, the destination must be a directory and end "
                "with a /");
  return out;
}

caf::expected<std::string> source_checksum(int root_fd, const context_source& source) {
  auto fd = open_in_root(root_fd, source.path, O_PATH);
  if (!fd) return fd.error();
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys::error_from_errno("stat", source.path, errno);
  sha256_hasher hasher;
  hasher.update(source.path);
  hasher.update(std::string_view{"\0", 1});
  if (!S_ISDIR(st.st_mode)) {
    // The source itself, after following symlinks; only a regular file is opened for reading
    // (opening a FIFO would block).
    std::string record = std::to_string(st.st_mode) + ' ' + std::to_string(st.st_uid) + ' ' +
                         std::to_string(st.st_gid) + ' ' + std::to_string(st.st_size) + ' ';
    if (S_ISREG(st.st_mode)) {
      auto file = open_in_root(root_fd, source.path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
      if (!file) return file.error();
      auto contents = hash_contents(file->get(), source.path);
      if (!contents) return contents.error();
      record += *contents;
    }
    hasher.update(record);
    return "file:" + hex_of(hasher);
  }
  auto dir = open_in_root(root_fd, source.path, O_RDONLY | O_DIRECTORY);
  if (!dir) return dir.error();
  std::string self = std::to_string(st.st_mode) + ' ' + std::to_string(st.st_uid) + ' ' +
                     std::to_string(st.st_gid) + '\n';
  hasher.update(self);
  auto visit = [&](const std::string& rel, int parent, const std::string& name,
                   const struct stat& entry) {
    return hash_entry(hasher, parent, name, rel, entry);
  };
  if (auto err = walk(dir->get(), "", visit)) return err;
  return "dir:" + hex_of(hasher);
}

std::string combined_checksum(const std::vector<std::string>& checksums) {
  if (checksums.size() == 1) return checksums.front();
  std::string joined;
  for (size_t i = 0; i < checksums.size(); ++i) {
    if (i > 0) joined += ',';
    joined += checksums[i];
  }
  return "multi:" + std::string{digest_hex(sha256_digest(joined))};
}

} // namespace berth::storage
