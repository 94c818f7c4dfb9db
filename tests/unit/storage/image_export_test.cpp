// Pins what storage/image_export writes for docker save: the archive's entries in order (names,
// types, modes, owners, sizes, times, plain ustar headers without pax records, no padding after
// the end-of-archive blocks), their contents (plain and decompressed layers, configs, manifests,
// index.json, manifest.json, oci-layout, repositories), and that docker load reads it back.
#include <memory>
#include <string>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/content_store.hpp"
#include "storage/digest.hpp"
#include "storage/image_archive.hpp"
#include "storage/image_export.hpp"
#include "string_sink.hpp"
#include "tar_builder.hpp"

namespace berth::storage {
namespace {

using json = nlohmann::json;

/// One entry of the produced archive as libarchive reads it.
struct read_entry {
  std::string name;
  mode_t type = 0;
  mode_t perm = 0;
  int64_t size = 0;
  int64_t uid = -1;
  int64_t gid = -1;
  bool has_uname = true;
  bool has_gname = true;
  bool mtime_set = false;
  time_t mtime = -1;
  long mtime_nsec = -1;
  bool atime_set = true;
  bool ctime_set = true;
  int format = 0; ///< ARCHIVE_FORMAT_TAR_USTAR unless a pax header came before the entry
  std::string contents;
};

std::vector<read_entry> read_archive(const std::string& tar) {
  std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                                  archive_read_free);
  archive_read_support_format_tar(a.get());
  EXPECT_EQ(archive_read_open_memory(a.get(), tar.data(), tar.size()), ARCHIVE_OK);
  std::vector<read_entry> out;
  struct archive_entry* e = nullptr;
  while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    read_entry r;
    r.name = archive_entry_pathname(e);
    r.type = archive_entry_filetype(e);
    r.perm = archive_entry_perm(e);
    r.size = archive_entry_size(e);
    r.uid = archive_entry_uid(e);
    r.gid = archive_entry_gid(e);
    r.has_uname = archive_entry_uname(e) != nullptr && *archive_entry_uname(e) != '\0';
    r.has_gname = archive_entry_gname(e) != nullptr && *archive_entry_gname(e) != '\0';
    r.mtime_set = archive_entry_mtime_is_set(e) != 0;
    r.mtime = archive_entry_mtime(e);
    r.mtime_nsec = archive_entry_mtime_nsec(e);
    r.atime_set = archive_entry_atime_is_set(e) != 0;
    r.ctime_set = archive_entry_ctime_is_set(e) != 0;
    r.format = archive_format(a.get());
    r.contents.resize(static_cast<size_t>(r.size));
    auto n = archive_read_data(a.get(), r.contents.data(), r.contents.size());
    EXPECT_EQ(n, r.size) << r.name;
    out.push_back(std::move(r));
  }
  return out;
}

std::string blob_path(const std::string& digest) {
  return "blobs/sha256/" + std::string(digest_hex(digest));
}

std::string config_for(const std::vector<std::string>& diff_ids, const std::string& cmd) {
  return json{{"architecture", "amd64"},
              {"os", "linux"},
              {"config", {{"Cmd", {cmd}}}},
              {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}
      .dump();
}

class image_export_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-save-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto c = content_store::open(dir_ + "/content");
    ASSERT_TRUE(c);
    content_ = std::move(*c);
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  /// A layer whose uncompressed tar is `tar`, stored as `blob` of `media_type`.
  layer_record stored_layer(const std::string& tar, const std::string& blob,
                            const char* media_type) {
    auto stored = content_->put(blob);
    EXPECT_TRUE(stored);
    layer_record l;
    l.diff_id = sha256_digest(tar);
    l.blob_digest = stored ? stored->digest : "";
    l.media_type = media_type;
    l.tar_size = tar.size();
    return l;
  }

  /// A layer stored as its uncompressed tar (as commits and loads of plain layers store them).
  layer_record plain_layer(const std::string& tar) {
    return stored_layer(tar, tar, media_type_layer_tar);
  }

  /// A layer stored gzip compressed (as pulls store them).
  layer_record gzip_layer(const std::vector<test::tar_entry>& entries) {
    auto tar = test::make_tar(entries, test::tar_format::pax, test::compression::none, false);
    auto gz = test::make_tar(entries, test::tar_format::pax, test::compression::gzip, false);
    uncompressed_[sha256_digest(tar)] = tar;
    return stored_layer(tar, gz, media_type_layer_gzip);
  }

  std::string dir_;
  std::unique_ptr<content_store> content_;
  std::map<std::string, std::string> uncompressed_; ///< of gzip layers, by diff ID
};

TEST_F(image_export_test, pins_the_entries_and_contents_of_a_saved_archive) {
  // Larger than one 1 MiB read, so the copies loop more than once.
  std::string big(3u << 19, 'z');
  auto base_tar = test::make_tar(
      {test::dir_entry("bin/"), test::file_entry("bin/sh", "#!"), test::file_entry("big", big)});
  auto base = plain_layer(base_tar);
  auto top = gzip_layer({test::file_entry("big", big), test::file_entry("etc/motd", "hi\n")});

  auto tagged = image_record::from_config(config_for({base.diff_id, top.diff_id}, "sh"));
  ASSERT_TRUE(tagged);
  auto untagged = image_record::from_config(config_for({base.diff_id}, "true"));
  ASSERT_TRUE(untagged);
  std::vector<export_image> images{
      {&*tagged, {&base, &top}, {"docker.io/library/busybox:latest", "example.com/me/app:1"}},
      {&*untagged, {&base}, {}}};

  test::string_sink sink;
  auto err = write_image_archive(images, *content_, sink);
  ASSERT_FALSE(err) << caf::to_string(err);
  auto entries = read_archive(sink.out);

  auto manifest_of = [](const image_record& img, const std::vector<const layer_record*>& layers) {
    nlohmann::ordered_json ls = nlohmann::ordered_json::array();
    for (const auto* l : layers)
      ls.push_back(
          {{"mediaType", media_type_layer_tar}, {"digest", l->diff_id}, {"size", l->tar_size}});
    return nlohmann::ordered_json{{"schemaVersion", 2},
                                  {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                  {"config",
                                   {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                    {"digest", img.id},
                                    {"size", img.config_json.size()}}},
                                  {"layers", ls}}
        .dump();
  };
  auto tagged_manifest = manifest_of(*tagged, {&base, &top});
  auto untagged_manifest = manifest_of(*untagged, {&base});

  struct expected {
    std::string name;
    mode_t type;
    mode_t perm;
    std::string contents;
  };
  std::vector<expected> want{
      {"blobs/", AE_IFDIR, 0755, ""},
      {"blobs/sha256/", AE_IFDIR, 0755, ""},
      {blob_path(base.diff_id), AE_IFREG, 0644, base_tar},
      {blob_path(top.diff_id), AE_IFREG, 0644, uncompressed_[top.diff_id]},
      {blob_path(tagged->id), AE_IFREG, 0644, tagged->config_json},
      {blob_path(sha256_digest(tagged_manifest)), AE_IFREG, 0644, tagged_manifest},
      {blob_path(untagged->id), AE_IFREG, 0644, untagged->config_json},
      {blob_path(sha256_digest(untagged_manifest)), AE_IFREG, 0644, untagged_manifest},
      {"index.json", AE_IFREG, 0644, ""},
      {"manifest.json", AE_IFREG, 0644, ""},
      {"oci-layout", AE_IFREG, 0644, "{\"imageLayoutVersion\": \"1.0.0\"}"},
      {"repositories", AE_IFREG, 0644, ""},
  };
  ASSERT_EQ(entries.size(), want.size());
  uint64_t tar_bytes = 1024; // the two end-of-archive blocks
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& e = entries[i];
    SCOPED_TRACE(want[i].name);
    EXPECT_EQ(e.name, want[i].name);
    EXPECT_EQ(e.type, want[i].type);
    EXPECT_EQ(e.perm, want[i].perm);
    EXPECT_EQ(e.uid, 0);
    EXPECT_EQ(e.gid, 0);
    EXPECT_FALSE(e.has_uname);
    EXPECT_FALSE(e.has_gname);
    EXPECT_TRUE(e.mtime_set);
    EXPECT_EQ(e.mtime, 0);
    EXPECT_EQ(e.mtime_nsec, 0);
    EXPECT_FALSE(e.atime_set);
    EXPECT_FALSE(e.ctime_set);
    EXPECT_EQ(e.format, ARCHIVE_FORMAT_TAR_USTAR);
    if (!want[i].contents.empty() || e.type == AE_IFDIR) {
      EXPECT_EQ(e.contents, want[i].contents);
    }
    EXPECT_EQ(e.size, static_cast<int64_t>(e.contents.size()));
    tar_bytes += 512 + (static_cast<uint64_t>(e.size) + 511) / 512 * 512;
  }
  // One header block per entry (no pax records) and no padding to a 10 KiB record.
  EXPECT_EQ(sink.out.size(), tar_bytes);

  auto index = json::parse(entries[8].contents);
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(index["manifests"].size(), 3u);
  EXPECT_EQ(index["manifests"][0]["digest"], sha256_digest(tagged_manifest));
  EXPECT_EQ(index["manifests"][0]["annotations"]["io.containerd.image.name"],
            "docker.io/library/busybox:latest");
  EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "latest");
  EXPECT_EQ(index["manifests"][1]["annotations"]["io.containerd.image.name"],
            "example.com/me/app:1");
  EXPECT_EQ(index["manifests"][2]["digest"], sha256_digest(untagged_manifest));
  EXPECT_FALSE(index["manifests"][2].contains("annotations"));

  using ordered = nlohmann::ordered_json;
  auto docker_manifest = ordered::array();
  docker_manifest.push_back({{"Config", blob_path(tagged->id)},
                             {"RepoTags", {"busybox:latest", "example.com/me/app:1"}},
                             {"Layers", {blob_path(base.diff_id), blob_path(top.diff_id)}}});
  docker_manifest.push_back({{"Config", blob_path(untagged->id)},
                             {"RepoTags", ordered::array()},
                             {"Layers", {blob_path(base.diff_id)}}});
  EXPECT_EQ(entries[9].contents, docker_manifest.dump() + "\n");
  auto top_hex = std::string(digest_hex(top.diff_id));
  json repositories;
  repositories["busybox"]["latest"] = top_hex;
  repositories["example.com/me/app"]["1"] = top_hex;
  EXPECT_EQ(entries[11].contents, repositories.dump() + "\n");

  // docker load reads it back: both images with their layers and tags.
  auto loaded_store = content_store::open(dir_ + "/loaded");
  ASSERT_TRUE(loaded_store);
  string_source source(sink.out);
  auto loaded = read_image_archive(source, **loaded_store, archive_limits{});
  ASSERT_TRUE(loaded) << error_message(loaded.error());
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].config_digest, tagged->id);
  EXPECT_EQ((*loaded)[0].layers.size(), 2u);
  EXPECT_EQ((*loaded)[0].tags.size(), 2u);
  EXPECT_EQ((*loaded)[1].config_digest, untagged->id);
  EXPECT_EQ((*loaded)[1].layers.size(), 1u);
}

TEST_F(image_export_test, an_image_without_tags_writes_no_repositories_file) {
  auto base = plain_layer(test::make_tar({test::file_entry("f", "x")}));
  auto img = image_record::from_config(config_for({base.diff_id}, "sh"));
  ASSERT_TRUE(img);
  test::string_sink sink;
  ASSERT_FALSE(write_image_archive({{&*img, {&base}, {}}}, *content_, sink));
  std::vector<std::string> names;
  for (const auto& e : read_archive(sink.out))
    names.push_back(e.name);
  ASSERT_EQ(names.size(), 8u);
  EXPECT_EQ(names[2], blob_path(base.diff_id));
  EXPECT_EQ(names[3], blob_path(img->id));
  EXPECT_EQ(std::vector<std::string>(names.begin() + 5, names.end()),
            (std::vector<std::string>{"index.json", "manifest.json", "oci-layout"}));
}

TEST_F(image_export_test, a_compressed_layer_of_another_size_than_recorded_fails) {
  auto top = gzip_layer({test::file_entry("f", "contents")});
  auto img = image_record::from_config(config_for({top.diff_id}, "sh"));
  ASSERT_TRUE(img);
  for (auto size : {top.tar_size - 512, top.tar_size + 512}) {
    auto layer = top;
    layer.tar_size = size;
    test::string_sink sink;
    EXPECT_TRUE(write_image_archive({{&*img, {&layer}, {}}}, *content_, sink)) << size;
  }
}

} // namespace
} // namespace berth::storage
