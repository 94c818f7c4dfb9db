// Tests storage/upper_dir_tar on real directories: an overlay upper directory with additions,
// whiteouts (character devices 0/0), an opaque directory, hard links and runtime mount targets
// over a lower layer, read back from the tar it becomes and unpacked again.
#include <fcntl.h>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "overlay_dirs_fixture.hpp"
#include "storage/layer_unpack.hpp"
#include "storage/upper_dir_tar.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

struct string_sink final : byte_sink {
  std::string data;
  caf::error write(const char* p, size_t n) override {
    data.append(p, n);
    return {};
  }
};

struct tar_entry {
  std::string name;
  mode_t type = 0;
  mode_t perm = 0;
  std::string contents;
  std::string hardlink;
  std::string symlink;
  std::map<std::string, std::string> xattrs;
};

std::vector<tar_entry> read_tar(const std::string& data) {
  std::vector<tar_entry> out;
  auto* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, data.data(), data.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    tar_entry t;
    t.name = archive_entry_pathname(e);
    t.type = archive_entry_filetype(e);
    t.perm = archive_entry_perm(e);
    if (const char* l = archive_entry_hardlink(e)) t.hardlink = l;
    if (const char* l = archive_entry_symlink(e)) t.symlink = l;
    archive_entry_xattr_reset(e);
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
      t.xattrs[name] = std::string(static_cast<const char*>(value), size);
    char buf[4096];
    la_ssize_t n = 0;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
      t.contents.append(buf, static_cast<size_t>(n));
    out.push_back(std::move(t));
  }
  archive_read_free(a);
  return out;
}

class upper_dir_tar_test : public storage_tests::overlay_dirs_fixture {
 protected:
  std::vector<tar_entry> convert(uint64_t* entries = nullptr) {
    string_sink sink;
    auto r = write_upper_dir_tar(upper_, {lower_}, sink);
    EXPECT_TRUE(r) << (r ? "" : error_message(r.error()));
    if (r && entries) *entries = r->entries;
    tar_ = sink.data;
    return read_tar(sink.data);
  }

  static const tar_entry* find(const std::vector<tar_entry>& entries, const std::string& name) {
    for (const auto& e : entries)
      if (e.name == name) return &e;
    return nullptr;
  }

  static std::vector<std::string> names(const std::vector<tar_entry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries)
      out.push_back(e.name);
    return out;
  }

  std::string tar_;
};

TEST_F(upper_dir_tar_test, writes_changes_with_oci_whiteouts_and_opaque_markers) {
  dir(lower_ + "/etc");
  file(lower_ + "/etc/group");
  file(lower_ + "/etc/passwd");
  dir(lower_ + "/opt/app");
  file(lower_ + "/opt/app/old");
  dir(lower_ + "/bin");
  file(lower_ + "/bin/ls");

  file(upper_ + "/x", "hi\n");
  dir(upper_ + "/etc");
  whiteout(upper_ + "/etc/group");
  file(upper_ + "/etc/passwd", "changed");
  dir(upper_ + "/opt");
  dir(upper_ + "/opt/app", 0750);
  opaque(upper_ + "/opt/app");
  file(upper_ + "/opt/app/new", "n");
  dir(upper_ + "/bin");
  whiteout(upper_ + "/bin/ls");
  ASSERT_EQ(::symlink("/x", (upper_ + "/link").c_str()), 0);
  ASSERT_EQ(::mkfifo((upper_ + "/fifo").c_str(), 0644), 0);

  auto entries = convert();
  EXPECT_EQ(names(entries),
            (std::vector<std::string>{"bin/", "bin/.wh.ls", "etc/", "etc/.wh.group", "etc/passwd",
                                      "fifo", "link", "opt/", "opt/app/", "opt/app/.wh..wh..opq",
                                      "opt/app/new", "x"}));
  for (const auto& e : entries)
    EXPECT_NE(e.type, AE_IFCHR) << e.name << ": a whiteout must never be a device";
  const auto* wh = find(entries, "etc/.wh.group");
  ASSERT_TRUE(wh);
  EXPECT_EQ(wh->type, AE_IFREG);
  EXPECT_EQ(wh->perm, 0600u);
  EXPECT_EQ(wh->contents, "");
  const auto* opq = find(entries, "opt/app/.wh..wh..opq");
  ASSERT_TRUE(opq);
  EXPECT_EQ(opq->type, AE_IFREG);
  EXPECT_EQ(opq->perm, 0750u);
  EXPECT_EQ(find(entries, "x")->contents, "hi\n");
  EXPECT_EQ(find(entries, "link")->symlink, "/x");
  EXPECT_EQ(find(entries, "fifo")->type, AE_IFIFO);
  // The opaque attribute is overlayfs' own: it travels as the marker, never as an xattr.
  EXPECT_TRUE(find(entries, "opt/app/")->xattrs.empty());
}

TEST_F(upper_dir_tar_test, round_trips_through_unpack_into_overlay_whiteouts) {
  dir(lower_ + "/etc");
  file(lower_ + "/etc/group");
  dir(lower_ + "/opt/app");
  dir(upper_ + "/etc");
  whiteout(upper_ + "/etc/group");
  dir(upper_ + "/opt/app");
  opaque(upper_ + "/opt/app");
  file(upper_ + "/opt/app/new", "n");
  convert();
  auto target = dir_ + "/unpacked";
  dir(target);
  string_source source{tar_};
  auto r = unpack_layer(source, target, unpack_limits{}, true);
  ASSERT_TRUE(r) << error_message(r.error());
  struct stat st {};
  ASSERT_EQ(::lstat((target + "/etc/group").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  char value[2] = {};
  EXPECT_EQ(::getxattr((target + "/opt/app").c_str(), "trusted.overlay.opaque", value, 2), 1);
  EXPECT_EQ(value[0], 'y');
  EXPECT_FALSE(sys::exists(target + "/opt/app/.wh..wh..opq"));
}

TEST_F(upper_dir_tar_test, leaves_out_runtime_mount_targets_and_bare_copied_up_directories) {
  dir(lower_ + "/var/lib");
  dir(lower_ + "/usr");
  // What runc leaves in the upper directory of a container that changed nothing.
  dir(upper_ + "/etc");
  file(upper_ + "/etc/hosts", "");
  file(upper_ + "/etc/hostname", "");
  file(upper_ + "/etc/resolv.conf", "");
  dir(upper_ + "/proc");
  dir(upper_ + "/dev/pts");
  file(upper_ + "/.dockerenv", "");
  // A directory copied up for a file that was created and deleted again.
  dir(upper_ + "/var/lib");
  uint64_t count = 99;
  auto entries = convert(&count);
  EXPECT_EQ(count, 0u) << ::testing::PrintToString(names(entries));
  EXPECT_TRUE(entries.empty());
  // A real change below brings its parents along; a changed mode is a change by itself.
  file(upper_ + "/var/lib/new");
  dir(upper_ + "/usr", 0700);
  entries = convert();
  EXPECT_EQ(names(entries), (std::vector<std::string>{"usr/", "var/", "var/lib/", "var/lib/new"}));
}

TEST_F(upper_dir_tar_test, keeps_hard_links_and_file_capabilities) {
  file(upper_ + "/a", "same");
  ASSERT_EQ(::link((upper_ + "/a").c_str(), (upper_ + "/b").c_str()), 0);
  file(upper_ + "/ping", "elf");
  // security.capability v2 for cap_net_raw (bit 13), permitted and effective.
  const unsigned char caps[20] = {0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  if (::setxattr((upper_ + "/ping").c_str(), "security.capability", caps, sizeof caps, 0) != 0)
    GTEST_SKIP() << "this filesystem refuses security.capability";
  auto entries = convert();
  ASSERT_EQ(names(entries), (std::vector<std::string>{"a", "b", "ping"}));
  EXPECT_EQ(entries[0].contents, "same");
  EXPECT_EQ(entries[1].hardlink, "a");
  EXPECT_EQ(entries[2].xattrs["security.capability"],
            std::string(reinterpret_cast<const char*>(caps), sizeof caps));
}

TEST_F(upper_dir_tar_test, reads_the_lower_layers_as_overlayfs_merges_them) {
  // Two lowers: the top one makes /opt opaque, so /opt/dir of the bottom one is hidden and the
  // upper /opt/dir is an addition (written) even with the same mode.
  auto top = dir_ + "/top";
  dir(top + "/opt");
  opaque(top + "/opt");
  dir(lower_ + "/opt/dir");
  dir(upper_ + "/opt/dir");
  string_sink sink;
  auto r = write_upper_dir_tar(upper_, {top, lower_}, sink);
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(names(read_tar(sink.data)), (std::vector<std::string>{"opt/", "opt/dir/"}));
  // Without the opaque top layer the same directory is a bare copy-up: nothing.
  string_sink plain;
  r = write_upper_dir_tar(upper_, {lower_}, plain);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entries, 0u);
}

TEST_F(upper_dir_tar_test, writes_every_directory_inside_an_opaque_one) {
  // `rm -rf /app && mkdir -p /app/data`: /app is opaque, so its data/ is new even where the image
  // had an /app/data of the same mode. Left out, the layer would lose the directory.
  dir(lower_ + "/app/data");
  dir(upper_ + "/app");
  opaque(upper_ + "/app");
  dir(upper_ + "/app/data");
  EXPECT_EQ(names(convert()), (std::vector<std::string>{"app/", "app/.wh..wh..opq", "app/data/"}));
}

TEST_F(upper_dir_tar_test, a_missing_upper_directory_is_an_error) {
  string_sink sink;
  auto r = write_upper_dir_tar(dir_ + "/nope", {lower_}, sink);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::not_found);
}

} // namespace
