// Tests dockerfile/arguments: JSON forms and EXPOSE's port lists.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/arguments.hpp"

using namespace berth;
using namespace berth::dockerfile;

TEST(arguments, json_forms) {
  EXPECT_EQ(parse_json_array(" [\"a\", \"b\"] ").words, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(parse_json_array("[\"a\", 1]").form, json_form::not_strings);
  EXPECT_EQ(parse_json_array("['a']").form, json_form::not_json);
  EXPECT_EQ(parse_json_array("[\"a\"] x").form, json_form::not_json);
  EXPECT_EQ(parse_json_array("[\"\xff\"]").words, std::vector<std::string>{"\xEF\xBF\xBD"});
  EXPECT_EQ(parse_json_array("echo hi").form, json_form::not_json);
}

TEST(arguments, ports_expand_ranges) {
  auto p = parse_ports({"80", "53/udp", "8000-8002/tcp"});
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (std::vector<std::string>{"80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"}));
  EXPECT_FALSE(parse_ports({"0"}));
  EXPECT_FALSE(parse_ports({"70000"}));
  EXPECT_FALSE(parse_ports({"80/icmp"}));
}

TEST(arguments, expose_forms) {
  auto p = parse_ports({"127.0.0.1:8080:80/udp", "9000:90", "[::1]:1-2:3-4"});
  ASSERT_TRUE(p) << error_message(p.error());
  EXPECT_EQ(*p, (std::vector<std::string>{"80/udp", "90/tcp", "3/tcp", "4/tcp"}));
  EXPECT_EQ(error_message(parse_ports({"x:80"}).error()), "invalid hostPort: x");
  EXPECT_EQ(error_message(parse_ports({"/tcp"}).error()), "no port specified: /tcp<empty>");
  EXPECT_EQ(error_message(parse_ports({"1-3:4-5"}).error()),
            "invalid ranges specified for container and host Ports: 4-5 and 1-3");
}
