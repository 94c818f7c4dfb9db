// Writing a tar stream entry by entry (pax, through libarchive) into a byte_sink: the one tar
// writer of docker export, layer commits, docker cp and docker save. Blocking; not thread-safe
// (one writer per stream).
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "base/byte_sink.hpp"
#include "base/byte_source.hpp"

struct archive;
struct archive_entry;

namespace berth::storage {

/// Extended attributes of an entry (name, value), written as pax records.
using tar_xattrs = std::vector<std::pair<std::string, std::string>>;

/// The file's security.capability attribute, the only one dockerd's tars carry (none when it has
/// none or it cannot be read).
[[nodiscard]] tar_xattrs file_capability(int fd);

/// Which of an entry's times its header keeps.
enum class tar_header_times {
  /// The stat's times as they are: the modification time keeps its nanoseconds wherever a pax
  /// header is written (docker export, layer commits).
  from_stat,
  /// The modification time in whole seconds and no access or change time, as Go's
  /// archive/tar.FileInfoHeader makes them for dockerd's docker cp.
  mtime_whole_seconds,
};

/// The header of an entry that is not read from a file (docker save's blobs and metadata files,
/// whiteout markers): permission bits, owner and modification time, no other time, no owner
/// names.
struct tar_metadata {
  uint32_t mode = 0; ///< permission bits (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  struct timespec mtime {};
};

class tar_writer {
 public:
  /// A writer into `out`, which must outlive it. Nothing is written before `open`.
  explicit tar_writer(byte_sink& out, tar_header_times times = tar_header_times::from_stat);
  ~tar_writer();
  tar_writer(const tar_writer&) = delete;
  tar_writer& operator=(const tar_writer&) = delete;

  /// Starts the archive (pax restricted: plain ustar headers unless a field needs pax).
  [[nodiscard]] caf::error open();

  /// A directory entry: `name` should end with "/". Type, mode, owner and times from `st`.
  [[nodiscard]] caf::error add_directory(const std::string& name, const struct stat& st,
                                         const tar_xattrs& xattrs = {});

  /// A regular file whose contents are read from `fd`: exactly `st.st_size` bytes, so a file that
  /// grows meanwhile is cut and one that shrinks is padded with zeros (the header is written
  /// first).
  [[nodiscard]] caf::error add_file(const std::string& name, const struct stat& st, int fd,
                                    const tar_xattrs& xattrs = {});

  /// A regular file as `add_file` writes it, unless it has more links and an earlier call wrote
  /// the same device and inode: then a hard link to that first name (without `xattrs`), as
  /// dockerd's tars keep hard links.
  [[nodiscard]] caf::error add_file_or_hardlink(const std::string& name, const struct stat& st,
                                                int fd, const tar_xattrs& xattrs = {});

  /// A directory entry with the given metadata: `name` should end with "/".
  [[nodiscard]] caf::error add_directory(const std::string& name, const tar_metadata& meta);

  /// A regular file with the given metadata whose contents are in memory.
  [[nodiscard]] caf::error add_file(const std::string& name, const tar_metadata& meta,
                                    std::string_view contents);

  /// A regular file with the given metadata whose contents, exactly `size` bytes, are read from
  /// `contents`: an error when it ends sooner; what follows them is left unread.
  [[nodiscard]] caf::error add_file(const std::string& name, const tar_metadata& meta,
                                    uint64_t size, byte_source& contents);

  /// An empty regular file with the given metadata (whiteout markers).
  [[nodiscard]] caf::error add_empty_file(const std::string& name, uint32_t mode, uint32_t uid,
                                          uint32_t gid, const struct timespec& mtime);

  /// A symbolic link to `target`.
  [[nodiscard]] caf::error add_symlink(const std::string& name, const struct stat& st,
                                       const std::string& target);

  /// A hard link to `target`, an entry written earlier in this archive.
  [[nodiscard]] caf::error add_hardlink(const std::string& name, const struct stat& st,
                                        const std::string& target);

  /// A character or block device or a FIFO (header only).
  [[nodiscard]] caf::error add_special(const std::string& name, const struct stat& st);

  /// Writes the end-of-archive blocks.
  [[nodiscard]] caf::error close();

  /// How many entries were written so far.
  [[nodiscard]] uint64_t entries() const { return entries_; }

 private:
  struct state;
  /// Reads up to n bytes into buf; 0 at the end.
  using content_reader = std::function<caf::expected<size_t>(char* buf, size_t n)>;
  /// What writing contents does when the reader ends before the entry's size.
  enum class when_short { pad_with_zeros, fail };

  caf::error failure(const std::string& what);
  caf::error write_header(struct archive_entry* e, const std::string& name);
  caf::error write_contents(const std::string& name, uint64_t size, const content_reader& read,
                            when_short if_short);

  std::unique_ptr<state> state_;
  tar_header_times times_;
  uint64_t entries_ = 0;
};

} // namespace berth::storage
