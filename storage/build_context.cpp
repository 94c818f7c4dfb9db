// Unpacking a build context, reading its Dockerfile and applying its .dockerignore.
#include "storage/build_context.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "dockerfile/dockerignore.hpp"
#include "runtime/go_text.hpp"
#include "storage/context_sources.hpp"
#include "storage/layer_path.hpp"
#include "storage/layer_stream.hpp"
#include "storage/layer_writer.hpp"
#include "storage/tar_entry.hpp"

namespace berth::storage {

namespace {

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

/// One tar entry into the context. Unlike a layer, names starting ".wh." are ordinary files.
caf::error apply_entry(layer_stream& stream, layer_writer& writer, archive_entry* entry,
                       build_context& result) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr) return fail("archive entry without a usable name");
  auto name = clean_entry_name(raw);
  if (!name) return name.error();
  auto meta = tar_entry_meta(entry, *name);
  if (!meta) return meta.error();
  tar_entry_counts counts;
  auto err = write_tar_entry(stream, writer, entry, *name, *meta, counts);
  result.skipped_devices += counts.skipped_devices;
  return err;
}

caf::error unpack(byte_source& source, const std::string& dir, const unpack_limits& limits,
                  build_context& result) {
  auto writer = layer_writer::open(dir);
  if (!writer) return writer.error();
  layer_stream stream{source, limits, false, build_context_words};
  if (auto err = stream.open()) return err;
  for (;;) {
    auto entry = stream.next_entry();
    if (!entry) return entry.error();
    if (*entry == nullptr) break;
    if (auto err = apply_entry(stream, *writer, *entry, result)) return err;
  }
  result.tar_bytes = stream.tar_bytes();
  result.entries = stream.entries();
  return writer->finish();
}

/// A path as dockerd compares it with patterns: cleaned, relative.
std::string context_relative(std::string_view path) {
  auto cleaned = runtime::clean_path("/" + std::string{path});
  return cleaned == "/" ? std::string{} : cleaned.substr(1);
}

/// Reads a small file of the context, resolved in the root. nullopt when it does not exist.
caf::expected<std::optional<std::string>> read_context_file(int root_fd, const std::string& path,
                                                            uint64_t max_bytes,
                                                            const std::string& what) {
  if (leaves_root(path)) return forbidden_path(path);
  auto fd = open_in_root(root_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (!fd) {
    if (error_kind(fd.error()) == errc::not_found) return std::optional<std::string>{};
    return fd.error();
  }
  struct stat st {};
  if (::fstat(fd->get(), &st) != 0) return sys::error_from_errno("stat", path, errno);
  if (S_ISDIR(st.st_mode))
    return fail("unexpected error reading " + what + ": " + path + " is a directory");
  if (!S_ISREG(st.st_mode))
    return fail("unexpected error reading " + what + ": " + path + " is not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    return fail(what + " " + path + " is larger than " + std::to_string(max_bytes) + " bytes");
  std::string text;
  text.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < text.size()) {
    auto n = ::read(fd->get(), text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys::error_from_errno("read", path, errno);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return std::optional<std::string>{std::move(text)};
}

/// Removes what the patterns exclude, walking from the root without following symlinks. The
/// kept paths (the Dockerfile, .dockerignore) are left for the caller.
class pruner {
 public:
  pruner(const dockerfile::ignore_matcher& matcher, std::vector<std::string> kept)
      : matcher_(matcher), kept_(std::move(kept)) {}

  caf::error walk(int dir_fd, const std::string& prefix) {
    auto names = sys::directory_entries(dir_fd, prefix.empty() ? "." : prefix);
    if (!names) return names.error();
    for (const auto& name : *names) {
      auto rel = prefix.empty() ? name : prefix + "/" + name;
      if (std::find(kept_.begin(), kept_.end(), rel) != kept_.end()) continue;
      struct stat st {};
      if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return sys::error_from_errno("stat", rel, errno);
      bool is_dir = S_ISDIR(st.st_mode);
      auto excluded = matcher_.excluded(rel);
      if (!excluded) return excluded.error();
      if (*excluded && (!is_dir || !may_keep_below(rel))) {
        if (auto err = sys::remove_all_at(dir_fd, name)) return err;
        ++removed_;
        continue;
      }
      if (!is_dir) continue;
      int child = ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) return sys::error_from_errno("open", rel, errno);
      {
        unique_fd owned{child};
        if (auto err = walk(child, rel)) return err;
      }
      // An excluded directory stays only for what was re-included inside it.
      if (*excluded) {
        if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) == 0)
          ++removed_;
        else if (errno != ENOTEMPTY && errno != EEXIST)
          return sys::error_from_errno("rmdir", rel, errno);
      }
    }
    return {};
  }

  [[nodiscard]] uint64_t removed() const noexcept { return removed_; }

 private:
  /// The docker CLI looks into an excluded directory only when a "!" pattern names something
  /// under it; the kept files' directories are looked into too.
  bool may_keep_below(const std::string& dir) const {
    if (matcher_.may_reinclude_below(dir)) return true;
    return std::any_of(kept_.begin(), kept_.end(),
                       [&](const std::string& k) { return k.starts_with(dir + "/"); });
  }

  const dockerfile::ignore_matcher& matcher_;
  std::vector<std::string> kept_;
  uint64_t removed_ = 0;
};

/// dockerd's removeDockerfile: the Dockerfile and .dockerignore leave the context when the
/// patterns exclude them (after they were read).
caf::error remove_if_excluded(int root_fd, const dockerfile::ignore_matcher& matcher,
                              const std::string& rel, build_context& result) {
  if (rel.empty()) return {};
  auto excluded = matcher.excluded(rel);
  if (!excluded || !*excluded) return {}; // dockerd ignores a matching error here
  auto slash = rel.rfind('/');
  auto parent = slash == std::string::npos ? std::string{} : rel.substr(0, slash);
  auto leaf = slash == std::string::npos ? rel : rel.substr(slash + 1);
  auto dir = open_in_root(root_fd, parent, O_RDONLY | O_DIRECTORY);
  if (!dir) return {}; // nothing there to remove
  if (auto err = sys::remove_all_at(dir->get(), leaf); err && error_kind(err) != errc::not_found)
    return err;
  ++result.ignored_paths;
  return {};
}

} // namespace

caf::expected<build_context> extract_build_context(byte_source& source, const std::string& dir,
                                                   const context_options& options) {
  build_context result;
  if (auto err = unpack(source, dir, options.limits, result)) return err;
  auto root = sys::open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW);
  if (!root) return root.error();

  // The Dockerfile, with dockerd's fallback from "Dockerfile" to "dockerfile".
  std::string wanted = options.dockerfile.empty() ? default_dockerfile_name : options.dockerfile;
  auto text = read_context_file(root->get(), wanted, options.max_file_bytes, "Dockerfile");
  if (!text) return text.error();
  result.dockerfile_path = wanted;
  if (!*text && wanted == default_dockerfile_name) {
    text = read_context_file(root->get(), "dockerfile", options.max_file_bytes, "Dockerfile");
    if (!text) return text.error();
    result.dockerfile_path = "dockerfile";
  }
  if (!*text) return fail("Cannot locate specified Dockerfile: " + wanted);
  result.dockerfile_text = std::move(**text);

  auto ignore = read_context_file(root->get(), std::string{dockerfile::dockerignore_name},
                                  options.max_file_bytes, ".dockerignore");
  if (!ignore) return fail("error reading .dockerignore: " + error_message(ignore.error()));
  if (!*ignore) return result;
  result.ignore_patterns = dockerfile::read_ignore_patterns(**ignore);
  auto matcher = dockerfile::ignore_matcher::compile(result.ignore_patterns);
  if (!matcher) return matcher.error();
  auto dockerfile_rel = context_relative(result.dockerfile_path);
  if (options.apply_dockerignore && !matcher->empty()) {
    pruner prune{*matcher, {dockerfile_rel, std::string{dockerfile::dockerignore_name}}};
    auto top = sys::openat2(root->get(), ".", O_RDONLY | O_DIRECTORY, 0);
    if (!top) return top.error();
    if (auto err = prune.walk(top->get(), "")) return err;
    result.ignored_paths += prune.removed();
  }
  for (const auto& path : {std::string{dockerfile::dockerignore_name}, dockerfile_rel})
    if (auto err = remove_if_excluded(root->get(), *matcher, path, result)) return err;
  return result;
}

} // namespace berth::storage
