// DNS message codec: defensive parsing of queries and replies, building the server's answers.
#include "net/dns_message.hpp"

#include <algorithm>

#include "base/error.hpp"
#include "net/dns_name.hpp"

namespace berth::net {

namespace {

constexpr size_t header_size = 12;
// Offset of the question's name in every message we build: answers point back to it.
constexpr uint16_t question_name_pointer = 0xc000 | header_size;
// A compression pointer, type, class, TTL and RDLENGTH.
constexpr size_t answer_fixed_size = 2 + 2 + 2 + 4 + 2;
// Root name, type, class, TTL and RDLENGTH of an OPT record without options.
constexpr size_t opt_record_size = 1 + 2 + 2 + 4 + 2;
// Pointers only go backwards, so a name has at most as many as it has bytes; this cap is a second,
// cheaper bound against hostile messages.
constexpr int max_pointer_jumps = 64;

constexpr uint16_t flag_response = 0x8000;
constexpr uint16_t flag_truncated = 0x0200;
constexpr uint16_t flag_recursion_desired = 0x0100;
constexpr uint16_t flag_recursion_available = 0x0080;
constexpr uint16_t flag_checking_disabled = 0x0010;
constexpr uint32_t edns_flag_dnssec_ok = 0x8000;

caf::error malformed(std::string what) {
  return make_error(errc::invalid_argument, "malformed DNS message: " + std::move(what));
}

// Bounds-checked big-endian reads over one message.
class reader {
 public:
  explicit reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

  [[nodiscard]] size_t position() const { return pos_; }
  [[nodiscard]] size_t remaining() const { return bytes_.size() - pos_; }
  [[nodiscard]] std::span<const uint8_t> bytes() const { return bytes_; }
  void seek(size_t pos) { pos_ = pos; }

  bool u16(uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<uint16_t>(bytes_[pos_] << 8 | bytes_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(uint32_t& out) {
    uint16_t hi = 0;
    uint16_t lo = 0;
    if (!u16(hi) || !u16(lo)) return false;
    out = uint32_t{hi} << 16 | lo;
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

// Reads a possibly compressed name at the reader's position and leaves the reader after it.
// A pointer must point before the start of the label run that contains it, so every jump moves
// strictly backwards: loops are impossible and the walk ends in at most `size` steps.
caf::expected<std::vector<std::string>> read_name(reader& in) {
  auto msg = in.bytes();
  size_t pos = in.position();
  size_t run_start = pos;
  std::optional<size_t> after_name; // where the reader continues: after the first pointer
  size_t wire_length = 1;           // the final zero octet
  int jumps = 0;
  std::vector<std::string> labels;
  while (true) {
    if (pos >= msg.size()) return malformed("name runs past the end");
    uint8_t length = msg[pos];
    if ((length & 0xc0) == 0xc0) {
      if (pos + 1 >= msg.size()) return malformed("compression pointer runs past the end");
      size_t target = static_cast<size_t>(length & 0x3f) << 8 | msg[pos + 1];
      if (target >= run_start) return malformed("compression pointer does not point backwards");
      if (++jumps > max_pointer_jumps) return malformed("too many compression pointers");
      if (!after_name) after_name = pos + 2;
      pos = run_start = target;
      continue;
    }
    if ((length & 0xc0) != 0) return malformed("unsupported label type");
    if (length == 0) {
      in.seek(after_name.value_or(pos + 1));
      return labels;
    }
    wire_length += 1 + length;
    if (wire_length > dns_max_name_wire_length) return malformed("name longer than 255 bytes");
    if (msg.size() - pos - 1 < length) return malformed("label runs past the end");
    labels.emplace_back(reinterpret_cast<const char*>(msg.data() + pos + 1), length);
    pos += 1 + length;
  }
}

std::string labels_to_wire(const std::vector<std::string>& labels) {
  std::string wire;
  for (const auto& label : labels) {
    wire += static_cast<char>(label.size());
    wire += label;
  }
  wire += '\0';
  return wire;
}

caf::expected<dns_header> read_header(std::span<const uint8_t> message) {
  if (message.size() > dns_max_message_size) return malformed("longer than 65535 bytes");
  auto header = parse_dns_header(message);
  if (!header) return malformed("shorter than a header");
  if (header->question_count != 1)
    return malformed("expected one question, got " + std::to_string(header->question_count));
  return *header;
}

caf::expected<dns_question> read_question(reader& in) {
  auto labels = read_name(in);
  if (!labels) return labels.error();
  dns_question q;
  if (!in.u16(q.type) || !in.u16(q.qclass)) return malformed("question runs past the end");
  q.name = dns_labels_to_text(*labels);
  q.wire_name = labels_to_wire(*labels);
  return q;
}

// Reads one resource record; an OPT record in the additional section fills `edns`.
caf::error read_record(reader& in, bool additional, std::optional<dns_edns>& edns) {
  auto owner = read_name(in);
  if (!owner) return owner.error();
  uint16_t type = 0;
  uint16_t rclass = 0;
  uint32_t ttl = 0;
  uint16_t rdlength = 0;
  if (!in.u16(type) || !in.u16(rclass) || !in.u32(ttl) || !in.u16(rdlength) || !in.skip(rdlength))
    return malformed("record runs past the end");
  if (type != dns_type::opt) return {};
  if (!additional || !owner->empty()) return malformed("misplaced OPT record");
  if (edns) return malformed("more than one OPT record");
  edns = dns_edns{.udp_size = rclass,
                  .version = static_cast<uint8_t>(ttl >> 16 & 0xff),
                  .dnssec_ok = (ttl & edns_flag_dnssec_ok) != 0};
  return {};
}

void put_u16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v & 0xffff));
}

void patch_u16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v & 0xff);
}

// The header flags of our reply: QR, the query's opcode, RD and CD echoed, RA (we forward).
uint16_t reply_flags(const dns_header& query, dns_rcode rcode) {
  auto flags =
      static_cast<uint16_t>(flag_response | (query.flags & 0x7800) | flag_recursion_available |
                            (query.flags & (flag_recursion_desired | flag_checking_disabled)));
  return static_cast<uint16_t>(flags | (static_cast<uint16_t>(rcode) & 0xf));
}

// Header and question of a reply; records are appended by the caller, then finish_reply().
std::vector<uint8_t> start_reply(const dns_message& query, dns_rcode rcode) {
  std::vector<uint8_t> out;
  out.reserve(dns_classic_udp_size);
  put_u16(out, query.header.id);
  put_u16(out, reply_flags(query.header, rcode));
  put_u16(out, 1); // the question is echoed
  put_u16(out, 0); // answers: patched by finish_reply
  put_u16(out, 0);
  put_u16(out, query.edns ? 1 : 0);
  out.insert(out.end(), query.question.wire_name.begin(), query.question.wire_name.end());
  put_u16(out, query.question.type);
  put_u16(out, query.question.qclass);
  return out;
}

// Sets the answer count and TC, and appends our OPT record when the query had one (RFC 6891 §7).
void finish_reply(std::vector<uint8_t>& out, const dns_message& query, dns_rcode rcode,
                  uint16_t answers, bool truncated) {
  patch_u16(out, 6, answers);
  if (truncated) out[2] = static_cast<uint8_t>(out[2] | (flag_truncated >> 8));
  if (!query.edns) return;
  out.push_back(0); // root owner
  put_u16(out, dns_type::opt);
  put_u16(out, static_cast<uint16_t>(dns_edns_udp_size));
  uint32_t extended_rcode = static_cast<uint32_t>(static_cast<uint16_t>(rcode) >> 4) << 24;
  put_u32(out, extended_rcode | (query.edns->dnssec_ok ? edns_flag_dnssec_ok : 0));
  put_u16(out, 0); // no options
}

// How many records of `record_size` bytes fit after the header, question and OPT record.
size_t records_that_fit(const dns_message& query, size_t record_size, size_t max_size) {
  size_t fixed =
      header_size + query.question.wire_name.size() + 4 + (query.edns ? opt_record_size : 0);
  return max_size > fixed ? (max_size - fixed) / record_size : 0;
}

void put_answer_header(std::vector<uint8_t>& out, uint16_t type, uint32_t ttl, uint16_t rdlength) {
  put_u16(out, question_name_pointer);
  put_u16(out, type);
  put_u16(out, dns_class_in);
  put_u32(out, ttl);
  put_u16(out, rdlength);
}

} // namespace

std::optional<dns_header> parse_dns_header(std::span<const uint8_t> message) {
  reader in(message);
  dns_header h;
  if (!in.u16(h.id) || !in.u16(h.flags) || !in.u16(h.question_count) || !in.u16(h.answer_count) ||
      !in.u16(h.authority_count) || !in.u16(h.additional_count))
    return std::nullopt;
  return h;
}

caf::expected<dns_message> parse_dns_query(std::span<const uint8_t> message) {
  auto header = read_header(message);
  if (!header) return header.error();
  if (header->is_response()) return malformed("not a query");
  reader in(message);
  in.seek(header_size);
  auto question = read_question(in);
  if (!question) return question.error();
  dns_message query{.header = *header, .question = std::move(*question)};
  // Each record takes at least 11 bytes, so these loops end within the message's length.
  size_t records = size_t{header->answer_count} + header->authority_count;
  for (size_t i = 0; i < records + header->additional_count; ++i)
    if (auto err = read_record(in, i >= records, query.edns)) return err;
  return query;
}

caf::expected<dns_message> parse_dns_reply(std::span<const uint8_t> message) {
  auto header = read_header(message);
  if (!header) return header.error();
  if (!header->is_response()) return malformed("not a reply");
  reader in(message);
  in.seek(header_size);
  auto question = read_question(in);
  if (!question) return question.error();
  return dns_message{.header = *header, .question = std::move(*question)};
}

size_t dns_response_limit(const dns_message& query, dns_transport transport) {
  if (transport == dns_transport::tcp) return dns_max_message_size;
  if (!query.edns) return dns_classic_udp_size;
  return std::max<size_t>(query.edns->udp_size, dns_classic_udp_size);
}

std::vector<uint8_t> build_dns_a_response(const dns_message& query,
                                          std::span<const ipv4_address> addresses, size_t max_size,
                                          uint32_t ttl) {
  constexpr size_t record_size = answer_fixed_size + 4;
  size_t count = std::min(
      {addresses.size(), records_that_fit(query, record_size, max_size), size_t{UINT16_MAX}});
  auto out = start_reply(query, dns_rcode::no_error);
  for (size_t i = 0; i < count; ++i) {
    put_answer_header(out, dns_type::a, ttl, 4);
    put_u32(out, addresses[i].value);
  }
  finish_reply(out, query, dns_rcode::no_error, static_cast<uint16_t>(count),
               count < addresses.size());
  return out;
}

std::vector<uint8_t> build_dns_ptr_response(const dns_message& query, std::string_view target,
                                            size_t max_size, uint32_t ttl) {
  auto target_wire = dns_text_to_wire(target);
  if (!target_wire || target_wire->size() == 1)
    return build_dns_response(query, dns_rcode::server_failure);
  bool fits = records_that_fit(query, answer_fixed_size + target_wire->size(), max_size) > 0;
  auto out = start_reply(query, dns_rcode::no_error);
  if (fits) {
    put_answer_header(out, dns_type::ptr, ttl, static_cast<uint16_t>(target_wire->size()));
    out.insert(out.end(), target_wire->begin(), target_wire->end());
  }
  finish_reply(out, query, dns_rcode::no_error, fits ? 1 : 0, !fits);
  return out;
}

std::vector<uint8_t> build_dns_response(const dns_message& query, dns_rcode rcode) {
  auto out = start_reply(query, rcode);
  finish_reply(out, query, rcode, 0, false);
  return out;
}

std::vector<uint8_t> build_dns_truncated_response(const dns_message& query) {
  auto out = start_reply(query, dns_rcode::no_error);
  finish_reply(out, query, dns_rcode::no_error, 0, true);
  return out;
}

std::vector<uint8_t> build_dns_format_error(const dns_header& query_header) {
  std::vector<uint8_t> out;
  put_u16(out, query_header.id);
  put_u16(out, reply_flags(query_header, dns_rcode::format_error));
  for (int i = 0; i < 4; ++i)
    put_u16(out, 0);
  return out;
}

uint16_t dns_message_id(std::span<const uint8_t> message) {
  return static_cast<uint16_t>(message[0] << 8 | message[1]);
}

void set_dns_message_id(std::span<uint8_t> message, uint16_t id) {
  message[0] = static_cast<uint8_t>(id >> 8);
  message[1] = static_cast<uint8_t>(id & 0xff);
}

} // namespace berth::net
