// Tests of storage/container_archive (docker cp) on temp trees standing for a container's root:
// the stat header's fields, dockerd's tar names (dir, dir/., file, root), symlinks archived as
// links, and extraction with hostile tars (".." names, symlink-then-file, links out of the root)
// that must never write next to the root. Needs root (chown).
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "layer_unpack_fixture.hpp"
#include "storage/container_archive.hpp"
#include "storage/container_path.hpp"
#include "string_sink.hpp"
#include "tar_builder.hpp"

namespace berth::storage {
namespace {

using test::dir_entry;
using test::file_entry;
using test::hardlink_entry;
using test::string_sink;
using test::symlink_entry;

/// What a tar holds: name → (type, contents or link target).
struct listed {
  mode_t type;
  std::string text;
  bool operator==(const listed&) const = default;
};

std::vector<std::pair<std::string, listed>> list_tar(const std::string& tar) {
  std::vector<std::pair<std::string, listed>> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_memory(a, tar.data(), tar.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    listed l{archive_entry_filetype(e), {}};
    if (const char* hl = archive_entry_hardlink(e)) {
      l.type = 0;
      l.text = hl;
    } else if (l.type == AE_IFLNK) {
      l.text = archive_entry_symlink(e);
    } else if (l.type == AE_IFREG) {
      std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
      archive_read_data(a, data.data(), data.size());
      l.text = data;
    }
    out.emplace_back(archive_entry_pathname(e), l);
  }
  archive_read_free(a);
  return out;
}

std::vector<std::string> names_of(const std::vector<std::pair<std::string, listed>>& entries) {
  std::vector<std::string> out;
  for (const auto& [name, l] : entries)
    out.push_back(name);
  return out;
}

class container_archive_test : public test::layer_unpack_test {
 protected:
  void SetUp() override {
    layer_unpack_test::SetUp();
    mkdir("d");
    write("d/f", "hello");
    mkdir("d/sub");
    write("d/sub/g", "deep");
    ASSERT_EQ(::symlink("f", in_root("d/lf").c_str()), 0);
    auto fd = sys::open(root_, O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(fd);
    root_fd_ = std::move(*fd);
  }

  void mkdir(const std::string& name) { ASSERT_EQ(::mkdir(in_root(name).c_str(), 0755), 0); }

  void write(const std::string& name, const std::string& text) {
    auto fd = sys::open(in_root(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd) << name;
    ASSERT_FALSE(sys::write_all(fd->get(), text, name));
  }

  std::string read(const std::string& name) {
    auto text = sys::read_file(in_root(name));
    return text ? *text : "<missing>";
  }

  /// GET: the tar of `path`, and its stat.
  std::pair<std::vector<std::pair<std::string, listed>>, path_stat> get(const std::string& path) {
    auto source = archive_source::open(root_fd_.get(), path);
    EXPECT_TRUE(source) << path << ": " << error_message(source.error());
    if (!source) return {};
    string_sink sink;
    EXPECT_FALSE(source->write(sink));
    return {list_tar(sink.out), source->stat()};
  }

  /// PUT: extracts `tar` into `path`.
  caf::error put(const std::string& path, const std::string& tar, extract_options opts = {}) {
    auto dir = extraction_directory(root_fd_.get(), path);
    if (!dir) return dir.error();
    string_source source{tar};
    return extract_into_container(root_fd_.get(), *dir, source, opts);
  }

  unique_fd root_fd_;
};

TEST(container_archive_mode, go_file_modes) {
  EXPECT_EQ(go_file_mode(S_IFDIR | 0755), go_mode::dir | 0755);
  EXPECT_EQ(go_file_mode(S_IFREG | 0644), 0644u);
  EXPECT_EQ(go_file_mode(S_IFLNK | 0777), go_mode::symlink | 0777);
  EXPECT_EQ(go_file_mode(S_IFREG | S_ISUID | 0755), go_mode::setuid | 0755);
  EXPECT_EQ(go_file_mode(S_IFDIR | S_ISVTX | 0777), go_mode::dir | go_mode::sticky | 0777);
  EXPECT_EQ(go_file_mode(S_IFCHR | 0666), go_mode::device | go_mode::char_device | 0666);
  EXPECT_EQ(go_file_mode(S_IFIFO | 0600), go_mode::named_pipe | 0600);
  EXPECT_EQ(go_mode::dir, 2147483648u);
}

TEST_F(container_archive_test, stat_of_files_directories_and_symlinks) {
  auto file = stat_container_path(root_fd_.get(), "/d/f");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->name, "f");
  EXPECT_EQ(file->size, 5);
  EXPECT_EQ(file->mode, 0644u);
  EXPECT_GT(file->mtime_nanos, 0);
  EXPECT_EQ(file->link_target, "");
  auto dir = stat_container_path(root_fd_.get(), "/d/");
  ASSERT_TRUE(dir);
  EXPECT_EQ(dir->name, "d");
  EXPECT_EQ(dir->mode, go_mode::dir | 0755);
  ASSERT_EQ(::symlink("/", in_root("out").c_str()), 0);
  auto link = stat_container_path(root_fd_.get(), "/out");
  ASSERT_TRUE(link);
  EXPECT_EQ(link->mode & go_mode::symlink, go_mode::symlink);
  EXPECT_EQ(link->link_target, "/");
  auto followed = stat_container_path(root_fd_.get(), "/out/");
  ASSERT_TRUE(followed);
  EXPECT_EQ(followed->mode & go_mode::dir, go_mode::dir);
  auto missing = stat_container_path(root_fd_.get(), "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_kind(missing.error()), errc::not_found);
}

TEST_F(container_archive_test, a_directory_is_archived_under_its_name) {
  auto [entries, st] = get("/d");
  EXPECT_EQ(st.name, "d");
  EXPECT_EQ(names_of(entries),
            (std::vector<std::string>{"d/", "d/f", "d/lf", "d/sub/", "d/sub/g"}));
  std::map<std::string, listed> by_name(entries.begin(), entries.end());
  EXPECT_EQ(by_name["d/f"], (listed{AE_IFREG, "hello"}));
  EXPECT_EQ(by_name["d/lf"], (listed{AE_IFLNK, "f"}));
}

TEST_F(container_archive_test, dir_dot_archives_the_contents_only) {
  auto [entries, st] = get("/d/.");
  EXPECT_EQ(st.name, ".");
  EXPECT_EQ(names_of(entries),
            (std::vector<std::string>{"./", "./f", "./lf", "./sub/", "./sub/g"}));
}

TEST_F(container_archive_test, a_file_is_one_entry_and_a_symlink_stays_a_symlink) {
  auto [file, st] = get("/d/sub/g");
  ASSERT_EQ(file.size(), 1u);
  EXPECT_EQ(file[0].first, "g");
  EXPECT_EQ(file[0].second, (listed{AE_IFREG, "deep"}));
  auto [link, link_st] = get("/d/lf");
  ASSERT_EQ(link.size(), 1u);
  EXPECT_EQ(link[0], (std::pair<std::string, listed>{"lf", {AE_IFLNK, "f"}}));
  EXPECT_EQ(link_st.link_target, "/d/f");
}

TEST_F(container_archive_test, the_root_is_archived_with_absolute_names) {
  auto [entries, st] = get("/");
  EXPECT_EQ(st.name, "/");
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0].first, "/");
  EXPECT_EQ(entries[1].first, "/d/");
}

TEST_F(container_archive_test, hard_links_become_link_entries) {
  ASSERT_EQ(::link(in_root("d/f").c_str(), in_root("d/hard").c_str()), 0);
  auto [entries, st] = get("/d");
  std::map<std::string, listed> by_name(entries.begin(), entries.end());
  EXPECT_EQ(by_name["d/f"], (listed{AE_IFREG, "hello"}));
  EXPECT_EQ(by_name["d/hard"], (listed{0, "d/f"}));
}

TEST_F(container_archive_test, symlinks_out_of_the_root_are_never_followed) {
  // The container plants links to the host's files: the tar has the links, never the files.
  ASSERT_EQ(::symlink((outside_ + "/marker").c_str(), in_root("d/abs").c_str()), 0);
  ASSERT_EQ(::symlink("../../outside", in_root("d/rel").c_str()), 0);
  auto [entries, st] = get("/d");
  std::map<std::string, listed> by_name(entries.begin(), entries.end());
  EXPECT_EQ(by_name["d/abs"], (listed{AE_IFLNK, outside_ + "/marker"}));
  EXPECT_EQ(by_name["d/rel"], (listed{AE_IFLNK, "../../outside"}));
  for (const auto& path : {"/d/rel/marker", "/d/abs", "/d/rel/"}) {
    auto source = archive_source::open(root_fd_.get(), path);
    if (source) {
      string_sink sink;
      ASSERT_FALSE(source->write(sink));
      for (const auto& [name, l] : list_tar(sink.out))
        EXPECT_NE(l.text, "keep") << path << " read the host's file";
    } else {
      EXPECT_EQ(error_kind(source.error()), errc::not_found) << path;
    }
  }
  expect_outside_untouched();
}

TEST_F(container_archive_test, kernel_filesystems_are_not_walked) {
  auto root = sys::open("/", O_RDONLY | O_DIRECTORY);
  ASSERT_TRUE(root);
  auto source = archive_source::open(root->get(), "/proc/.");
  ASSERT_TRUE(source);
  string_sink sink;
  ASSERT_FALSE(source->write(sink));
  EXPECT_EQ(names_of(list_tar(sink.out)), (std::vector<std::string>{"./"}));
}

TEST_F(container_archive_test, extracts_files_directories_and_symlinks) {
  mkdir("dst");
  auto tar = test::make_tar({dir_entry("new/", 0750), file_entry("new/a", "A", 0600),
                             symlink_entry("new/la", "a"), file_entry("top", "T")});
  ASSERT_FALSE(put("/dst", tar));
  EXPECT_EQ(read("dst/new/a"), "A");
  EXPECT_EQ(read("dst/top"), "T");
  EXPECT_EQ(test::read_link(in_root("dst/new/la")), "a");
  EXPECT_EQ(test::lstat_of(in_root("dst/new")).st_mode & 07777, 0750u);
  EXPECT_EQ(test::lstat_of(in_root("dst/new/a")).st_mode & 07777, 0600u);
  expect_outside_untouched();
}

TEST_F(container_archive_test, hard_links_and_fifos_are_extracted_below_the_destination) {
  mkdir("dst");
  write("a", "root's own");
  test::tar_entry fifo{.name = "sub/pipe", .type = test::tar_entry::kind::fifo, .mode = 0640};
  // Link targets are names in the archive: below the destination, like the links themselves.
  auto tar = test::make_tar({file_entry("a", "A"), hardlink_entry("b", "a"), dir_entry("sub/"),
                             hardlink_entry("sub/c", "/a"), fifo});
  ASSERT_FALSE(put("/dst", tar));
  auto a = test::lstat_of(in_root("dst/a"));
  EXPECT_EQ(test::lstat_of(in_root("dst/b")).st_ino, a.st_ino);
  EXPECT_EQ(test::lstat_of(in_root("dst/sub/c")).st_ino, a.st_ino);
  EXPECT_EQ(a.st_nlink, 3u);
  EXPECT_EQ(read("a"), "root's own");
  auto pipe = test::lstat_of(in_root("dst/sub/pipe"));
  EXPECT_TRUE(S_ISFIFO(pipe.st_mode));
  EXPECT_EQ(pipe.st_mode & 07777, 0640u);
}

TEST_F(container_archive_test, entry_errors_name_the_entry_as_the_archive_does) {
  mkdir("dst");
  auto hard = put("/dst", test::make_tar({dir_entry("sub/"), hardlink_entry("sub/h", "../x")}));
  ASSERT_TRUE(hard);
  EXPECT_EQ(error_kind(hard), errc::invalid_argument);
  EXPECT_EQ(error_message(hard).rfind("archive entry sub/h: hardlink target: ", 0), 0u)
      << error_message(hard);
  // Contents cut short: the stream's message speaks of the archive, not of a layer.
  auto tar = test::make_tar({file_entry("a", std::string(1000, 'a')), file_entry("b", "b")},
                            test::tar_format::ustar, test::compression::none, false);
  auto cut = put("/dst", tar.substr(0, 1500));
  ASSERT_TRUE(cut);
  EXPECT_EQ(error_message(cut).rfind("reading the archive: unexpected end of archive", 0), 0u)
      << error_message(cut);
}

TEST_F(container_archive_test, the_dot_entry_leaves_the_directory_as_it_is) {
  mkdir("dst");
  ASSERT_EQ(::chmod(in_root("dst").c_str(), 0711), 0);
  auto tar = test::make_tar({dir_entry("./", 0700), file_entry("./x", "X")});
  ASSERT_FALSE(put("/dst", tar));
  EXPECT_EQ(read("dst/x"), "X");
  EXPECT_EQ(test::lstat_of(in_root("dst")).st_mode & 07777, 0711u);
}

TEST_F(container_archive_test, a_destination_symlinked_to_the_root_stays_in_the_container) {
  // CVE-2018-15664's shape: /out -> / in the container; the copy lands in the container's root.
  ASSERT_EQ(::symlink("/", in_root("out").c_str()), 0);
  auto dir = extraction_directory(root_fd_.get(), "/out/");
  ASSERT_TRUE(dir);
  EXPECT_EQ(*dir, "/");
  ASSERT_FALSE(put("/out/", test::make_tar({file_entry("file", "payload")})));
  EXPECT_EQ(read("file"), "payload");
  ASSERT_EQ(::symlink("../outside", in_root("up").c_str()), 0);
  // A link climbing out of the root leads to /outside inside it, which does not exist.
  auto up = put("/up", test::make_tar({file_entry("marker", "owned")}));
  ASSERT_TRUE(up);
  EXPECT_EQ(error_kind(up), errc::not_found);
  expect_outside_untouched();
}

TEST_F(container_archive_test, hostile_entries_stay_inside) {
  mkdir("dst");
  auto dotdot = put("/dst", test::make_tar({file_entry("../../outside/marker", "owned")}));
  ASSERT_TRUE(dotdot);
  EXPECT_EQ(error_kind(dotdot), errc::invalid_argument);
  // A ".." that stays below the destination is cleaned away, as dockerd's filepath.Clean does.
  ASSERT_FALSE(put("/dst", test::make_tar({file_entry("sub/../clean", "C")})));
  EXPECT_EQ(read("dst/clean"), "C");
  // Absolute names are taken below the destination.
  ASSERT_FALSE(put("/dst", test::make_tar({file_entry("/abs", "A")})));
  EXPECT_EQ(read("dst/abs"), "A");
  // A symlink to "/" then a file through it: written in the container's root.
  ASSERT_FALSE(put("/dst", test::make_tar({symlink_entry("s", "/"), file_entry("s/via", "V")})));
  EXPECT_EQ(read("via"), "V");
  // A symlink naming the host's directory, then a file through it: the host path is taken
  // inside the container's root.
  auto through_abs =
      put("/dst", test::make_tar({symlink_entry("h", outside_), file_entry("h/marker", "owned")}));
  (void)through_abs;
  // A relative symlink climbing out of the root is refused.
  auto climbing =
      put("/dst", test::make_tar({symlink_entry("c", "../../../outside"), file_entry("c/x", "x")}));
  EXPECT_TRUE(climbing);
  // A hard link to a host file.
  auto hard = put("/dst", test::make_tar({hardlink_entry("hl", outside_ + "/marker")}));
  EXPECT_TRUE(hard);
  expect_outside_untouched();
}

TEST_F(container_archive_test, no_overwrite_dir_non_dir_refuses_type_changes) {
  mkdir("dst");
  mkdir("dst/d");
  write("dst/f", "old");
  extract_options opts;
  opts.no_overwrite_dir_non_dir = true;
  auto file_over_dir = put("/dst", test::make_tar({file_entry("d", "x")}), opts);
  ASSERT_TRUE(file_over_dir);
  EXPECT_EQ(error_message(file_over_dir),
            "cannot overwrite directory \"/dst/d\" with non-directory \"/dst\"");
  auto dir_over_file = put("/dst", test::make_tar({dir_entry("f/")}), opts);
  ASSERT_TRUE(dir_over_file);
  EXPECT_EQ(error_message(dir_over_file),
            "cannot overwrite non-directory \"/dst/f\" with directory \"/dst\"");
  // Without the option the file replaces the directory.
  ASSERT_FALSE(put("/dst", test::make_tar({file_entry("d", "x")})));
  EXPECT_EQ(read("dst/d"), "x");
}

TEST_F(container_archive_test, owners_come_from_the_tar_or_the_override) {
  mkdir("dst");
  auto entry = file_entry("owned", "o");
  entry.uid = 4242;
  entry.gid = 4343;
  ASSERT_FALSE(put("/dst", test::make_tar({entry})));
  EXPECT_EQ(test::lstat_of(in_root("dst/owned")).st_uid, 4242u);
  EXPECT_EQ(test::lstat_of(in_root("dst/owned")).st_gid, 4343u);
  extract_options opts;
  opts.owner = std::make_pair(1000u, 1001u);
  ASSERT_FALSE(put("/dst", test::make_tar({entry}), opts));
  EXPECT_EQ(test::lstat_of(in_root("dst/owned")).st_uid, 1000u);
  EXPECT_EQ(test::lstat_of(in_root("dst/owned")).st_gid, 1001u);
}

TEST_F(container_archive_test, bad_bodies_and_destinations) {
  mkdir("dst");
  auto garbage = put("/dst", std::string(4096, 'x'));
  ASSERT_TRUE(garbage);
  EXPECT_EQ(error_kind(garbage), errc::invalid_argument);
  EXPECT_EQ(error_message(garbage).rfind("the archive is not a tar", 0), 0u)
      << error_message(garbage);
  EXPECT_EQ(test::list_dir(in_root("dst")), (std::set<std::string>{}));
  EXPECT_FALSE(put("/dst", "")); // an empty body extracts nothing, as dockerd
  auto not_dir = extraction_directory(root_fd_.get(), "/d/f");
  ASSERT_FALSE(not_dir);
  EXPECT_EQ(error_message(not_dir.error()), "extraction point is not a directory");
  auto missing = extraction_directory(root_fd_.get(), "/nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_kind(missing.error()), errc::not_found);
}

TEST_F(container_archive_test, compressed_tars_and_skipped_devices) {
  mkdir("dst");
  test::tar_entry dev{.name = "dev0", .type = test::tar_entry::kind::chardev, .rdev = 0x0801};
  auto tar = test::make_tar({file_entry("z", "zipped"), dev}, test::tar_format::pax,
                            test::compression::gzip);
  ASSERT_FALSE(put("/dst", tar));
  EXPECT_EQ(read("dst/z"), "zipped");
  EXPECT_EQ(test::list_dir(in_root("dst")), (std::set<std::string>{"z"}));
}

TEST_F(container_archive_test, limits_and_an_empty_stream_speak_of_the_archive) {
  mkdir("dst");
  extract_options few;
  few.limits.max_entries = 1;
  auto many = put("/dst", test::make_tar({file_entry("a", "A"), file_entry("b", "B")}), few);
  ASSERT_TRUE(many);
  EXPECT_EQ(error_message(many), "the archive has more than 1 entries");
  EXPECT_EQ(test::list_dir(in_root("dst")), (std::set<std::string>{"a"}));
  extract_options small;
  small.limits.max_bytes = 1024;
  auto big = put("/dst", test::make_tar({file_entry("big", std::string(4096, 'x'))}), small);
  ASSERT_TRUE(big);
  EXPECT_EQ(error_message(big).rfind("the archive is larger than 1024 bytes", 0), 0u)
      << error_message(big);
  // Compressed nothing is nothing too, as for dockerd's Untar.
  EXPECT_FALSE(put("/dst", test::compress("", test::compression::gzip)));
  EXPECT_EQ(test::list_dir(in_root("dst")), (std::set<std::string>{"a"}));
}

} // namespace
} // namespace berth::storage
