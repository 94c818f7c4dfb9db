// Tests distribution/blob_downloads: one leader per digest, followers share its outcome, a
// download nobody waits for any more is cancelled, a failed one is started over, and the
// committed blob survives garbage collection until every waiter has leased it.
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "distribution/blob_downloads.hpp"
#include "storage/content_store.hpp"

using namespace berth;
using namespace berth::distribution;
using namespace std::chrono_literals;

namespace {

class blob_downloads : public ::testing::Test {
 protected:
  blob_downloads() {
    root_ = std::filesystem::temp_directory_path() /
            ("berth-dl-" + std::to_string(::getpid()) + "-" +
             std::to_string(reinterpret_cast<uintptr_t>(this)));
    store_ = std::move(*storage::content_store::open(root_.string()));
  }
  ~blob_downloads() override { std::filesystem::remove_all(root_); }

  blob_download_table::joined join(const std::string& digest) {
    return table_.join(digest, [this] { return store_->make_lease(); });
  }

  std::filesystem::path root_;
  std::shared_ptr<storage::content_store> store_;
  blob_download_table table_;
};

const std::string digest_a = "sha256:" + std::string(64, 'a');

} // namespace

TEST_F(blob_downloads, the_first_leads_and_the_others_share_its_outcome) {
  auto leader = join(digest_a);
  auto follower = join(digest_a);
  EXPECT_TRUE(leader.leader);
  EXPECT_FALSE(follower.leader);
  EXPECT_EQ(leader.interest.get(), follower.interest.get());
  EXPECT_EQ(table_.size(), 1u);
  std::thread finisher([d = leader.interest.get()] {
    std::this_thread::sleep_for(20ms);
    d->finish({});
  });
  EXPECT_FALSE(follower.interest->wait({}));
  finisher.join();
  // Finished well and still held: a latecomer joins it rather than downloading again.
  auto late = join(digest_a);
  EXPECT_FALSE(late.leader);
  EXPECT_FALSE(late.interest->wait({}));
}

TEST_F(blob_downloads, a_failure_reaches_every_waiter_and_the_next_pull_starts_over) {
  auto leader = join(digest_a);
  auto follower = join(digest_a);
  leader.interest->finish(make_error(errc::unavailable, "connection refused"));
  EXPECT_EQ(error_message(follower.interest->wait({})), "connection refused");
  auto retry = join(digest_a);
  EXPECT_TRUE(retry.leader);
  EXPECT_NE(retry.interest.get(), leader.interest.get());
}

TEST_F(blob_downloads, a_download_nobody_waits_for_is_cancelled) {
  auto leader = join(digest_a);
  auto token = leader.interest->stop_token();
  {
    auto follower = join(digest_a);
    follower = {}; // one client leaves: the download goes on
    (void)follower;
  }
  EXPECT_FALSE(token.stop_requested());
  auto keep = leader.interest.get();
  leader.interest = {};
  EXPECT_TRUE(token.stop_requested());
  // Abandoned: the next pull leads a fresh download.
  auto next = join(digest_a);
  EXPECT_TRUE(next.leader);
  keep->finish(make_error(errc::unavailable, "operation canceled"));
}

TEST_F(blob_downloads, a_waiter_stops_waiting_when_its_own_client_leaves) {
  auto leader = join(digest_a);
  auto follower = join(digest_a);
  std::stop_source client;
  std::thread leave([&] {
    std::this_thread::sleep_for(20ms);
    client.request_stop();
  });
  auto err = follower.interest->wait(client.get_token());
  leave.join();
  EXPECT_EQ(error_message(err), "operation canceled");
  EXPECT_FALSE(leader.interest->stop_token().stop_requested());
}

TEST_F(blob_downloads, the_blob_is_leased_until_the_waiters_have_it) {
  auto leader = join(digest_a);
  auto follower = join(digest_a);
  std::string digest;
  {
    storage::content_store::lease::scope leased{leader.interest->lease()};
    digest = store_->put("blob bytes").value().digest;
  }
  auto download = leader.interest.get();
  download->finish({});
  leader.interest = {};
  (void)store_->collect_garbage({});
  EXPECT_TRUE(store_->has(digest)); // the follower still holds the download and its lease
  auto mine = store_->make_lease();
  ASSERT_FALSE(follower.interest->wait({}));
  mine->add(digest);
  follower.interest = {};
  download.reset();
  (void)store_->collect_garbage({});
  EXPECT_TRUE(store_->has(digest)); // now in the follower's own lease
  mine->release();
  (void)store_->collect_garbage({});
  EXPECT_FALSE(store_->has(digest));
}
