// Writing a libarchive archive into a byte_sink (an HTTP response, a file): the callback state
// and the write callback under tar_writer, which writes every tar Berth produces.
#pragma once

#include <archive.h>
#include <caf/error.hpp>

#include "base/byte_sink.hpp"

namespace berth::storage {

/// What archive_write_open gets as client data: the sink, and the sink's error when a write
/// failed (libarchive only keeps a message).
struct archive_sink_state {
  byte_sink* sink = nullptr;
  caf::error failure;
};

/// The archive_write_callback for archive_sink_state.
la_ssize_t write_to_sink(struct archive* a, void* state, const void* buffer, size_t length);

} // namespace berth::storage
