// Lexical rules for names inside a layer tar.
#include "storage/layer_path.hpp"

#include <vector>

#include "base/error.hpp"

namespace berth::storage {

namespace {

/// Calls `f` for each non-empty component of `path`, in order; stops early when `f` returns false.
template <class F>
bool each_component(std::string_view path, F f) {
  size_t pos = 0;
  while (pos < path.size()) {
    auto slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos && !f(path.substr(pos, slash - pos))) return false;
    pos = slash + 1;
  }
  return true;
}

std::string quoted(std::string_view raw) {
  // Names in messages are cut short: an error must not echo a 4 KiB name back.
  constexpr size_t shown = 200;
  std::string out{"\""};
  out.append(raw.substr(0, shown));
  if (raw.size() > shown) out += "...";
  out += '"';
  return out;
}

} // namespace

caf::expected<std::string> clean_entry_name(std::string_view raw) {
  if (raw.empty()) return make_error(errc::invalid_argument, "archive entry with an empty name");
  if (raw.size() > max_entry_name)
    return make_error(errc::invalid_argument, "archive entry name longer than " +
                                                  std::to_string(max_entry_name) +
                                                  " bytes: " + quoted(raw));
  if (raw.find('\0') != std::string_view::npos)
    return make_error(errc::invalid_argument, "archive entry name with a NUL byte: " + quoted(raw));
  // Go's filepath.Clean, as dockerd cleans entry names: "a/../b" is "b"; a ".." that would
  // climb above the root is refused (dockerd's breakoutError).
  std::vector<std::string_view> parts;
  bool escapes = !each_component(raw, [&](std::string_view part) {
    if (part == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
      return true;
    }
    if (part != ".") parts.push_back(part);
    return true;
  });
  if (escapes)
    return make_error(errc::invalid_argument,
                      "archive entry " + quoted(raw) + " has a \"..\" component");
  std::string out;
  out.reserve(raw.size());
  for (auto part : parts) {
    if (!out.empty()) out += '/';
    out.append(part);
  }
  return out;
}

std::pair<std::string_view, std::string_view> split_entry_name(std::string_view name) {
  auto slash = name.rfind('/');
  if (slash == std::string_view::npos) return {std::string_view{}, name};
  return {name.substr(0, slash), name.substr(slash + 1)};
}

std::string join_entry_name(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string{name};
  std::string out{dir};
  out += '/';
  out += name;
  return out;
}

bool symlink_escapes(std::string_view link_name, std::string_view target) {
  if (target.empty() || target.front() == '/') return false;
  // Depth of the link's directory below the root, then walk the target from there.
  long depth = 0;
  each_component(split_entry_name(link_name).first, [&](std::string_view) {
    ++depth;
    return true;
  });
  return !each_component(target, [&](std::string_view part) {
    if (part == "..") return --depth >= 0;
    if (part != ".") ++depth;
    return true;
  });
}

} // namespace berth::storage
