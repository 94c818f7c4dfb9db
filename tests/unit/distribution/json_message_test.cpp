// Tests distribution/json_message and progress_output: Docker's message lines, the progress bar
// dockerd's jsonmessage renders, and the reporter's statuses and throttling.
#include <thread>

#include <gtest/gtest.h>

#include "distribution/json_message.hpp"
#include "distribution/progress_output.hpp"
#include "recording_output.hpp"
#include "storage/image_index.hpp"

using namespace berth::distribution;

TEST(json_message, plain_messages_have_no_progress_detail) {
  json_message m;
  m.id = "1";
  m.status = "Pulling from library/busybox";
  EXPECT_EQ(format_json_message(m),
            "{\"status\":\"Pulling from library/busybox\",\"id\":\"1\"}\r\n");
}

TEST(json_message, layer_statuses_carry_an_empty_progress_detail) {
  json_message m;
  m.id = "a3ed95caeb02";
  m.status = "Pull complete";
  m.progress = progress_detail{};
  EXPECT_EQ(format_json_message(m),
            "{\"status\":\"Pull complete\",\"progressDetail\":{},\"id\":\"a3ed95caeb02\"}\r\n");
}

TEST(json_message, progress_has_detail_and_bar_in_dockerds_field_order) {
  json_message m;
  m.id = "a3ed95caeb02";
  m.status = "Downloading";
  m.progress = progress_detail{1234567, 4567890};
  EXPECT_EQ(
      format_json_message(m),
      "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1234567,\"total\":4567890},"
      "\"progress\":\"[=============>                                     ]  1.235MB/4.568MB\","
      "\"id\":\"a3ed95caeb02\"}\r\n");
}

TEST(json_message, errors_and_aux) {
  json_message e;
  e.error = "manifest unknown";
  EXPECT_EQ(
      format_json_message(e),
      "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\r\n");
  json_message a;
  a.aux = nlohmann::ordered_json{{"Tag", "1"}, {"Digest", "sha256:ab"}, {"Size", 528}};
  EXPECT_EQ(format_json_message(a),
            "{\"aux\":{\"Tag\":\"1\",\"Digest\":\"sha256:ab\",\"Size\":528}}\r\n");
}

TEST(json_message, progress_bar_like_jsonmessage) {
  EXPECT_EQ(progress_bar({0, 0}), "");
  EXPECT_EQ(progress_bar({512, 0}), "    512B");
  EXPECT_EQ(progress_bar({0, 1000}),
            "[>                                                  ]       0B/1kB");
  EXPECT_EQ(progress_bar({1000, 1000}),
            "[==================================================>]      1kB/1kB");
  // More than the total: the numbers without the total, the bar full.
  EXPECT_EQ(progress_bar({2000, 1000}),
            "[==================================================>]      2kB");
}

TEST(progress_reporter, statuses_and_messages) {
  auto out = std::make_shared<recording_output>();
  progress_reporter r{out};
  r.message("1", "Pulling from app");
  r.status("abc", "Pulling fs layer");
  auto got = out->messages();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FALSE(got[0].progress);
  ASSERT_TRUE(got[1].progress);
  EXPECT_EQ(got[1].progress->total, 0u);
}

TEST(progress_reporter, byte_progress_is_throttled_per_layer_but_keeps_first_and_last) {
  auto out = std::make_shared<recording_output>();
  progress_reporter r{out};
  for (uint64_t i = 1; i <= 1000; ++i) {
    r.progress("a", "Downloading", i, 1000);
    r.progress("b", "Downloading", i, 1000);
  }
  auto got = out->messages();
  // First and last of each layer: everything in between came within 100 ms.
  EXPECT_LE(got.size(), 6u);
  EXPECT_GE(got.size(), 4u);
  EXPECT_EQ(got.back().progress->current, 1000u);
  EXPECT_FALSE(out->droppable().back()); // the last update is never dropped
  // After the interval another update goes through.
  std::this_thread::sleep_for(progress_interval + std::chrono::milliseconds(20));
  r.progress("a", "Extracting", 10, 1000);
  r.progress("a", "Downloading", 999, 1000);
  EXPECT_EQ(out->messages().size(), got.size() + 2);
}

TEST(progress_reporter, retry_texts_and_short_ids) {
  EXPECT_EQ(retrying_in(std::chrono::milliseconds(1000)), "Retrying in 1 second");
  EXPECT_EQ(retrying_in(std::chrono::milliseconds(4500)), "Retrying in 5 seconds");
  EXPECT_EQ(berth::storage::short_id(
                "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"),
            "a3ed95caeb02");
}
