// Tests storage/image_commit: an upper directory stored as a layer (blob, layer directory, chain
// ID, empty layers, a chain already present) and child images made from a parent like dockerd's.
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/time.hpp"
#include "storage/chain_id.hpp"
#include "storage/image_commit.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

using json = nlohmann::json;

class image_commit_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-commit-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto c = content_store::open(dir_ + "/content");
    ASSERT_TRUE(c);
    content_ = std::move(*c);
    auto l = layer_store::open(dir_ + "/overlay2");
    ASSERT_TRUE(l);
    layers_ = std::move(*l);
    lower_ = dir_ + "/lower";
    upper_ = dir_ + "/upper";
    ASSERT_FALSE(sys::make_dirs(lower_ + "/bin"));
    ASSERT_FALSE(sys::make_dirs(upper_));
    std::ofstream(lower_ + "/bin/ls") << "ls";
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  caf::expected<committed_layer> commit(const std::set<std::string>& present = {}) {
    return commit_upper_dir(upper_, {lower_}, parent_chain_, present, *content_, *layers_,
                            unpack_limits{});
  }

  std::string dir_, lower_, upper_;
  std::string parent_chain_ = sha256_digest("base");
  std::unique_ptr<content_store> content_;
  std::unique_ptr<layer_store> layers_;
};

image_record parent_image() {
  json config{{"architecture", "amd64"},
              {"config", {{"Cmd", {"sh"}}}},
              {"created", "2024-01-01T00:00:00Z"},
              {"history", {{{"created", "2024-01-01T00:00:00Z"}, {"created_by", "ADD rootfs"}}}},
              {"os", "linux"},
              {"variant", "v1"},
              {"rootfs", {{"type", "layers"}, {"diff_ids", {sha256_digest("base")}}}}};
  auto img = image_record::from_config(config.dump());
  EXPECT_TRUE(img);
  return *img;
}

TEST_F(image_commit_test, stores_the_upper_directory_as_a_layer_on_the_parent_chain) {
  std::ofstream(upper_ + "/x") << "hi\n";
  ASSERT_FALSE(sys::make_dirs(upper_ + "/bin"));
  ASSERT_EQ(::mknod((upper_ + "/bin/ls").c_str(), S_IFCHR, makedev(0, 0)), 0);
  auto r = commit();
  ASSERT_TRUE(r) << error_message(r.error());
  ASSERT_TRUE(r->created);
  // The blob is the uncompressed tar: its digest is the diff ID.
  EXPECT_TRUE(content_->has(r->diff_id));
  EXPECT_EQ(r->chain_id, next_chain_id(parent_chain_, r->diff_id));
  const auto& l = *r->created;
  EXPECT_EQ(l.chain_id, r->chain_id);
  EXPECT_EQ(l.diff_id, r->diff_id);
  EXPECT_EQ(l.parent, parent_chain_);
  EXPECT_EQ(l.blob_digest, r->diff_id);
  EXPECT_EQ(l.media_type, media_type_layer_tar);
  EXPECT_EQ(l.tar_size, *content_->size(r->diff_id));
  EXPECT_EQ(l.size, 3u);
  auto diff = layers_->diff_dir(l);
  EXPECT_EQ(*sys::read_file(diff + "/x"), "hi\n");
  struct stat st {};
  ASSERT_EQ(::lstat((diff + "/bin/ls").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)); // an overlay whiteout again
  EXPECT_TRUE(sys::exists(layers_->link_path(l)));
  // The same change again gives the same layer: present, so nothing is unpacked twice.
  auto again = commit({r->chain_id});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->diff_id, r->diff_id);
  EXPECT_FALSE(again->created);
}

TEST_F(image_commit_test, an_unchanged_container_gives_an_empty_layer) {
  std::ofstream(upper_ + "/.dockerenv") << "";
  auto before = content_->list().size();
  auto r = commit();
  ASSERT_TRUE(r) << error_message(r.error());
  EXPECT_EQ(r->diff_id, "");
  EXPECT_EQ(r->chain_id, "");
  EXPECT_FALSE(r->created);
  EXPECT_EQ(content_->list().size(), before);
}

TEST_F(image_commit_test, child_image_appends_layer_history_and_config_like_dockerd) {
  auto parent = parent_image();
  child_image_options child;
  child.config = json{{"Cmd", {"cat", "/x"}}, {"Env", {"A=1"}}};
  child.container_config = json{{"Cmd", {"sh", "-c", "echo hi > /x"}}};
  child.container_id = "abc123";
  child.author = "me";
  child.comment = "msg";
  child.created_by = "sh -c echo hi > /x";
  child.diff_id = sha256_digest("layer");
  child.now_nanos = 1'700'000'000'123'000'000;
  auto img = make_child_image(&parent, child);
  ASSERT_TRUE(img) << error_message(img.error());
  EXPECT_EQ(img->parent, parent.id);
  EXPECT_EQ(img->diff_ids, (std::vector<std::string>{sha256_digest("base"), child.diff_id}));
  EXPECT_EQ(img->chain_ids.back(), next_chain_id(sha256_digest("base"), child.diff_id));
  const auto& c = img->config;
  EXPECT_EQ(c["author"], "me");
  EXPECT_EQ(c["comment"], "msg");
  EXPECT_EQ(c["container"], "abc123");
  EXPECT_EQ(c["container_config"]["Cmd"][2], "echo hi > /x");
  EXPECT_EQ(c["config"]["Cmd"], json({"cat", "/x"}));
  EXPECT_EQ(c["architecture"], "amd64");
  EXPECT_EQ(c["variant"], "v1");
  EXPECT_EQ(c["os"], "linux");
  EXPECT_EQ(c["created"], format_rfc3339(child.now_nanos));
  EXPECT_EQ(img->created_nanos, child.now_nanos);
  ASSERT_EQ(c["history"].size(), 2u);
  EXPECT_EQ(c["history"][0]["created_by"], "ADD rootfs");
  const auto& h = c["history"][1];
  EXPECT_EQ(h["created_by"], "sh -c echo hi > /x");
  EXPECT_EQ(h["author"], "me");
  EXPECT_EQ(h["comment"], "msg");
  EXPECT_FALSE(h.contains("empty_layer"));
  // Top-level keys sorted, as dockerd writes the config (its ID is the digest of these bytes).
  auto text = img->config_json;
  EXPECT_LT(text.find("\"architecture\""), text.find("\"author\""));
  EXPECT_LT(text.find("\"container_config\""), text.find("\"created\""));
  EXPECT_LT(text.find("\"os\""), text.find("\"rootfs\""));
  EXPECT_LT(text.find("\"rootfs\""), text.find("\"variant\""));
  EXPECT_EQ(img->id, sha256_digest(text));
}

TEST_F(image_commit_test, child_image_with_an_empty_layer_keeps_the_rootfs) {
  auto parent = parent_image();
  child_image_options child;
  child.config = json::object();
  child.now_nanos = 1'700'000'000'000'000'000;
  auto img = make_child_image(&parent, child);
  ASSERT_TRUE(img) << error_message(img.error());
  EXPECT_EQ(img->diff_ids, parent.diff_ids);
  const auto& h = img->config["history"].back();
  EXPECT_EQ(h["empty_layer"], true);
  EXPECT_FALSE(h.contains("author"));
  EXPECT_FALSE(img->config.contains("author"));
  EXPECT_FALSE(img->config.contains("container"));
  EXPECT_FALSE(img->config.contains("container_config"));
  // From scratch: no parent, no layers yet.
  auto scratch = make_child_image(nullptr, child);
  ASSERT_TRUE(scratch) << error_message(scratch.error());
  EXPECT_TRUE(scratch->diff_ids.empty());
  EXPECT_EQ(scratch->parent, "");
  EXPECT_EQ(scratch->config["architecture"], "amd64");
}

} // namespace
