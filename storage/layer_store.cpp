// Unpacked layers under <data-root>/overlay2.
#include "storage/layer_store.hpp"

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fd.hpp"
#include "base/log.hpp"
#include "base/random.hpp"
#include "base/sys.hpp"

namespace berth::storage {

namespace {

constexpr log::logger lg{"layers"};

// dockerd's short link names: 26 characters of [A-Z0-9].
std::string make_link_id() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  auto hex = random_hex(26);
  std::string out;
  for (size_t i = 0; i < 26; ++i)
    out += alphabet[static_cast<unsigned char>(std::stoi(hex.substr(i * 2, 2), nullptr, 16)) % 36];
  return out;
}

caf::error sync_filesystem(const std::string& path) {
  auto fd = sys::open(path, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  if (::syncfs(fd->get()) != 0) return sys::error_from_errno("syncfs", path, errno);
  return {};
}

thread_local uint64_t usage_total = 0;

int add_usage(const char*, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_F) usage_total += static_cast<uint64_t>(st->st_blocks) * 512;
  return 0;
}

} // namespace

caf::expected<std::unique_ptr<layer_store>> layer_store::open(const std::string& root) {
  if (auto err = sys::make_dirs(root + "/l", 0700)) return err;
  return std::unique_ptr<layer_store>(new layer_store(root));
}

std::string layer_store::diff_dir(const layer_record& layer) const {
  return root_ + "/" + layer.cache_id + "/diff";
}

std::string layer_store::link_path(const layer_record& layer) const {
  return root_ + "/l/" + layer.link_id;
}

caf::expected<layer_record>
layer_store::create(const std::string& chain_id, const std::string& diff_id,
                    const std::string& parent,
                    const std::function<caf::expected<uint64_t>(const std::string&)>& fill) const {
  layer_record rec;
  rec.chain_id = chain_id;
  rec.diff_id = diff_id;
  rec.parent = parent;
  rec.cache_id = random_hex(32);
  rec.link_id = make_link_id();
  auto dir = root_ + "/" + rec.cache_id;
  auto fail = [&](caf::error err) -> caf::expected<layer_record> {
    (void)remove(rec);
    return err;
  };
  if (::mkdir(dir.c_str(), 0700) != 0) return sys::error_from_errno("mkdir", dir, errno);
  if (::mkdir((dir + "/diff").c_str(), 0755) != 0)
    return fail(sys::error_from_errno("mkdir", dir + "/diff", errno));
  auto size = fill(dir + "/diff");
  if (!size) return fail(size.error());
  rec.size = *size;
  if (auto err = sys::write_file_atomic(dir + "/link", rec.link_id, 0644)) return fail(err);
  auto link = link_path(rec);
  if (::symlink(("../" + rec.cache_id + "/diff").c_str(), link.c_str()) != 0)
    return fail(sys::error_from_errno("symlink", link, errno));
  // One flush for the whole layer: files are written without per-file fsync.
  if (auto err = sync_filesystem(dir)) return fail(err);
  return rec;
}

caf::error layer_store::remove(const layer_record& layer) const {
  if (!layer.link_id.empty()) (void)sys::remove(link_path(layer));
  if (layer.cache_id.empty()) return {};
  return sys::remove_all(root_ + "/" + layer.cache_id);
}

size_t layer_store::remove_orphans(const std::set<std::string>& known_cache_ids) const {
  size_t removed = 0;
  std::set<std::string> known_links;
  if (DIR* d = ::opendir(root_.c_str())) {
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || name == "l") continue;
      if (known_cache_ids.count(name)) {
        if (auto link = sys::read_file(root_ + "/" + name + "/link", 64)) known_links.insert(*link);
        continue;
      }
      lg.info("removing orphaned layer directory", {{"dir", name}});
      if (!sys::remove_all(root_ + "/" + name)) ++removed;
    }
    ::closedir(d);
  }
  if (DIR* d = ::opendir((root_ + "/l").c_str())) {
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != ".." && !known_links.count(name))
        (void)sys::remove(root_ + "/l/" + name);
    }
    ::closedir(d);
  }
  return removed;
}

uint64_t layer_store::disk_usage(const std::string& dir) {
  usage_total = 0;
  ::nftw(dir.c_str(), add_usage, 32, FTW_PHYS | FTW_MOUNT);
  return usage_total;
}

} // namespace berth::storage
