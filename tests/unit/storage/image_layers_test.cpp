// Tests storage/image_layers: a stored blob (plain or compressed) becomes a layer with its record
// filled in and its reading reported; a compressed blob that unpacks to another diff ID than the
// config's leaves no layer behind.
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/chain_id.hpp"
#include "storage/digest.hpp"
#include "storage/image_layers.hpp"
#include "storage/image_record.hpp"
#include "tar_builder.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

class image_layers_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-image-layers-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto c = content_store::open(dir_ + "/content");
    ASSERT_TRUE(c);
    content_ = std::move(*c);
    auto l = layer_store::open(dir_ + "/overlay2");
    ASSERT_TRUE(l);
    layers_ = std::move(*l);
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  std::string put(const std::string& data) {
    auto blob = content_->put(data);
    EXPECT_TRUE(blob) << error_message(blob.error());
    return blob ? blob->digest : std::string{};
  }

  /// The names in a directory of the store.
  std::vector<std::string> names_in(const std::string& rel) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/" + rel))
      out.push_back(e.path().filename());
    return out;
  }

  std::string dir_;
  std::unique_ptr<content_store> content_;
  std::unique_ptr<layer_store> layers_;
};

TEST_F(image_layers_test, a_compressed_blob_becomes_a_layer_and_its_reading_is_reported) {
  auto tar = test::make_tar({test::file_entry("hello", "world")});
  auto gz = test::compress(tar, test::compression::gzip);
  auto digest = put(gz);
  auto diff_id = sha256_digest(tar);
  std::vector<std::pair<uint64_t, uint64_t>> reads;
  auto rec = unpack_blob_layer(
      *content_, *layers_, {digest, media_type_layer_gzip}, diff_id, diff_id, "", unpack_limits{},
      [&](uint64_t read, uint64_t total) { reads.emplace_back(read, total); });
  ASSERT_TRUE(rec) << error_message(rec.error());
  EXPECT_EQ(rec->diff_id, diff_id);
  EXPECT_EQ(rec->blob_digest, digest);
  EXPECT_EQ(rec->media_type, media_type_layer_gzip);
  EXPECT_EQ(rec->tar_size, tar.size());
  EXPECT_EQ(rec->size, 5u);
  EXPECT_EQ(*sys::read_file(layers_->diff_dir(*rec) + "/hello"), "world");
  ASSERT_FALSE(reads.empty());
  EXPECT_EQ(reads.back(), std::make_pair(uint64_t{gz.size()}, uint64_t{gz.size()}));
}

TEST_F(image_layers_test, a_compressed_blob_with_another_diff_id_leaves_no_layer) {
  auto tar = test::make_tar({test::file_entry("hello", "world")});
  auto digest = put(test::compress(tar, test::compression::gzip));
  auto claimed = sha256_digest("something else");
  auto created = unpack_image_layers({claimed}, {{digest, media_type_layer_gzip}}, {}, *content_,
                                     *layers_, unpack_limits{});
  ASSERT_FALSE(created);
  EXPECT_EQ(error_message(created.error()),
            "layer 1 unpacks to " + sha256_digest(tar) + " but the config says " + claimed);
  // Only the store's directory of short links is left, empty.
  EXPECT_EQ(names_in("overlay2"), (std::vector<std::string>{"l"}));
  EXPECT_TRUE(names_in("overlay2/l").empty());
}

TEST_F(image_layers_test, layers_stack_on_their_chain_and_report_per_index) {
  auto base = test::make_tar({test::file_entry("a", "A")});
  auto top = test::make_tar({test::file_entry("b", "B")});
  std::vector<std::string> diff_ids{sha256_digest(base), sha256_digest(top)};
  std::vector<layer_blob> blobs{{put(base), media_type_layer_tar},
                                {put(top), media_type_layer_tar}};
  std::vector<size_t> indexes;
  auto created = unpack_image_layers(diff_ids, blobs, {}, *content_, *layers_, unpack_limits{},
                                     [&](size_t index, uint64_t, uint64_t) {
                                       if (indexes.empty() || indexes.back() != index)
                                         indexes.push_back(index);
                                     });
  ASSERT_TRUE(created) << error_message(created.error());
  ASSERT_EQ(created->size(), 2u);
  auto chains = chain_ids(diff_ids);
  EXPECT_EQ((*created)[0].chain_id, chains[0]);
  EXPECT_EQ((*created)[1].chain_id, chains[1]);
  EXPECT_EQ((*created)[1].parent, chains[0]);
  EXPECT_EQ((*created)[1].tar_size, top.size());
  EXPECT_EQ(indexes, (std::vector<size_t>{0, 1}));
}

} // namespace
