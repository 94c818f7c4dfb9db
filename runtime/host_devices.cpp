// Reading device nodes from the host's /dev for privileged containers and --device.
#include "runtime/host_devices.hpp"

#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/error.hpp"
#include "base/sys.hpp"

namespace berth::runtime {

namespace {

using json = nlohmann::json;

/// The device at `path` (not following a final symlink), or nullopt when it is not a device.
caf::expected<std::optional<json>> device_at(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return sys::error_from_errno("lstat", path, errno);
  const char* type = nullptr;
  switch (st.st_mode & S_IFMT) {
  case S_IFBLK:
    type = "b";
    break;
  case S_IFCHR:
    type = "c";
    break;
  case S_IFIFO:
    type = "p";
    break;
  default:
    return std::optional<json>{};
  }
  return std::optional<json>{json{
      {"path", path},
      {"type", type},
      {"major", static_cast<int64_t>(major(st.st_rdev))},
      {"minor", static_cast<int64_t>(minor(st.st_rdev))},
      {"fileMode", static_cast<uint32_t>(st.st_mode & ~S_IFMT)},
      {"uid", st.st_uid},
      {"gid", st.st_gid},
  }};
}

caf::error collect(const std::string& dir, json& out) {
  std::unique_ptr<DIR, int (*)(DIR*)> d{::opendir(dir.c_str()), ::closedir};
  if (!d) return sys::error_from_errno("opendir", dir, errno);
  while (auto* entry = ::readdir(d.get())) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    auto path = dir + "/" + name;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) continue; // gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      if (name == "pts" || name == "shm" || name == "fd" || name == "mqueue" || name == ".lxc" ||
          name == ".lxd-mounts" || name == ".udev")
        continue;
      if (auto err = collect(path, out)) return err;
      continue;
    }
    if (name == "console") continue;
    auto dev = device_at(path);
    if (!dev) continue;
    if (*dev) out.push_back(std::move(**dev));
  }
  return {};
}

json rule_for(const json& device, const std::string& permissions) {
  return {{"allow", true},
          {"type", device["type"]},
          {"major", device["major"]},
          {"minor", device["minor"]},
          {"access", permissions}};
}

} // namespace

caf::expected<json> host_devices() {
  auto out = json::array();
  if (auto err = collect("/dev", out)) return err;
  return out;
}

caf::expected<device_grant> devices_from_path(const std::string& host_path,
                                              const std::string& container_path,
                                              const std::string& permissions) {
  auto resolved = host_path;
  struct stat st {};
  if (::lstat(host_path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    char buf[PATH_MAX];
    if (::realpath(host_path.c_str(), buf) != nullptr) resolved = buf;
  }
  device_grant grant;
  auto fail = [&](const std::string& why) {
    return make_error(errc::invalid_argument,
                      "error gathering device information while adding custom device \"" +
                          host_path + "\": " + why);
  };
  auto dev = device_at(resolved);
  if (!dev) return fail(error_message(dev.error()));
  if (*dev) {
    (**dev)["path"] = container_path;
    grant.rules.push_back(rule_for(**dev, permissions));
    grant.devices.push_back(std::move(**dev));
    return grant;
  }
  if (::stat(resolved.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    auto found = json::array();
    if (auto err = collect(resolved, found)) return fail(error_message(err));
    for (auto& d : found) {
      auto p = d["path"].get<std::string>();
      d["path"] = container_path + p.substr(resolved.size());
      grant.rules.push_back(rule_for(d, permissions));
      grant.devices.push_back(std::move(d));
    }
  }
  if (grant.devices.empty()) return fail("not a device node");
  return grant;
}

} // namespace berth::runtime
