// Test helpers for the embedded DNS server: building queries byte by byte and decoding
// responses independently of the codec under test.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/ipv4.hpp"
#include "net/dns_message.hpp"
#include "net/dns_name.hpp"

namespace berth::net::testing {

inline void put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

inline void put32(std::vector<uint8_t>& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v & 0xffff));
}

struct query_spec {
  uint16_t id = 0x1234;
  std::string name = "web";
  uint16_t type = dns_type::a;
  uint16_t qclass = dns_class_in;
  uint16_t flags = 0x0100; // RD
  std::optional<uint16_t> edns_size;
  uint8_t edns_version = 0;
  bool dnssec_ok = false;
};

/// A query as a stub resolver sends it: header, one question, an OPT record when asked for.
inline std::vector<uint8_t> make_query(const query_spec& spec) {
  std::vector<uint8_t> out;
  put16(out, spec.id);
  put16(out, spec.flags);
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, spec.edns_size ? 1 : 0);
  auto wire = dns_text_to_wire(spec.name);
  out.insert(out.end(), wire->begin(), wire->end());
  put16(out, spec.type);
  put16(out, spec.qclass);
  if (spec.edns_size) {
    out.push_back(0);
    put16(out, dns_type::opt);
    put16(out, *spec.edns_size);
    put32(out, uint32_t{spec.edns_version} << 16 | (spec.dnssec_ok ? 0x8000u : 0u));
    put16(out, 0);
  }
  return out;
}

struct decoded_record {
  std::string name;
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  std::vector<uint8_t> rdata;
  size_t rdata_offset = 0;
};

struct decoded_message {
  dns_header header;
  std::string question_name;
  uint16_t question_type = 0;
  uint16_t question_class = 0;
  std::vector<decoded_record> answers;
  std::vector<decoded_record> authority;
  std::vector<decoded_record> additional;

  [[nodiscard]] std::vector<ipv4_address> addresses() const {
    std::vector<ipv4_address> out;
    for (const auto& r : answers)
      if (r.type == dns_type::a && r.rdata.size() == 4)
        out.push_back(ipv4_address{uint32_t{r.rdata[0]} << 24 | uint32_t{r.rdata[1]} << 16 |
                                   uint32_t{r.rdata[2]} << 8 | r.rdata[3]});
    return out;
  }
};

/// A straightforward decoder for well-formed messages (what the server sends); nullopt otherwise.
class message_decoder {
 public:
  explicit message_decoder(std::span<const uint8_t> bytes) : b_(bytes) {}

  std::optional<decoded_message> decode() {
    decoded_message m;
    auto header = parse_dns_header(b_);
    if (!header) return std::nullopt;
    m.header = *header;
    pos_ = 12;
    for (int i = 0; i < header->question_count; ++i) {
      auto name = name_at(pos_, pos_);
      if (!name || !u16(m.question_type) || !u16(m.question_class)) return std::nullopt;
      m.question_name = *name;
    }
    if (!records(header->answer_count, m.answers) ||
        !records(header->authority_count, m.authority) ||
        !records(header->additional_count, m.additional) || pos_ != b_.size())
      return std::nullopt;
    return m;
  }

  /// The name at `at` (following pointers), and where the reader continues.
  std::optional<std::string> name_at(size_t at, size_t& next) const {
    std::vector<std::string> labels;
    bool jumped = false;
    for (int steps = 0; steps < 300; ++steps) {
      if (at >= b_.size()) return std::nullopt;
      uint8_t len = b_[at];
      if ((len & 0xc0) == 0xc0) {
        if (at + 1 >= b_.size()) return std::nullopt;
        if (!jumped) next = at + 2;
        jumped = true;
        at = size_t(len & 0x3f) << 8 | b_[at + 1];
        continue;
      }
      if (len == 0) {
        if (!jumped) next = at + 1;
        return dns_labels_to_text(labels);
      }
      if (at + 1 + len > b_.size()) return std::nullopt;
      labels.emplace_back(reinterpret_cast<const char*>(&b_[at + 1]), len);
      at += 1 + len;
    }
    return std::nullopt;
  }

 private:
  bool u16(uint16_t& v) {
    if (pos_ + 2 > b_.size()) return false;
    v = static_cast<uint16_t>(b_[pos_] << 8 | b_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool records(int count, std::vector<decoded_record>& out) {
    for (int i = 0; i < count; ++i) {
      decoded_record r;
      auto name = name_at(pos_, pos_);
      uint16_t ttl_hi = 0, ttl_lo = 0, rdlength = 0;
      if (!name || !u16(r.type) || !u16(r.rclass) || !u16(ttl_hi) || !u16(ttl_lo) ||
          !u16(rdlength) || pos_ + rdlength > b_.size())
        return false;
      r.name = *name;
      r.ttl = uint32_t{ttl_hi} << 16 | ttl_lo;
      r.rdata_offset = pos_;
      r.rdata.assign(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
                     b_.begin() + static_cast<std::ptrdiff_t>(pos_ + rdlength));
      pos_ += rdlength;
      out.push_back(std::move(r));
    }
    return true;
  }

  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

inline std::optional<decoded_message> decode(std::span<const uint8_t> bytes) {
  return message_decoder(bytes).decode();
}

} // namespace berth::net::testing
