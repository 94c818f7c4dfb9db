// Pins the tar headers of storage/tar_writer, read back as raw ustar blocks and pax records, in
// both its header styles: docker export and layer commits (tar_header_times::from_stat: the
// modification time with its nanoseconds wherever a pax header is written) and docker cp
// (mtime_whole_seconds, also through archive_source: whole-second modification times and no access
// or change time, as dockerd's cp). Also owners without names, mode bits with setuid/setgid, link
// entries. Needs root (chown).
#include <fcntl.h>
#include <map>
#include <set>
#include <string>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/container_archive.hpp"
#include "storage/rootfs_export.hpp"
#include "storage/tar_writer.hpp"
#include "string_sink.hpp"

namespace berth::storage {
namespace {

using test::string_sink;

/// One tar entry as its ustar header block says it, with the pax records written before it.
struct raw_entry {
  std::string name; ///< the pax path if there is one, else prefix/name
  char type = 0;
  uint64_t mode = 0;
  uint64_t uid = 0;
  uint64_t gid = 0;
  uint64_t size = 0;
  uint64_t mtime = 0;
  std::string linkname;
  std::string uname;
  std::string gname;
  uint64_t devmajor = 0;
  uint64_t devminor = 0;
  std::map<std::string, std::string> pax;
  std::string contents;

  [[nodiscard]] std::set<std::string> pax_keys() const {
    std::set<std::string> keys;
    for (const auto& [key, value] : pax)
      keys.insert(key);
    return keys;
  }
};

std::string field(const std::string& block, size_t offset, size_t length) {
  auto text = block.substr(offset, length);
  return text.substr(0, text.find('\0'));
}

uint64_t octal(const std::string& block, size_t offset, size_t length) {
  uint64_t value = 0;
  for (char c : field(block, offset, length))
    if (c >= '0' && c <= '7') value = value * 8 + static_cast<uint64_t>(c - '0');
  return value;
}

/// "<length> <key>=<value>\n" records.
std::map<std::string, std::string> pax_records(const std::string& data) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    auto space = data.find(' ', pos);
    auto length = std::stoul(data.substr(pos, space - pos));
    auto record = data.substr(space + 1, length - (space + 1 - pos) - 1);
    auto equals = record.find('=');
    out[record.substr(0, equals)] = record.substr(equals + 1);
    pos += length;
  }
  return out;
}

size_t padded(uint64_t size) {
  return static_cast<size_t>((size + 511) / 512 * 512);
}

std::vector<raw_entry> raw_tar(const std::string& tar) {
  std::vector<raw_entry> out;
  std::map<std::string, std::string> pending_pax;
  size_t pos = 0;
  while (pos + 512 <= tar.size()) {
    auto block = tar.substr(pos, 512);
    pos += 512;
    if (block == std::string(512, '\0')) break;
    EXPECT_EQ(block.substr(257, 6), std::string("ustar\0", 6)) << "not a ustar header";
    auto size = octal(block, 124, 12);
    auto data = tar.substr(pos, static_cast<size_t>(size));
    pos += padded(size);
    if (block[156] == 'x') {
      pending_pax = pax_records(data);
      continue;
    }
    raw_entry e;
    auto prefix = field(block, 345, 155);
    e.name = prefix.empty() ? field(block, 0, 100) : prefix + "/" + field(block, 0, 100);
    if (pending_pax.contains("path")) e.name = pending_pax["path"];
    e.type = block[156];
    e.mode = octal(block, 100, 8);
    e.uid = octal(block, 108, 8);
    e.gid = octal(block, 116, 8);
    e.size = size;
    e.mtime = octal(block, 136, 12);
    e.linkname = field(block, 157, 100);
    e.uname = field(block, 265, 32);
    e.gname = field(block, 297, 32);
    e.devmajor = octal(block, 329, 8);
    e.devminor = octal(block, 337, 8);
    e.pax = std::move(pending_pax);
    pending_pax.clear();
    e.contents = data;
    out.push_back(std::move(e));
  }
  return out;
}

std::map<std::string, raw_entry> by_name(const std::vector<raw_entry>& entries) {
  std::map<std::string, raw_entry> out;
  for (const auto& e : entries)
    out[e.name] = e;
  return out;
}

constexpr time_t mtime_sec = 1'600'000'000;
constexpr long mtime_nsec = 123'456'789;
constexpr uint32_t owner_uid = 1234;
constexpr uint32_t owner_gid = 5678;

/// A name long enough (over ustar's 100 and 155 bytes) to need a pax path record.
const std::string long_leaf = std::string(160, 'x');

/// security.capability v2 for cap_net_raw, permitted and effective.
const std::string capability{"\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00"
                             "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
                             20};

/// A stat as a walker would pass it: every time with nanoseconds, so the writer decides what of
/// them the header keeps.
struct stat stat_of(mode_t mode, off_t size = 0) {
  struct stat st {};
  st.st_mode = mode;
  st.st_uid = owner_uid;
  st.st_gid = owner_gid;
  st.st_size = size;
  st.st_nlink = 1;
  st.st_mtim = {mtime_sec, mtime_nsec};
  st.st_atim = {1'700'000'000, 222};
  st.st_ctim = {1'700'000'001, 333};
  return st;
}

class tar_header_test : public test::layer_unpack_test {
 protected:
  /// A file under the fixture's base with `text`, open for reading.
  unique_fd contents(const std::string& text) {
    auto path = base_ + "/contents";
    auto w = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    EXPECT_TRUE(w);
    EXPECT_FALSE(sys::write_all(w->get(), text, path));
    auto r = sys::open(path, O_RDONLY);
    EXPECT_TRUE(r);
    return r ? std::move(*r) : unique_fd{};
  }

  /// The tree docker cp and docker export walk in the tests below, every entry owned by
  /// owner_uid:owner_gid and modified at mtime_sec.mtime_nsec: d/ (setgid), d/f (setuid, maybe
  /// with a capability), d/hard (a hard link of d/f), d/lf -> f, d/fifo, d/<long_leaf>.
  /// Returns whether d/f has the capability (the filesystem may refuse it).
  bool make_tree() {
    EXPECT_EQ(::mkdir(in_root("d").c_str(), 0755), 0);
    write_file("d/f", "hello", 04755);
    write_file("d/" + long_leaf, "long", 0640);
    EXPECT_EQ(::link(in_root("d/f").c_str(), in_root("d/hard").c_str()), 0);
    EXPECT_EQ(::symlink("f", in_root("d/lf").c_str()), 0);
    EXPECT_EQ(::mkfifo(in_root("d/fifo").c_str(), 0600), 0);
    bool with_capability = ::setxattr(in_root("d/f").c_str(), "security.capability",
                                      capability.data(), capability.size(), 0) == 0;
    for (const auto* name : {"d/lf", "d/fifo"})
      EXPECT_EQ(::lchown(in_root(name).c_str(), owner_uid, owner_gid), 0);
    EXPECT_EQ(::chown(in_root("d").c_str(), owner_uid, owner_gid), 0);
    EXPECT_EQ(::chmod(in_root("d").c_str(), 02755), 0);
    const struct timespec times[2] = {{mtime_sec + 5, 0}, {mtime_sec, mtime_nsec}};
    for (const auto* name : {"d/f", "d/lf", "d/fifo", "d"})
      EXPECT_EQ(::utimensat(AT_FDCWD, in_root(name).c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
    EXPECT_EQ(::utimensat(AT_FDCWD, in_root("d/" + long_leaf).c_str(), times, 0), 0);
    return with_capability;
  }

  void write_file(const std::string& name, const std::string& text, mode_t mode) {
    auto fd = sys::open(in_root(name), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_TRUE(fd) << name;
    ASSERT_FALSE(sys::write_all(fd->get(), text, name));
    // chown first: it clears setuid and capabilities.
    ASSERT_EQ(::fchown(fd->get(), owner_uid, owner_gid), 0);
    ASSERT_EQ(::fchmod(fd->get(), mode), 0);
  }

  unique_fd open_root() {
    auto fd = sys::open(root_, O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(fd);
    return fd ? std::move(*fd) : unique_fd{};
  }

  /// docker cp's GET of `path`, as raw entries.
  std::map<std::string, raw_entry> copy_out(const std::string& path) {
    auto root = open_root();
    auto source = archive_source::open(root.get(), path);
    EXPECT_TRUE(source) << error_message(source.error());
    if (!source) return {};
    string_sink sink;
    EXPECT_FALSE(source->write(sink));
    return by_name(raw_tar(sink.out));
  }
};

/// Owners as numbers only, no names (libarchive's stat copy has none), like every header here.
void expect_owner(const raw_entry& e) {
  EXPECT_EQ(e.uid, owner_uid) << e.name;
  EXPECT_EQ(e.gid, owner_gid) << e.name;
  EXPECT_EQ(e.uname, "") << e.name;
  EXPECT_EQ(e.gname, "") << e.name;
}

/// The entries the export and cp tests write below `dir`: dir/ (setgid), dir/f (setuid, "hello"),
/// dir/hard (a hard link to dir/f), dir/lf -> f, dir/fifo.
void expect_tree_entries(std::map<std::string, raw_entry>& named, const std::string& dir) {
  struct expected {
    std::string name;
    char type;
    uint64_t mode;
    std::string linkname;
  };
  for (const auto& want :
       {expected{dir + "/", '5', 02755, ""}, expected{dir + "/f", '0', 04755, ""},
        expected{dir + "/hard", '1', 04755, dir + "/f"}, expected{dir + "/lf", '2', 0777, "f"},
        expected{dir + "/fifo", '6', 0600, ""}}) {
    const auto& e = named[want.name];
    EXPECT_EQ(e.type, want.type) << want.name;
    EXPECT_EQ(e.mode, want.mode) << want.name;
    EXPECT_EQ(e.linkname, want.linkname) << want.name;
    EXPECT_EQ(e.size, want.type == '0' ? 5u : 0u) << want.name;
  }
  EXPECT_EQ(named[dir + "/f"].contents, "hello");
}

// --- docker export and layer commits: tar_writer -------------------------------------------------

TEST_F(tar_header_test, export_headers_keep_the_stat_times_where_pax_is_written) {
  string_sink sink;
  tar_writer tar{sink};
  ASSERT_FALSE(tar.open());
  auto dir = stat_of(S_IFDIR | 02755, 4096);
  ASSERT_FALSE(tar.add_directory("dir/", dir));
  auto file = stat_of(S_IFREG | 04755, 5);
  auto fd = contents("hello");
  ASSERT_FALSE(tar.add_file("dir/f", file, fd.get()));
  auto long_fd = contents("long");
  ASSERT_FALSE(tar.add_file("dir/" + long_leaf, stat_of(S_IFREG | 0640, 4), long_fd.get()));
  auto cap_fd = contents("caps");
  ASSERT_FALSE(tar.add_file("dir/cap", stat_of(S_IFREG | 0755, 4), cap_fd.get(),
                            {{"security.capability", capability}}));
  auto hard = file;
  hard.st_nlink = 2;
  ASSERT_FALSE(tar.add_hardlink("dir/hard", hard, "dir/f"));
  ASSERT_FALSE(tar.add_symlink("dir/lf", stat_of(S_IFLNK | 0777, 1), "f"));
  ASSERT_FALSE(tar.add_special("dir/fifo", stat_of(S_IFIFO | 0600)));
  auto device = stat_of(S_IFCHR | 0620);
  device.st_rdev = makedev(4, 7);
  ASSERT_FALSE(tar.add_special("dir/tty", device));
  ASSERT_FALSE(tar.add_empty_file("dir/.wh.gone", 0600, owner_uid, owner_gid, {mtime_sec, 5}));
  ASSERT_FALSE(tar.close());
  EXPECT_EQ(tar.entries(), 9u);

  auto entries = raw_tar(sink.out);
  ASSERT_EQ(entries.size(), 9u);
  auto named = by_name(entries);
  for (const auto& e : entries) {
    expect_owner(e);
    EXPECT_EQ(e.mtime, static_cast<uint64_t>(mtime_sec)) << e.name;
  }

  // Short names without attributes: plain ustar, the nanoseconds are not kept.
  for (const auto* name : {"dir/", "dir/f", "dir/hard", "dir/lf", "dir/fifo", "dir/tty"})
    EXPECT_TRUE(named[name].pax.empty()) << name;
  // Where a pax header is needed anyway, it carries the modification time with its nanoseconds.
  // The access and change times are in the stat, but the libarchive here writes neither.
  const auto& longer = named["dir/" + long_leaf];
  EXPECT_EQ(longer.pax_keys(), (std::set<std::string>{"path", "mtime"}));
  EXPECT_EQ(longer.pax.at("mtime"), "1600000000.123456789");
  EXPECT_EQ(longer.contents, "long");
  const auto& cap = named["dir/cap"];
  EXPECT_EQ(cap.pax_keys(),
            (std::set<std::string>{"SCHILY.xattr.security.capability",
                                   "LIBARCHIVE.xattr.security.capability", "mtime"}));
  EXPECT_EQ(cap.pax.at("SCHILY.xattr.security.capability"), capability);
  EXPECT_EQ(cap.pax.at("mtime"), "1600000000.123456789");

  expect_tree_entries(named, "dir");
  EXPECT_EQ(named["dir/tty"].type, '3');
  EXPECT_EQ(named["dir/tty"].devmajor, 4u);
  EXPECT_EQ(named["dir/tty"].devminor, 7u);
  EXPECT_EQ(named["dir/.wh.gone"].type, '0');
  EXPECT_EQ(named["dir/.wh.gone"].mode, 0600u);
  EXPECT_EQ(named["dir/.wh.gone"].size, 0u);
}

TEST_F(tar_header_test, whole_second_headers_drop_the_nanoseconds_and_other_times) {
  string_sink sink;
  tar_writer tar{sink, tar_header_times::mtime_whole_seconds};
  ASSERT_FALSE(tar.open());
  auto long_fd = contents("long");
  ASSERT_FALSE(tar.add_file(long_leaf, stat_of(S_IFREG | 04755, 4), long_fd.get(),
                            {{"security.capability", capability}}));
  ASSERT_FALSE(tar.add_directory(long_leaf + "/", stat_of(S_IFDIR | 02755, 4096)));
  ASSERT_FALSE(
      tar.add_empty_file(long_leaf + "/.wh.gone", 0600, owner_uid, owner_gid, {mtime_sec, 5}));
  ASSERT_FALSE(tar.close());
  auto entries = raw_tar(sink.out);
  ASSERT_EQ(entries.size(), 3u);
  for (const auto& e : entries) {
    expect_owner(e);
    EXPECT_EQ(e.mtime, static_cast<uint64_t>(mtime_sec)) << e.name;
  }
  EXPECT_EQ(entries[0].pax_keys(),
            (std::set<std::string>{"path", "SCHILY.xattr.security.capability",
                                   "LIBARCHIVE.xattr.security.capability"}));
  EXPECT_EQ(entries[0].mode, 04755u);
  EXPECT_EQ(entries[0].contents, "long");
  EXPECT_EQ(entries[1].pax_keys(), (std::set<std::string>{"path"}));
  EXPECT_EQ(entries[1].mode, 02755u);
  EXPECT_EQ(entries[2].pax_keys(), (std::set<std::string>{"path"}));
}

TEST_F(tar_header_test, docker_export_writes_the_times_of_the_files) {
  bool with_capability = make_tree();
  auto root = open_root();
  string_sink sink;
  ASSERT_FALSE(export_rootfs(root.get(), sink));
  auto named = by_name(raw_tar(sink.out));
  const auto& longer = named["d/" + long_leaf];
  EXPECT_EQ(longer.pax_keys(), (std::set<std::string>{"path", "mtime"}));
  EXPECT_EQ(longer.pax.at("mtime"), "1600000000.123456789");
  EXPECT_EQ(named["d/"].mode, 02755u);
  EXPECT_EQ(named["d/f"].mode, 04755u);
  EXPECT_EQ(named["d/hard"].type, '1');
  EXPECT_EQ(named["d/hard"].linkname, "d/f");
  // docker export keeps no attributes.
  EXPECT_TRUE(named["d/f"].pax.empty()) << with_capability;
}

// --- docker cp: archive_source -----------------------------------------------------------------

TEST_F(tar_header_test, docker_cp_headers_have_whole_seconds_and_no_access_or_change_time) {
  bool with_capability = make_tree();
  auto named = copy_out("/d");
  ASSERT_EQ(named.size(), 6u);
  for (const auto& [name, e] : named) {
    expect_owner(e);
    EXPECT_EQ(e.mtime, static_cast<uint64_t>(mtime_sec)) << name;
    EXPECT_FALSE(e.pax.contains("mtime")) << name;
    EXPECT_FALSE(e.pax.contains("atime")) << name;
    EXPECT_FALSE(e.pax.contains("ctime")) << name;
  }
  for (const auto* name : {"d/", "d/hard", "d/lf", "d/fifo"})
    EXPECT_TRUE(named[name].pax.empty()) << name;
  EXPECT_EQ(named["d/" + long_leaf].pax_keys(), (std::set<std::string>{"path"}));
  EXPECT_EQ(named["d/" + long_leaf].contents, "long");
  EXPECT_EQ(named["d/" + long_leaf].mode, 0640u);
  if (with_capability) {
    EXPECT_EQ(named["d/f"].pax_keys(),
              (std::set<std::string>{"SCHILY.xattr.security.capability",
                                     "LIBARCHIVE.xattr.security.capability"}));
    EXPECT_EQ(named["d/f"].pax.at("SCHILY.xattr.security.capability"), capability);
  } else {
    EXPECT_TRUE(named["d/f"].pax.empty());
  }

  expect_tree_entries(named, "d");
  // The second name of a file is a link to the first one, without its own attributes.
  EXPECT_TRUE(named["d/hard"].pax.empty());
}

TEST_F(tar_header_test, docker_cp_of_one_file_is_one_header_of_the_same_style) {
  make_tree();
  auto named = copy_out("/d/" + long_leaf);
  ASSERT_EQ(named.size(), 1u);
  const auto& e = named[long_leaf];
  expect_owner(e);
  EXPECT_EQ(e.pax_keys(), (std::set<std::string>{"path"}));
  EXPECT_EQ(e.mtime, static_cast<uint64_t>(mtime_sec));
  EXPECT_EQ(e.contents, "long");
}

} // namespace
} // namespace berth::storage
