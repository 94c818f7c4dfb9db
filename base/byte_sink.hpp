// A push-based stream of bytes (response bodies, files), written from a blocking context.
#pragma once

#include <cstddef>

#include <caf/error.hpp>

namespace berth {

class byte_sink {
public:
  virtual ~byte_sink() = default;

  /// Writes all `n` bytes, blocking while the consumer is behind; an error when it went away.
  [[nodiscard]] virtual caf::error write(const char* data, size_t n) = 0;
};

} // namespace berth
