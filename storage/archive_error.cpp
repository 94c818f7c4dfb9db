// libarchive's last error message.
#include "storage/archive_error.hpp"

#include <archive.h>

namespace berth::storage {

std::string archive_message(struct archive* a, const char* fallback) {
  const char* msg = a ? archive_error_string(a) : nullptr;
  return msg ? msg : fallback;
}

} // namespace berth::storage
