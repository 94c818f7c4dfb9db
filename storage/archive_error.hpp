// libarchive's last error message for an archive handle, with a fallback when it has none.
#pragma once

#include <string>

struct archive;

namespace berth::storage {

[[nodiscard]] std::string archive_message(struct archive* a, const char* fallback);

} // namespace berth::storage
