// Random identifiers from the kernel's CSPRNG.
#include "base/random.hpp"

#include <cerrno>
#include <cstdio>
#include <sys/random.h>
#include <vector>

#include "base/log.hpp"

namespace berth {

namespace {

constexpr log::logger lg{"random"};

void fill_random(unsigned char* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    auto got = ::getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      lg.fatal("getrandom failed");
    }
    done += static_cast<size_t>(got);
  }
}

} // namespace

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  fill_random(raw.data(), raw.size());
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (auto b : raw) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

std::string random_uuid() {
  unsigned char b[16];
  fill_random(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return buf;
}

} // namespace berth
