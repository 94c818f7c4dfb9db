// Tests net/dns_name: presentation ↔ wire form, case folding, reverse names.
#include <gtest/gtest.h>

#include "net/dns_name.hpp"

using namespace berth;
using namespace berth::net;

TEST(dns_name, renders_labels_with_escapes) {
  EXPECT_EQ(dns_labels_to_text({}), "");
  EXPECT_EQ(dns_labels_to_text({"web", "mynet"}), "web.mynet");
  EXPECT_EQ(dns_labels_to_text({"a.b", "c\\d"}), "a\\.b.c\\\\d");
  EXPECT_EQ(dns_labels_to_text({std::string("x\0y", 3), "sp ace"}), "x\\000y.sp\\032ace");
  EXPECT_EQ(dns_labels_to_text({"\xff"}), "\\255");
}

TEST(dns_name, encodes_presentation_names) {
  EXPECT_EQ(dns_text_to_wire("web.mynet"), std::string("\x03web\x05mynet\x00", 11));
  EXPECT_EQ(dns_text_to_wire("web.mynet."), dns_text_to_wire("web.mynet"));
  EXPECT_EQ(dns_text_to_wire(""), std::string(1, '\0'));
  EXPECT_EQ(dns_text_to_wire("."), std::string(1, '\0'));
  EXPECT_EQ(dns_text_to_wire("a\\.b"), std::string("\x03"
                                                   "a.b\x00",
                                                   5));
  EXPECT_EQ(dns_text_to_wire("\\065"), std::string("\x01"
                                                   "A\x00",
                                                   3));
  EXPECT_FALSE(dns_text_to_wire("a..b"));
  EXPECT_FALSE(dns_text_to_wire(".a"));
  EXPECT_FALSE(dns_text_to_wire("a.."));
  EXPECT_FALSE(dns_text_to_wire("\\25"));
  EXPECT_FALSE(dns_text_to_wire("\\256"));
  EXPECT_FALSE(dns_text_to_wire("a\\"));
  EXPECT_TRUE(dns_text_to_wire(std::string(63, 'a')));
  EXPECT_FALSE(dns_text_to_wire(std::string(64, 'a')));
  // 4 labels of 62: 4 × 63 + 1 = 253 bytes fit; one more label of 2 makes 256.
  std::string name = std::string(62, 'a') + "." + std::string(62, 'b') + "." +
                     std::string(62, 'c') + "." + std::string(62, 'd');
  ASSERT_TRUE(dns_text_to_wire(name));
  EXPECT_EQ(dns_text_to_wire(name)->size(), 253u);
  EXPECT_FALSE(dns_text_to_wire(name + ".ee"));
}

TEST(dns_name, text_and_wire_round_trip) {
  for (std::vector<std::string> labels :
       {std::vector<std::string>{"web", "MyNet"}, {"a.b", "c\\d", std::string("\0\x01\x7f", 3)}}) {
    auto wire = dns_text_to_wire(dns_labels_to_text(labels));
    ASSERT_TRUE(wire);
    std::string expected;
    for (const auto& l : labels)
      expected += static_cast<char>(l.size()) + l;
    expected += '\0';
    EXPECT_EQ(*wire, expected);
  }
}

TEST(dns_name, folds_ascii_case_only) {
  EXPECT_EQ(dns_fold_case("Web.MYNET-1_x"), "web.mynet-1_x");
  EXPECT_EQ(dns_fold_case("\xc3\x89"), "\xc3\x89");
  EXPECT_TRUE(dns_names_equal("WEB", "web"));
  EXPECT_FALSE(dns_names_equal("web", "webs"));
  EXPECT_FALSE(dns_names_equal("we[", "we{")) << "only letters fold";
}

TEST(dns_name, parses_reverse_ipv4_names) {
  EXPECT_EQ(dns_parse_reverse_ipv4("5.0.20.172.in-addr.arpa"), ipv4_address::parse("172.20.0.5"));
  EXPECT_EQ(dns_parse_reverse_ipv4("5.0.20.172.IN-ADDR.ARPA."), ipv4_address::parse("172.20.0.5"));
  EXPECT_EQ(dns_parse_reverse_ipv4("255.0.0.0.in-addr.arpa"), ipv4_address::parse("0.0.0.255"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("0.20.172.in-addr.arpa")) << "a partial (zone) name";
  EXPECT_FALSE(dns_parse_reverse_ipv4("1.5.0.20.172.in-addr.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("256.0.20.172.in-addr.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("05.0.20.172.in-addr.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("a.0.20.172.in-addr.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("5..20.172.in-addr.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("in-addr.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("5.0.20.172.ip6.arpa"));
  EXPECT_FALSE(dns_parse_reverse_ipv4("web"));
}
