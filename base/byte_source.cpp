// Pull-based byte streams.
#include "base/byte_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unistd.h>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace berth {

caf::expected<size_t> fd_source::read(char* buf, size_t n) {
  for (;;) {
    auto got = ::read(fd_.get(), buf, n);
    if (got >= 0)
      return static_cast<size_t>(got);
    if (errno != EINTR)
      return sys::error_from_errno("read", name_, errno);
  }
}

caf::expected<size_t> string_source::read(char* buf, size_t n) {
  auto take = std::min(n, data_.size() - pos_);
  std::memcpy(buf, data_.data() + pos_, take);
  pos_ += take;
  return take;
}

caf::expected<size_t> observed_source::read(char* buf, size_t n) {
  auto got = inner_.read(buf, n);
  if (got && *got > 0) on_read_(*got);
  return got;
}

caf::expected<std::string> read_all(byte_source& source, size_t limit) {
  std::string out;
  char buf[65536];
  for (;;) {
    auto n = source.read(buf, sizeof buf);
    if (!n)
      return n.error();
    if (*n == 0)
      return out;
    if (out.size() + *n > limit)
      return make_error(errc::invalid_argument, "input exceeds " + std::to_string(limit) + " bytes");
    out.append(buf, *n);
  }
}

} // namespace berth
