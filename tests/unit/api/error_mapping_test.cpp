// Tests api/error_mapping: every error kind to Docker's status, and the message body.
#include <caf/sec.hpp>
#include <gtest/gtest.h>

#include "api/error_mapping.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::api;

TEST(error_mapping, kinds_map_to_docker_statuses) {
  EXPECT_EQ(status_for(make_error(errc::invalid_argument, "x")), 400);
  EXPECT_EQ(status_for(make_error(errc::unauthorized, "x")), 401);
  EXPECT_EQ(status_for(make_error(errc::forbidden, "x")), 403);
  EXPECT_EQ(status_for(make_error(errc::not_found, "x")), 404);
  EXPECT_EQ(status_for(make_error(errc::conflict, "x")), 409);
  EXPECT_EQ(status_for(make_error(errc::not_modified, "x")), 304);
  EXPECT_EQ(status_for(make_error(errc::unavailable, "x")), 503);
  EXPECT_EQ(status_for(make_error(errc::not_implemented, "x")), 501);
  EXPECT_EQ(status_for(make_error(errc::system, "x")), 500);
  EXPECT_EQ(status_for(caf::make_error(caf::sec::request_timeout)), 503);
  EXPECT_EQ(status_for(caf::make_error(caf::sec::runtime_error)), 500);
}

TEST(error_mapping, body_is_docker_shaped_and_survives_bad_utf8) {
  auto r = error_response(make_error(errc::not_found, "No such container: x"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, "{\"message\":\"No such container: x\"}\n");
  EXPECT_NO_THROW((void)error_body(std::string("bad \xff utf8")));
  auto not_modified = error_response(304, "");
  EXPECT_TRUE(not_modified.body.empty());
}

TEST(error_mapping, caf_timeouts_read_clearly) {
  EXPECT_EQ(error_message(caf::make_error(caf::sec::request_timeout)),
            "timed out waiting for an internal component");
}
