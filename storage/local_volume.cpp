// Local volume names and options.
#include "storage/local_volume.hpp"

#include <sstream>
#include <sys/mount.h>

#include "base/error.hpp"

namespace berth::storage {

namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool name_char(char c) {
  return name_start(c) || c == '_' || c == '.' || c == '-';
}

// mount(8) option words that are flags; everything else goes to the filesystem as data.
const std::map<std::string, std::pair<unsigned long, bool>>& flag_words() {
  static const std::map<std::string, std::pair<unsigned long, bool>> words{
      {"ro", {MS_RDONLY, true}},        {"rw", {MS_RDONLY, false}},
      {"nosuid", {MS_NOSUID, true}},    {"suid", {MS_NOSUID, false}},
      {"nodev", {MS_NODEV, true}},      {"dev", {MS_NODEV, false}},
      {"noexec", {MS_NOEXEC, true}},    {"exec", {MS_NOEXEC, false}},
      {"sync", {MS_SYNCHRONOUS, true}}, {"async", {MS_SYNCHRONOUS, false}},
      {"noatime", {MS_NOATIME, true}},  {"atime", {MS_NOATIME, false}},
      {"bind", {MS_BIND, true}},        {"rbind", {MS_BIND | MS_REC, true}},
      {"defaults", {0, false}}};
  return words;
}

} // namespace

caf::error validate_volume_name(const std::string& name) {
  if (name.size() == 1)
    return make_error(errc::invalid_argument,
                      "create " + name +
                          ": volume name is too short, names should be at least two alphanumeric "
                          "characters");
  bool ok = name.size() >= 2 && name_start(name[0]);
  for (size_t i = 1; ok && i < name.size(); ++i)
    ok = name_char(name[i]);
  if (ok) return {};
  return make_error(errc::invalid_argument,
                    "create " + name + ": \"" + name +
                        "\" includes invalid characters for a local volume name, only "
                        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                        "directory, use absolute path");
}

caf::expected<std::optional<local_mount>>
parse_local_options(const std::map<std::string, std::string>& options) {
  for (const auto& [key, value] : options) {
    if (key == "size")
      return make_error(errc::invalid_argument,
                        "quota size requested but no quota support on this volume's filesystem");
    if (key != "type" && key != "device" && key != "o")
      return make_error(errc::invalid_argument, "invalid option: \"" + key + "\"");
  }
  if (options.empty()) return std::optional<local_mount>{};
  auto get = [&](const char* key) {
    auto i = options.find(key);
    return i == options.end() ? std::string{} : i->second;
  };
  local_mount m;
  m.type = get("type");
  m.device = get("device");
  if (m.type.empty() && m.device.empty() && !get("o").empty())
    return make_error(errc::invalid_argument, "missing required option: \"type\"");
  if (!m.type.empty() && m.device.empty())
    return make_error(errc::invalid_argument, "missing required option: \"device\"");
  if (m.type.empty() && !m.device.empty())
    return make_error(errc::invalid_argument, "missing required option: \"type\"");
  std::istringstream words(get("o"));
  std::string word;
  std::string data;
  while (std::getline(words, word, ',')) {
    if (word.empty()) continue;
    auto flag = flag_words().find(word);
    if (flag == flag_words().end()) {
      data += (data.empty() ? "" : ",") + word;
      continue;
    }
    if (flag->second.second)
      m.flags |= flag->second.first;
    else
      m.flags &= ~flag->second.first;
  }
  m.data = data;
  return std::optional<local_mount>{m};
}

} // namespace berth::storage
