// libarchive output into a byte_sink.
#include "storage/archive_sink.hpp"

#include <cerrno>

#include "base/error.hpp"

namespace berth::storage {

la_ssize_t write_to_sink(struct archive* a, void* state, const void* buffer, size_t length) {
  auto* s = static_cast<archive_sink_state*>(state);
  if (auto err = s->sink->write(static_cast<const char*>(buffer), length)) {
    s->failure = err;
    archive_set_error(a, EIO, "%s", error_message(err).c_str());
    return -1;
  }
  return static_cast<la_ssize_t>(length);
}

} // namespace berth::storage
