// Test helper: a byte_sink that keeps everything written to it in memory.
#pragma once

#include <string>

#include "base/byte_sink.hpp"

namespace berth::test {

class string_sink final : public byte_sink {
 public:
  caf::error write(const char* data, size_t n) override {
    out.append(data, n);
    return {};
  }

  std::string out; ///< every byte written so far
};

} // namespace berth::test
