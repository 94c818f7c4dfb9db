// unpack_bench: throughput of the layer unpacker on one layer tar (plain or compressed), into a
// fresh directory, page cache warm. Setup (reading the file once) stays outside the timing.
//
//   unpack_bench <layer.tar> <scratch-dir> [runs]
//
// Prints MB/s of uncompressed tar per run and the median.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <vector>

#include "base/byte_source.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_unpack.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: unpack_bench <layer.tar> <scratch-dir> [runs]\n");
    return 2;
  }
  std::string layer = argv[1];
  std::string scratch = argv[2];
  int runs = argc > 3 ? std::atoi(argv[3]) : 3;
  {
    // Warm the page cache so that the runs measure unpacking, not the first read of the file.
    auto fd = berth::sys::open(layer, O_RDONLY);
    if (!fd)
      return 1;
    berth::fd_source warm{std::move(*fd)};
    char buf[1 << 16];
    while (true) {
      auto n = warm.read(buf, sizeof buf);
      if (!n || *n == 0)
        break;
    }
  }
  std::vector<double> rates;
  for (int i = 0; i < runs; ++i) {
    auto target = scratch + "/run" + std::to_string(i);
    (void) berth::sys::remove_all(target);
    (void) berth::sys::make_dirs(target);
    auto fd = berth::sys::open(layer, O_RDONLY);
    if (!fd)
      return 1;
    berth::fd_source source{std::move(*fd)};
    auto start = std::chrono::steady_clock::now();
    auto result = berth::storage::unpack_layer(source, target, {}, true);
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!result) {
      std::fprintf(stderr, "unpack failed: %s\n", berth::error_message(result.error()).c_str());
      return 1;
    }
    double mb = static_cast<double>(result->tar_bytes) / 1e6;
    rates.push_back(mb / seconds);
    std::printf("run=%d tar_mb=%.1f seconds=%.3f mb_per_s=%.0f (with sha256 diff id)\n", i, mb,
                seconds, mb / seconds);
    (void) berth::sys::remove_all(target);
  }
  std::sort(rates.begin(), rates.end());
  std::printf("median_mb_per_s=%.0f\n", rates[rates.size() / 2]);
  return 0;
}
