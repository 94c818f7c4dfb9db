// Tests actors/container_names: dockerd's name rule and generated names.
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "actors/container_names.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

TEST(container_names, dockerds_rule) {
  for (const char* good : {"web", "a1", "my_app.v2-blue", "00", "X.Y"})
    EXPECT_FALSE(validate_container_name(good)) << good;
  for (const char* bad : {"a", "", "-web", "_web", ".web", "bad name", "a/b", "é1"}) {
    auto err = validate_container_name(bad);
    ASSERT_TRUE(err) << bad;
    EXPECT_EQ(error_kind(err), errc::invalid_argument);
    EXPECT_EQ(error_message(err), std::string("Invalid container name (") + bad +
                                      "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  }
}

TEST(container_names, generated_names_are_valid_and_avoid_taken_ones) {
  std::set<std::string> taken;
  std::regex shape("^[a-z]+_[a-z]+[0-9]*$");
  for (int i = 0; i < 200; ++i) {
    auto name = generate_container_name([&](const std::string& n) { return taken.count(n) > 0; });
    EXPECT_TRUE(std::regex_match(name, shape)) << name;
    EXPECT_FALSE(validate_container_name(name));
    EXPECT_TRUE(taken.insert(name).second) << name;
  }
}
