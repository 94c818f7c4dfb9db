// Fuzzes storage/layer_unpack: any bytes as a layer must neither crash nor write outside the
// target.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <set>
#include <string>
#include <sys/stat.h>

#include "base/byte_source.hpp"
#include "base/sys.hpp"
#include "storage/layer_unpack.hpp"

namespace {

/// A temp directory holding the target "root" (fresh for each input) and a sibling "outside"
/// with one file, which no input may change. Removed at exit.
struct sandbox {
  std::string base;
  sandbox() {
    char tmpl[] = "/tmp/berth-fuzz-unpack-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    base = tmpl;
    if (::mkdir((base + "/outside").c_str(), 0755) != 0) std::abort();
    auto fd = berth::sys::open(base + "/outside/marker", O_WRONLY | O_CREAT, 0644);
    if (!fd || berth::sys::write_all(fd->get(), "keep", "marker")) std::abort();
  }
  ~sandbox() { (void)berth::sys::remove_all(base); }
};

std::set<std::string> list_dir(const std::string& path) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(path.c_str())) {
    while (auto* e = ::readdir(d))
      if (std::string_view{e->d_name} != "." && std::string_view{e->d_name} != "..")
        names.insert(e->d_name);
    ::closedir(d);
  }
  return names;
}

/// Rewrites the checksum of every 512-byte block that looks like a ustar header, so that mutated
/// names, types and links reach the unpacker instead of stopping at "Damaged tar archive".
void fix_checksums(std::string& tar) {
  for (size_t at = 0; at + 512 <= tar.size(); at += 512) {
    char* block = tar.data() + at;
    if (std::memcmp(block + 257, "ustar", 5) != 0) continue;
    std::memset(block + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; ++i)
      sum += static_cast<unsigned char>(block[i]);
    std::snprintf(block + 148, 8, "%06o", sum & 0777777);
    block[155] = ' ';
  }
}

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "layer_unpack_fuzz: %s\n", what);
  std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sandbox box;
  auto root = box.base + "/root";
  check(::mkdir(root.c_str(), 0755) == 0, "cannot create the target");
  std::string layer(reinterpret_cast<const char*>(data), size);
  fix_checksums(layer);
  berth::string_source source{std::move(layer)};
  berth::storage::unpack_limits limits{
      .max_bytes = 8 << 20, .max_entries = 256, .max_ratio = 64, .ratio_floor = 1 << 20};
  (void)berth::storage::unpack_layer(source, root, limits, true);
  check(!berth::sys::remove_all(root), "cannot remove the target");
  check(list_dir(box.base) == std::set<std::string>{"outside"}, "wrote next to the target");
  check(list_dir(box.base + "/outside") == std::set<std::string>{"marker"}, "wrote outside");
  auto marker = berth::sys::read_file(box.base + "/outside/marker");
  struct stat st {};
  check(marker && *marker == "keep" && ::lstat((box.base + "/outside/marker").c_str(), &st) == 0 &&
            st.st_nlink == 1 && (st.st_mode & 07777) == 0644,
        "changed a file outside the target");
  return 0;
}
