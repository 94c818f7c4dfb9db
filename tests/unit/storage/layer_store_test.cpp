// Tests storage/layer_store, storage/chain_id and storage/overlay_mount: layer directories,
// orphan cleanup, and an overlay of layers with whiteouts and opaque directories (needs root).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/chain_id.hpp"
#include "storage/digest.hpp"
#include "storage/layer_store.hpp"
#include "storage/overlay_mount.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

class layer_store_test : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-layers-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto s = layer_store::open(dir_ + "/overlay2");
    ASSERT_TRUE(s);
    store_ = std::move(*s);
  }
  void TearDown() override {
    (void) unmount(dir_ + "/merged");
    (void) sys::remove_all(dir_);
  }

  layer_record make_layer(const std::string& name, const std::function<void(const std::string&)>& fill) {
    auto rec = store_->create(sha256_digest(name), sha256_digest(name), "",
                              [&](const std::string& d) -> caf::expected<uint64_t> {
                                fill(d);
                                return uint64_t{42};
                              });
    EXPECT_TRUE(rec) << error_message(rec.error());
    return *rec;
  }

  static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
  static std::string read(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  std::string dir_;
  std::unique_ptr<layer_store> store_;
};

} // namespace

TEST(chain_id, follows_the_oci_definition) {
  auto a = sha256_digest("a");
  auto b = sha256_digest("b");
  auto chains = chain_ids({a, b});
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0], a);
  EXPECT_EQ(chains[1], sha256_digest(a + " " + b));
}

TEST_F(layer_store_test, creates_layers_with_links_and_removes_orphans) {
  auto l = make_layer("one", [](const std::string& d) { write(d + "/f", "x"); });
  EXPECT_EQ(l.size, 42u);
  EXPECT_EQ(read(store_->diff_dir(l) + "/f"), "x");
  EXPECT_EQ(read(store_->link_path(l) + "/f"), "x");
  EXPECT_EQ(l.link_id.size(), 26u);
  auto orphan = make_layer("two", [](const std::string&) {});
  EXPECT_EQ(store_->remove_orphans({l.cache_id}), 1u);
  EXPECT_TRUE(sys::exists(store_->diff_dir(l)));
  EXPECT_FALSE(sys::exists(store_->diff_dir(orphan)));
  EXPECT_FALSE(sys::exists(store_->link_path(orphan)));
}

TEST_F(layer_store_test, a_failing_fill_leaves_no_directory) {
  auto rec = store_->create(sha256_digest("bad"), sha256_digest("bad"), "",
                            [](const std::string&) -> caf::expected<uint64_t> {
                              return make_error(errc::invalid_argument, "broken layer");
                            });
  ASSERT_FALSE(rec);
  EXPECT_EQ(error_message(rec.error()), "broken layer");
  EXPECT_EQ(store_->remove_orphans({}), 0u);
}

TEST_F(layer_store_test, overlay_mount_applies_whiteouts_and_opaque_dirs) {
  if (::geteuid() != 0)
    GTEST_SKIP() << "needs root";
  auto lower = make_layer("lower", [](const std::string& d) {
    write(d + "/gone", "g");
    write(d + "/kept", "k");
    ::mkdir((d + "/dir").c_str(), 0755);
    write(d + "/dir/old", "o");
  });
  auto upper_layer = make_layer("upper", [](const std::string& d) {
    ASSERT_EQ(::mknod((d + "/gone").c_str(), S_IFCHR | 0600, makedev(0, 0)), 0);
    ::mkdir((d + "/dir").c_str(), 0755);
    ASSERT_EQ(::setxattr((d + "/dir").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
    write(d + "/dir/new", "n");
  });
  for (const char* sub : {"/upper", "/work", "/merged"})
    ASSERT_FALSE(sys::make_dirs(dir_ + sub));
  ASSERT_FALSE(mount_overlay({store_->link_path(upper_layer), store_->link_path(lower)},
                             dir_ + "/upper", dir_ + "/work", dir_ + "/merged"))
    << "overlay mount failed";
  EXPECT_TRUE(is_mount_point(dir_ + "/merged"));
  EXPECT_EQ(read(dir_ + "/merged/kept"), "k");
  EXPECT_FALSE(sys::exists(dir_ + "/merged/gone"));
  EXPECT_FALSE(sys::exists(dir_ + "/merged/dir/old"));
  EXPECT_EQ(read(dir_ + "/merged/dir/new"), "n");
  write(dir_ + "/merged/written", "w");
  EXPECT_EQ(read(dir_ + "/upper/written"), "w");
  ASSERT_FALSE(unmount(dir_ + "/merged"));
  EXPECT_FALSE(is_mount_point(dir_ + "/merged"));
  EXPECT_FALSE(unmount(dir_ + "/merged")); // not mounted is fine
}
