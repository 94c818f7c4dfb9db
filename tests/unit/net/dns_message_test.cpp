// Tests net/dns_message: parsing queries and replies, building answers, hostile inputs.
#include <random>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "net/dns_message.hpp"
#include "tests/unit/net/dns_test_support.hpp"

using namespace berth;
using namespace berth::net;
using namespace berth::net::testing;

namespace {

ipv4_address ip(std::string_view text) {
  return *ipv4_address::parse(text);
}

dns_message parsed(const query_spec& spec) {
  auto bytes = make_query(spec);
  auto q = parse_dns_query(bytes);
  EXPECT_TRUE(q) << error_message(q.error());
  return *q;
}

std::vector<ipv4_address> many_addresses(size_t n) {
  std::vector<ipv4_address> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(ipv4_address{0x0a000000u + static_cast<uint32_t>(i)});
  return out;
}

// A query whose answer section holds `record` (raw bytes after the question): lets the tests
// place compression pointers at known offsets.
std::vector<uint8_t> query_with_answer_record(const std::vector<uint8_t>& record) {
  auto bytes = make_query({.name = "example.com"}); // question name at offset 12
  bytes[7] = 1;                                     // ANCOUNT = 1
  bytes.insert(bytes.end(), record.begin(), record.end());
  return bytes;
}

std::vector<uint8_t> a_record_owned_by(std::vector<uint8_t> owner) {
  put16(owner, dns_type::a);
  put16(owner, dns_class_in);
  put32(owner, 60);
  put16(owner, 4);
  put32(owner, 0x0a000001);
  return owner;
}

} // namespace

TEST(dns_message, parses_a_query) {
  auto q = parsed({.id = 0xbeef, .name = "Web.MyNet", .type = dns_type::aaaa});
  EXPECT_EQ(q.header.id, 0xbeef);
  EXPECT_FALSE(q.header.is_response());
  EXPECT_TRUE(q.header.recursion_desired());
  EXPECT_EQ(q.header.opcode(), 0);
  EXPECT_EQ(q.question.name, "Web.MyNet"); // case kept: the answer must echo it
  EXPECT_EQ(q.question.wire_name, std::string("\x03Web\x05MyNet\x00", 11));
  EXPECT_EQ(q.question.type, dns_type::aaaa);
  EXPECT_EQ(q.question.qclass, dns_class_in);
  EXPECT_FALSE(q.edns);
}

TEST(dns_message, parses_edns) {
  auto q = parsed({.edns_size = 4096, .dnssec_ok = true});
  ASSERT_TRUE(q.edns);
  EXPECT_EQ(q.edns->udp_size, 4096);
  EXPECT_EQ(q.edns->version, 0);
  EXPECT_TRUE(q.edns->dnssec_ok);
}

TEST(dns_message, a_response_round_trip) {
  auto q = parsed({.id = 7, .name = "WEB"});
  std::vector<ipv4_address> addresses{ip("172.20.0.5"), ip("172.20.0.6")};
  auto bytes = build_dns_a_response(q, addresses, dns_response_limit(q, dns_transport::udp));
  auto reply = parse_dns_reply(bytes);
  ASSERT_TRUE(reply) << error_message(reply.error());
  EXPECT_EQ(reply->header.id, 7);
  EXPECT_TRUE(reply->header.is_response());
  EXPECT_EQ(reply->header.rcode(), 0);
  EXPECT_FALSE(reply->header.truncated());
  EXPECT_TRUE(reply->header.flags & 0x0080) << "RA";
  EXPECT_TRUE(reply->header.recursion_desired());
  EXPECT_EQ(reply->question.name, "WEB");
  auto m = decode(bytes);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->answers.size(), 2u);
  for (const auto& r : m->answers) {
    EXPECT_EQ(r.name, "WEB"); // compressed: points at the question
    EXPECT_EQ(r.type, dns_type::a);
    EXPECT_EQ(r.rclass, dns_class_in);
    EXPECT_EQ(r.ttl, 600u);
  }
  EXPECT_EQ(m->addresses(), addresses);
  EXPECT_TRUE(m->additional.empty());
}

TEST(dns_message, error_responses_echo_id_and_question) {
  auto q = parsed({.id = 99, .name = "nowhere.example", .type = dns_type::a});
  for (auto rcode : {dns_rcode::name_error, dns_rcode::server_failure, dns_rcode::refused,
                     dns_rcode::no_error, dns_rcode::not_implemented}) {
    auto m = decode(build_dns_response(q, rcode));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->header.id, 99);
    EXPECT_EQ(m->header.rcode(), static_cast<uint8_t>(rcode));
    EXPECT_TRUE(m->header.is_response());
    EXPECT_EQ(m->header.question_count, 1);
    EXPECT_EQ(m->question_name, "nowhere.example");
    EXPECT_EQ(m->question_type, dns_type::a);
    EXPECT_TRUE(m->answers.empty());
  }
}

TEST(dns_message, edns_queries_get_an_opt_record_back) {
  auto q = parsed({.edns_size = 4096, .dnssec_ok = true});
  auto m = decode(build_dns_a_response(q, many_addresses(1), 4096));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->additional.size(), 1u);
  const auto& opt = m->additional[0];
  EXPECT_EQ(opt.type, dns_type::opt);
  EXPECT_EQ(opt.name, "");
  EXPECT_EQ(opt.rclass, dns_edns_udp_size);
  EXPECT_EQ(opt.ttl, 0x8000u) << "DO copied, version 0, no extended rcode";
}

TEST(dns_message, bad_version_uses_the_extended_rcode) {
  auto q = parsed({.edns_size = 1232, .edns_version = 1});
  auto m = decode(build_dns_response(q, dns_rcode::bad_version));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.rcode(), 0);
  ASSERT_EQ(m->additional.size(), 1u);
  EXPECT_EQ(m->additional[0].ttl >> 24, 1u) << "BADVERS = 16 = (1 << 4) | 0";
}

TEST(dns_message, truncates_udp_answers_to_the_limit) {
  auto q = parsed({.name = "many"});
  auto addresses = many_addresses(100);
  auto udp = build_dns_a_response(q, addresses, dns_response_limit(q, dns_transport::udp));
  EXPECT_LE(udp.size(), 512u);
  auto m = decode(udp);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->header.truncated());
  EXPECT_EQ(m->answers.size(), (512u - 12 - 10) / 16); // header, question "many" + type/class
  EXPECT_GT(m->answers.size(), 0u);

  auto tcp = decode(build_dns_a_response(q, addresses, dns_response_limit(q, dns_transport::tcp)));
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tcp->header.truncated());
  EXPECT_EQ(tcp->answers.size(), 100u);

  auto fits = decode(build_dns_a_response(q, many_addresses(5), 512));
  ASSERT_TRUE(fits);
  EXPECT_FALSE(fits->header.truncated());
}

TEST(dns_message, response_limit_follows_edns) {
  EXPECT_EQ(dns_response_limit(parsed({}), dns_transport::udp), 512u);
  EXPECT_EQ(dns_response_limit(parsed({.edns_size = 4096}), dns_transport::udp), 4096u);
  EXPECT_EQ(dns_response_limit(parsed({.edns_size = 65535}), dns_transport::udp), 65535u);
  EXPECT_EQ(dns_response_limit(parsed({.edns_size = 100}), dns_transport::udp), 512u);
  EXPECT_EQ(dns_response_limit(parsed({.edns_size = 800}), dns_transport::udp), 800u);
  EXPECT_EQ(dns_response_limit(parsed({}), dns_transport::tcp), 65535u);
  auto q = parsed({.edns_size = 1232});
  auto m = build_dns_a_response(q, many_addresses(200), dns_response_limit(q, dns_transport::udp));
  EXPECT_LE(m.size(), 1232u);
  EXPECT_GT(m.size(), 1232u - 16);
}

TEST(dns_message, truncated_and_format_error_responses) {
  auto q = parsed({.id = 5});
  auto tc = decode(build_dns_truncated_response(q));
  ASSERT_TRUE(tc);
  EXPECT_TRUE(tc->header.truncated());
  EXPECT_TRUE(tc->answers.empty());
  EXPECT_EQ(tc->question_name, "web");

  auto header = parse_dns_header(make_query({.id = 0x4242}));
  auto fe = build_dns_format_error(*header);
  ASSERT_EQ(fe.size(), 12u);
  auto m = decode(fe);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->header.id, 0x4242);
  EXPECT_EQ(m->header.rcode(), 1);
  EXPECT_TRUE(m->header.is_response());
  EXPECT_EQ(m->header.question_count, 0);
}

TEST(dns_message, ptr_response) {
  auto q = parsed({.name = "5.0.20.172.in-addr.arpa", .type = dns_type::ptr});
  auto m = decode(build_dns_ptr_response(q, "web.mynet", 512));
  ASSERT_TRUE(m);
  ASSERT_EQ(m->answers.size(), 1u);
  EXPECT_EQ(m->answers[0].type, dns_type::ptr);
  EXPECT_EQ(m->answers[0].name, "5.0.20.172.in-addr.arpa");
  EXPECT_EQ(std::string(m->answers[0].rdata.begin(), m->answers[0].rdata.end()),
            std::string("\x03web\x05mynet\x00", 11));
  auto bad = decode(build_dns_ptr_response(q, "a..b", 512));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->header.rcode(), 2) << "an invalid target is a server failure, not garbage";
}

TEST(dns_message, id_helpers) {
  auto bytes = make_query({.id = 0x0102});
  EXPECT_EQ(dns_message_id(bytes), 0x0102);
  set_dns_message_id(bytes, 0xa0b0);
  EXPECT_EQ(dns_message_id(bytes), 0xa0b0);
}

TEST(dns_message, follows_backward_compression_pointers) {
  // "mail" + pointer to the question's "example.com" at offset 12.
  auto q = parse_dns_query(
      query_with_answer_record(a_record_owned_by({4, 'm', 'a', 'i', 'l', 0xc0, 12})));
  EXPECT_TRUE(q) << error_message(q.error());
  // A chain: pointer → pointer → question is fine while every hop goes backwards. The first
  // record's owner sits at offset 29 (after the 17-byte question).
  auto first = a_record_owned_by({0xc0, 12});
  auto bytes = query_with_answer_record(first);
  bytes[7] = 2;
  auto second = a_record_owned_by({2, 'x', 'y', 0xc0, 29});
  bytes.insert(bytes.end(), second.begin(), second.end());
  auto chained = parse_dns_query(bytes);
  EXPECT_TRUE(chained) << error_message(chained.error());
  // The question itself may point into the header: followed, bounded, harmless. The id 0x0161
  // reads as the label "a", then the flags' high byte 0 ends the name.
  std::vector<uint8_t> odd{0x01, 'a', 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0, 1, 0, 1};
  auto odd_query = parse_dns_query(odd);
  ASSERT_TRUE(odd_query) << error_message(odd_query.error());
  EXPECT_EQ(odd_query->question.name, "a");
  EXPECT_EQ(odd_query->question.wire_name, std::string("\x01"
                                                       "a\x00",
                                                       3));
}

TEST(dns_message, rejects_pointer_loops_and_forward_pointers) {
  // The question's name pointing at itself.
  std::vector<uint8_t> self_loop{0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  EXPECT_FALSE(parse_dns_query(self_loop));
  // A label then a pointer back to that same label: a loop through a run.
  EXPECT_FALSE(parse_dns_query(query_with_answer_record(a_record_owned_by({1, 'a', 0xc0, 29}))));
  // Two records pointing at each other: the first points forward.
  auto bytes = query_with_answer_record(a_record_owned_by({0xc0, 47}));
  bytes[7] = 2;
  auto second = a_record_owned_by({0xc0, 29});
  bytes.insert(bytes.end(), second.begin(), second.end());
  EXPECT_FALSE(parse_dns_query(bytes));
  // A pointer past the end of the message.
  EXPECT_FALSE(parse_dns_query(query_with_answer_record(a_record_owned_by({0xff, 0xff}))));
}

TEST(dns_message, rejects_malformed_queries) {
  auto good = make_query({.name = "example.com", .edns_size = 1232});
  ASSERT_TRUE(parse_dns_query(good));
  // Every strict prefix is truncated somewhere.
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(parse_dns_query(std::span(good.data(), n))) << "prefix of " << n << " bytes";
  EXPECT_FALSE(parse_dns_header(std::span(good.data(), 11)));

  auto with = [&](auto change) {
    auto bytes = good;
    change(bytes);
    return parse_dns_query(bytes);
  };
  EXPECT_FALSE(with([](auto& b) { b[2] |= 0x80; })) << "a response is not a query";
  EXPECT_FALSE(with([](auto& b) { b[5] = 0; })) << "no question";
  EXPECT_FALSE(with([](auto& b) { b[5] = 2; })) << "two questions";
  EXPECT_FALSE(with([](auto& b) { b[12] = 0x40; })) << "extended label type";
  EXPECT_FALSE(with([](auto& b) { b[12] = 0x80; })) << "reserved label type";
  EXPECT_FALSE(with([](auto& b) { b[12] = 63; })) << "label longer than the message";
  EXPECT_FALSE(with([](auto& b) { b[11] = 2; })) << "an OPT record that is not there";
  EXPECT_FALSE(with([](auto& b) {
    auto opt = std::vector<uint8_t>(b.end() - 11, b.end());
    b.insert(b.end(), opt.begin(), opt.end());
    b[11] = 2;
  })) << "two OPT records";
  EXPECT_FALSE(with([](auto& b) {
    b[7] = 1; // the OPT record counted as an answer
    b[11] = 0;
  })) << "OPT outside the additional section";

  // Names longer than 255 bytes: five labels of 60.
  std::vector<uint8_t> long_name{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 5; ++i) {
    long_name.push_back(60);
    long_name.insert(long_name.end(), 60, 'a');
  }
  long_name.insert(long_name.end(), {0, 0, 1, 0, 1});
  EXPECT_FALSE(parse_dns_query(long_name));

  std::vector<uint8_t> huge(70000, 0);
  huge[5] = 1;
  EXPECT_FALSE(parse_dns_query(huge)) << "longer than any DNS message";
}

TEST(dns_message, reply_parsing_checks_the_basics) {
  auto q = parsed({.name = "example.com"});
  auto response = build_dns_a_response(q, many_addresses(2), 512);
  ASSERT_TRUE(parse_dns_reply(response));
  EXPECT_FALSE(parse_dns_reply(make_query({}))) << "a query is not a reply";
  for (size_t n = 0; n < 29; ++n) // header and question cut short
    EXPECT_FALSE(parse_dns_reply(std::span(response.data(), n)));
}

// Fuzz-like: random and mutated messages never crash the parsers, and whatever parses can be
// answered with a well-formed response that echoes the question.
TEST(dns_message, survives_random_and_mutated_inputs) {
  std::mt19937 rng(20240611);
  auto check = [](std::span<const uint8_t> bytes) {
    (void)parse_dns_header(bytes);
    (void)parse_dns_reply(bytes);
    auto q = parse_dns_query(bytes);
    if (!q) return;
    for (auto transport : {dns_transport::udp, dns_transport::tcp}) {
      auto limit = dns_response_limit(*q, transport);
      auto response = build_dns_a_response(*q, many_addresses(40), limit);
      ASSERT_LE(response.size(), limit);
      auto reply = parse_dns_reply(response);
      ASSERT_TRUE(reply) << error_message(reply.error());
      EXPECT_EQ(reply->question.wire_name, q->question.wire_name);
      EXPECT_EQ(reply->header.id, q->header.id);
      ASSERT_TRUE(decode(response));
      ASSERT_TRUE(decode(build_dns_response(*q, dns_rcode::server_failure)));
    }
  };
  for (int i = 0; i < 4000; ++i) {
    std::vector<uint8_t> bytes(rng() % 600);
    for (auto& b : bytes)
      b = static_cast<uint8_t>(rng());
    if (bytes.size() >= 12 && i % 2 == 0) { // plausible header: QDCOUNT 1, few records
      bytes[2] &= 0x7f;
      bytes[4] = 0;
      bytes[5] = 1;
      bytes[6] = bytes[8] = bytes[10] = 0;
      bytes[7] = static_cast<uint8_t>(bytes[7] % 3);
      bytes[9] = static_cast<uint8_t>(bytes[9] % 3);
      bytes[11] = static_cast<uint8_t>(bytes[11] % 3);
    }
    check(bytes);
  }
  const std::vector<std::vector<uint8_t>> seeds{
      make_query({.name = "example.com", .edns_size = 1232}),
      make_query({.name = "a.b.c.d.e.f", .type = dns_type::ptr}),
      query_with_answer_record(a_record_owned_by({4, 'm', 'a', 'i', 'l', 0xc0, 12}))};
  for (int i = 0; i < 6000; ++i) {
    auto bytes = seeds[static_cast<size_t>(i) % seeds.size()];
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[rng() % bytes.size()] = static_cast<uint8_t>(rng());
    if (rng() % 4 == 0) bytes.resize(rng() % bytes.size());
    check(bytes);
  }
}
