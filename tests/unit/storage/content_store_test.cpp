// Tests storage/content_store: verified ingest, no partial blobs, idempotent put, GC, crash leftovers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "base/time.hpp"
#include "storage/content_store.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

class content_store_test : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-content-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto s = content_store::open(dir_);
    ASSERT_TRUE(s);
    store_ = std::move(*s);
  }
  void TearDown() override { (void) sys::remove_all(dir_); }

  size_t ingest_files() const {
    size_t n = 0;
    auto r = run_ls(dir_ + "/ingest");
    for (char c : r)
      n += c == '\n';
    return n;
  }
  static std::string run_ls(const std::string& d) {
    std::string cmd = "ls -1 " + d + " 2>/dev/null", out;
    FILE* p = ::popen(cmd.c_str(), "r");
    char buf[256];
    while (p && fgets(buf, sizeof buf, p))
      out += buf;
    if (p)
      ::pclose(p);
    return out;
  }

  std::string dir_;
  std::unique_ptr<content_store> store_;
};

} // namespace

TEST_F(content_store_test, digests_are_sha256_of_the_content) {
  auto info = store_->put("hello");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->digest, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(info->size, 5u);
  EXPECT_TRUE(store_->has(info->digest));
  EXPECT_EQ(*store_->read(info->digest, 100), "hello");
  EXPECT_EQ(*store_->size(info->digest), 5u);
  // Idempotent: the same content is stored once.
  EXPECT_TRUE(store_->put("hello"));
  EXPECT_EQ(store_->list().size(), 1u);
}

TEST_F(content_store_test, a_mismatching_digest_leaves_nothing_behind) {
  string_source src{std::string(3 << 20, 'x')};
  auto r = store_->write(src, "sha256:" + std::string(64, '0'), 1ull << 30);
  ASSERT_FALSE(r);
  EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
  EXPECT_NE(error_message(r.error()).find("digest mismatch"), std::string::npos);
  EXPECT_TRUE(store_->list().empty());
  EXPECT_EQ(ingest_files(), 0u);
}

TEST_F(content_store_test, the_size_limit_holds_and_aborted_writers_clean_up) {
  string_source src{std::string(10000, 'y')};
  EXPECT_FALSE(store_->write(src, "", 100));
  {
    auto w = store_->ingest();
    ASSERT_TRUE(w);
    ASSERT_FALSE(w->write("partial", 7));
    EXPECT_EQ(ingest_files(), 1u);
  } // dropped without commit
  EXPECT_EQ(ingest_files(), 0u);
  EXPECT_TRUE(store_->list().empty());
}

TEST_F(content_store_test, a_writer_tells_its_digest_before_the_commit) {
  auto w = store_->ingest();
  ASSERT_TRUE(w);
  ASSERT_FALSE(w->write("hel", 3));
  ASSERT_FALSE(w->write("lo", 2));
  EXPECT_EQ(w->digest(), sha256_digest("hello"));
  EXPECT_EQ(w->digest(), sha256_digest("hello")); // asked again: the same answer
  EXPECT_TRUE(w->write("!", 1));                  // the blob ended with the digest
  auto info = w->commit(sha256_digest("hello"));
  ASSERT_TRUE(info) << error_message(info.error());
  EXPECT_EQ(info->size, 5u);
  EXPECT_EQ(*store_->read(info->digest, 100), "hello");
}

TEST_F(content_store_test, open_removes_ingest_leftovers_from_a_crash) {
  int fd = ::open((dir_ + "/ingest/leftover").c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  auto reopened = content_store::open(dir_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(ingest_files(), 0u);
}

TEST_F(content_store_test, garbage_collection_keeps_what_is_referenced) {
  auto a = *store_->put("a");
  auto b = *store_->put("bb");
  // "ccc" is stored by a job in flight: its lease protects it, also when reused by put().
  auto lease = store_->make_lease();
  storage::content_store::lease::scope scope{lease.get()};
  auto c = *store_->put("ccc");
  auto result = store_->collect_garbage({a.digest});
  EXPECT_EQ(result.removed, 1u);
  EXPECT_EQ(result.bytes, 2u);
  EXPECT_TRUE(store_->has(a.digest));
  EXPECT_FALSE(store_->has(b.digest));
  EXPECT_TRUE(store_->has(c.digest));
  lease->release();
  EXPECT_EQ(store_->collect_garbage({a.digest}).removed, 1u);
  EXPECT_FALSE(store_->has(c.digest));
  EXPECT_FALSE(store_->has("sha256:../../etc/passwd"));
}
