// Unpacks one image layer (a tar, maybe compressed) into an empty directory, safely and bounded.
#include "storage/layer_unpack.hpp"

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "storage/layer_path.hpp"
#include "storage/layer_stream.hpp"
#include "storage/layer_writer.hpp"
#include "storage/tar_entry.hpp"

namespace berth::storage {

namespace {

/// OCI whiteouts: ".wh.<name>" hides <name>; ".wh..wh..opq" makes its directory opaque; any other
/// ".wh..wh.*" is AUFS bookkeeping that is not part of the image.
constexpr std::string_view whiteout_prefix = ".wh.";
constexpr std::string_view whiteout_meta_prefix = ".wh..wh.";
constexpr std::string_view opaque_marker = ".wh..wh..opq";

caf::error apply_entry(layer_stream& stream, layer_writer& writer, archive_entry* entry,
                       unpack_result& result) {
  const char* raw = archive_entry_pathname(entry);
  if (raw == nullptr)
    return make_error(errc::invalid_argument, "archive entry without a usable name");
  auto name = clean_entry_name(raw);
  if (!name) return name.error();
  auto [dir, leaf] = split_entry_name(*name);
  // AUFS metadata: a top-level ".wh..wh.*" and all under it, or such a name anywhere.
  if (name->starts_with(whiteout_meta_prefix) && *name != opaque_marker) return {};
  if (leaf == opaque_marker) return writer.set_opaque(dir);
  if (leaf.starts_with(whiteout_meta_prefix)) return {};
  auto meta = tar_entry_meta(entry, *name);
  if (!meta) return meta.error();
  if (leaf.starts_with(whiteout_prefix))
    return writer.add_whiteout(dir, leaf.substr(whiteout_prefix.size()), *meta);
  tar_entry_counts counts;
  auto err = write_tar_entry(stream, writer, entry, *name, *meta, counts);
  result.content_bytes += counts.content_bytes;
  result.skipped_devices += counts.skipped_devices;
  return err;
}

} // namespace

caf::expected<unpack_result> unpack_layer(byte_source& source, const std::string& target_dir,
                                          const unpack_limits& limits, bool compute_diff_id) {
  auto writer = layer_writer::open(target_dir);
  if (!writer) return writer.error();
  layer_stream stream{source, limits, compute_diff_id};
  if (auto err = stream.open()) return err;
  unpack_result result;
  for (;;) {
    auto entry = stream.next_entry();
    if (!entry) return entry.error();
    if (*entry == nullptr) break;
    if (auto err = apply_entry(stream, *writer, *entry, result)) return err;
  }
  if (auto err = writer->finish()) return err;
  result.diff_id = stream.diff_id();
  result.tar_bytes = stream.tar_bytes();
  result.compressed_bytes = stream.compressed_bytes();
  result.entries = stream.entries();
  return result;
}

} // namespace berth::storage
