// Resolving Config.User and GroupAdd against the container's /etc/passwd and /etc/group with
// runc's rules, reading both files through openat2(RESOLVE_IN_ROOT).
#include "runtime/user_lookup.hpp"

#include <algorithm>
#include <fcntl.h>
#include <linux/openat2.h>
#include <optional>

#include "base/error.hpp"
#include "base/sys.hpp"
#include "runtime/go_text.hpp"
#include "runtime/regular_file.hpp"

namespace berth::runtime {

namespace {

constexpr size_t max_file_size = 4 << 20;
constexpr int64_t max_id = 2147483647;

struct passwd_entry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

struct group_entry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error range_error() {
  return invalid("uids and gids must be in range 0-2147483647");
}

/// The non-empty lines of a colon-separated database, split into fields.
std::vector<std::vector<std::string>> records(const std::optional<std::string>& file) {
  std::vector<std::vector<std::string>> out;
  if (!file) return out;
  for (const auto& raw : split(*file, '\n')) {
    auto line = trim_space(raw);
    if (line.empty()) continue;
    out.push_back(split(line, ':'));
  }
  return out;
}

std::optional<uint32_t> parse_id(const std::string& text) {
  auto n = parse_go_int(text);
  if (!n || *n < 0 || *n > max_id) return std::nullopt;
  return static_cast<uint32_t>(*n);
}

std::vector<passwd_entry> parse_passwd(const std::optional<std::string>& file) {
  std::vector<passwd_entry> out;
  for (auto& f : records(file)) {
    f.resize(std::max<size_t>(f.size(), 7));
    auto uid = parse_id(f[2]);
    auto gid = parse_id(f[3]);
    if (!uid || !gid) continue; // a malformed entry names nobody
    out.push_back({f[0], *uid, *gid, f[5]});
  }
  return out;
}

std::vector<group_entry> parse_group(const std::optional<std::string>& file) {
  std::vector<group_entry> out;
  for (auto& f : records(file)) {
    f.resize(std::max<size_t>(f.size(), 4));
    auto gid = parse_id(f[2]);
    if (!gid) continue;
    group_entry g{f[0], *gid, {}};
    if (!f[3].empty()) g.members = split(f[3], ',');
    out.push_back(std::move(g));
  }
  return out;
}

} // namespace

caf::expected<resolved_user> resolve_user(const std::string& rootfs, const std::string& user,
                                          const std::vector<std::string>& group_add) {
  auto root = sys::open(rootfs, O_PATH | O_DIRECTORY);
  if (!root) return root.error();
  constexpr uint64_t in_root = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  auto passwd_file = read_regular_file(root->get(), "etc/passwd", in_root, max_file_size,
                                       "/etc/passwd in the container");
  if (!passwd_file) return passwd_file.error();
  auto group_file = read_regular_file(root->get(), "etc/group", in_root, max_file_size,
                                      "/etc/group in the container");
  if (!group_file) return group_file.error();
  auto users = parse_passwd(*passwd_file);
  auto groups = parse_group(*group_file);

  // "user[:group]": fields after the second are ignored, like runc's parseLine.
  auto spec = split(user, ':');
  auto user_arg = spec[0];
  auto group_arg = spec.size() > 1 ? spec[1] : std::string{};
  auto uid_arg = parse_go_int(user_arg);
  auto gid_arg = parse_go_int(group_arg);

  resolved_user out;
  const passwd_entry* matched = nullptr;
  for (const auto& u : users) {
    bool hit = user_arg.empty() ? u.uid == 0
               : uid_arg        ? static_cast<int64_t>(u.uid) == *uid_arg
                                : u.name == user_arg;
    if (hit) {
      matched = &u; // the first match wins
      break;
    }
  }
  if (matched != nullptr) {
    out.uid = matched->uid;
    out.gid = matched->gid;
    if (!matched->home.empty()) out.home = matched->home;
  } else if (!user_arg.empty()) {
    if (!uid_arg)
      return invalid("unable to find user " + user_arg + ": no matching entries in passwd file");
    if (*uid_arg < 0 || *uid_arg > max_id) return range_error();
    out.uid = static_cast<uint32_t>(*uid_arg);
  }

  std::vector<uint32_t> supplementary;
  if (!group_arg.empty()) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const group_entry& e) {
      return gid_arg ? static_cast<int64_t>(e.gid) == *gid_arg : e.name == group_arg;
    });
    if (g != groups.end()) {
      out.gid = g->gid;
    } else {
      if (!gid_arg)
        return invalid("unable to find group " + group_arg + ": no matching entries in group file");
      if (*gid_arg < 0 || *gid_arg > max_id) return range_error();
      out.gid = static_cast<uint32_t>(*gid_arg);
    }
  } else if (matched != nullptr) {
    // Supplementary groups only in the implicit form: the groups listing the user by name.
    for (const auto& g : groups) {
      if (std::find(g.members.begin(), g.members.end(), matched->name) != g.members.end())
        supplementary.push_back(g.gid);
    }
  }

  out.additional_gids.push_back(out.gid);
  out.additional_gids.insert(out.additional_gids.end(), supplementary.begin(), supplementary.end());
  std::vector<uint32_t> added;
  for (const auto& name : group_add) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](const group_entry& e) {
      return e.name == name || std::to_string(e.gid) == name;
    });
    uint32_t gid = 0;
    if (g != groups.end()) {
      gid = g->gid;
    } else {
      auto n = parse_go_int(name);
      if (!n)
        return invalid("Unable to find group " + name + ": no matching entries in group file");
      if (*n < 0 || *n > max_id) return range_error();
      gid = static_cast<uint32_t>(*n);
    }
    if (std::find(added.begin(), added.end(), gid) == added.end()) added.push_back(gid);
  }
  out.additional_gids.insert(out.additional_gids.end(), added.begin(), added.end());
  return out;
}

} // namespace berth::runtime
