// A build's private files (see build_workspace.hpp).
#include "actors/build_workspace.hpp"

#include <fcntl.h>

#include "base/error.hpp"
#include "base/random.hpp"
#include "base/sys.hpp"
#include "runtime/user_lookup.hpp"
#include "storage/copy_layer.hpp"
#include "storage/overlay_mount.hpp"

namespace berth::actors {

caf::expected<std::shared_ptr<build_workspace>>
build_workspace::open(const std::string& root, byte_source& body, const std::string& dockerfile) {
  if (auto err = sys::make_dirs(root, 0700)) return err;
  std::shared_ptr<build_workspace> ws{new build_workspace(root + "/" + random_hex(16))};
  auto context_dir = ws->dir_ + "/context";
  if (auto err = sys::make_dirs(context_dir, 0700)) return err;
  storage::context_options options;
  options.dockerfile = dockerfile.empty() ? storage::default_dockerfile_name : dockerfile;
  auto ctx = storage::extract_build_context(body, context_dir, options);
  if (!ctx) return ctx.error();
  ws->context = std::move(*ctx);
  auto fd = sys::open(context_dir, O_PATH | O_DIRECTORY);
  if (!fd) return fd.error();
  ws->context_fd_ = std::move(*fd);
  return ws;
}

build_workspace::~build_workspace() {
  remove();
}

std::string build_workspace::fresh_dir(const std::string& what) {
  auto path = dir_ + "/" + what + "-" + std::to_string(++counter_);
  (void)sys::make_dirs(path, 0755);
  return path;
}

caf::expected<std::string> build_workspace::image_root(const std::vector<std::string>& lowers) {
  if (lowers.size() == 1) return lowers.front();
  if (auto known = roots_.find(lowers); known != roots_.end()) return known->second;
  auto dir = fresh_dir("root");
  if (!lowers.empty())
    if (auto err = storage::mount_overlay(lowers, "", "", dir)) return err;
  roots_.emplace(lowers, dir);
  return dir;
}

caf::expected<int> build_workspace::source_root(const copy_spec& spec, unique_fd& holder) {
  if (!spec.from_image) return context_fd_.get();
  auto root = image_root(spec.from_lowers);
  if (!root) return root.error();
  auto fd = sys::open(*root, O_PATH | O_DIRECTORY);
  if (!fd) return fd.error();
  holder = std::move(*fd);
  return holder.get();
}

caf::expected<prepared_copy> build_workspace::prepare_copy(const copy_spec& spec) {
  unique_fd root_holder;
  auto root = source_root(spec, root_holder);
  if (!root) return root.error();
  int root_fd = *root;
  auto sources = storage::resolve_sources(root_fd, spec.instruction, spec.sources, spec.dest,
                                          spec.from_image ? storage::source_root::image
                                                          : storage::source_root::context);
  if (!sources) return sources.error();
  std::vector<std::string> sums;
  for (const auto& s : *sources) {
    auto sum = storage::source_checksum(root_fd, s);
    if (!sum) return sum.error();
    sums.push_back(std::move(*sum));
  }
  return prepared_copy{std::move(*sources), storage::combined_checksum(sums)};
}

caf::expected<std::string> build_workspace::write_copy(const copy_spec& spec,
                                                       const prepared_copy& prepared) {
  storage::copy_layer_request req;
  unique_fd root_holder;
  auto root = source_root(spec, root_holder);
  if (!root) return root.error();
  req.source_root_fd = *root;
  if (!spec.chown.empty()) {
    auto rootfs = image_root(spec.lowers);
    if (!rootfs) return rootfs.error();
    auto user =
        spec.chown.find(':') == std::string::npos ? spec.chown + ":" + spec.chown : spec.chown;
    auto resolved = runtime::resolve_user(*rootfs, user, {});
    if (!resolved) return resolved.error();
    req.owner = {resolved->uid, resolved->gid};
  }
  req.sources = prepared.sources;
  req.dest = spec.dest;
  req.extract_archives = spec.extract_archives;
  req.lower_dirs = spec.lowers;
  req.out_dir = fresh_dir("layer");
  req.scratch_dir = fresh_dir("scratch");
  if (auto err = storage::write_copy_layer(req)) return err;
  return req.out_dir;
}

void build_workspace::remove() {
  for (const auto& [lowers, dir] : roots_)
    if (!lowers.empty()) (void)storage::unmount(dir);
  roots_.clear();
  context_fd_ = unique_fd{};
  if (!dir_.empty()) (void)sys::remove_all(dir_);
  dir_.clear();
}

} // namespace berth::actors
