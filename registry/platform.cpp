// Platform parsing and index selection.
#include "registry/platform.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/ascii.hpp"
#include "base/error.hpp"

namespace berth::registry {

namespace {

bool valid_component(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool known_os(std::string_view os) {
  static constexpr std::string_view known[] = {
      "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios",     "js",
      "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "wasip1",  "windows", "zos"};
  return std::find(std::begin(known), std::end(known), os) != std::end(known);
}

/// The architecture and variant containerd's normalizeArch gives.
std::pair<std::string, std::string> normalize_arch(std::string arch, std::string variant) {
  if (arch == "i386") return {"386", ""};
  if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    if (variant == "v1") variant.clear();
    return {"amd64", variant};
  }
  if (arch == "aarch64" || arch == "arm64") {
    if (variant == "8" || variant == "v8" || variant == "v8.0") variant.clear();
    return {"arm64", variant};
  }
  if (arch == "armhf") return {"arm", "v7"};
  if (arch == "armel") return {"arm", "v6"};
  if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
    return {"arm", variant};
  }
  return {arch, variant};
}

caf::error unknown(std::string_view text) {
  return make_error(errc::invalid_argument, "\"" + std::string(text) +
                                                "\": unknown operating system or architecture: "
                                                "invalid argument");
}

/// Lower is better: the default variant first, then none, then any other.
int variant_rank(const platform& want, const platform& have) {
  if (have.variant == want.variant) return 0;
  if (have.variant.empty()) return 1;
  return 2;
}

} // namespace

caf::expected<platform> parse_platform(std::string_view text) {
  if (text.empty() || text.size() > 200) return unknown(text);
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    auto slash = text.find('/', start);
    auto part = ascii_lower(text.substr(start, slash - start));
    if (!valid_component(part)) return unknown(text);
    parts.push_back(std::move(part));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() > 3) return unknown(text);
  platform out;
  if (parts.size() == 1) {
    if (known_os(parts[0])) {
      out.os = parts[0];
      out.architecture = default_platform().architecture;
      out.variant = default_platform().variant;
    } else {
      out.os = "linux";
      std::tie(out.architecture, out.variant) = normalize_arch(parts[0], "");
      if (out.architecture == parts[0] && parts[0] != "amd64" && parts[0] != "arm64" &&
          parts[0] != "386" && parts[0] != "arm" && parts[0] != "ppc64le" && parts[0] != "s390x" &&
          parts[0] != "riscv64" && parts[0] != "mips64le")
        return unknown(text);
    }
    return out;
  }
  if (!known_os(parts[0])) return unknown(text);
  out.os = parts[0];
  std::tie(out.architecture, out.variant) =
      normalize_arch(parts[1], parts.size() == 3 ? parts[2] : std::string{});
  return out;
}

platform default_platform() {
#if defined(__x86_64__)
  return {"linux", "amd64", "", ""};
#elif defined(__aarch64__)
  return {"linux", "arm64", "", ""};
#elif defined(__arm__)
  return {"linux", "arm", "v7", ""};
#elif defined(__i386__)
  return {"linux", "386", "", ""};
#elif defined(__powerpc64__)
  return {"linux", "ppc64le", "", ""};
#elif defined(__s390x__)
  return {"linux", "s390x", "", ""};
#elif defined(__riscv)
  return {"linux", "riscv64", "", ""};
#else
  return {"linux", "amd64", "", ""};
#endif
}

std::string format_platform(const platform& p) {
  std::string out = p.os.empty() ? "unknown" : p.os;
  out += "/" + (p.architecture.empty() ? std::string("unknown") : p.architecture);
  if (!p.variant.empty()) out += "/" + p.variant;
  return out;
}

platform normalize_platform(platform p) {
  p.os = ascii_lower(p.os);
  std::tie(p.architecture, p.variant) = normalize_arch(p.architecture, p.variant);
  return p;
}

bool platform_matches(const platform& want_raw, const platform& have_raw) {
  auto want = normalize_platform(want_raw);
  auto have = normalize_platform(have_raw);
  if (want.os != have.os || want.architecture != have.architecture) return false;
  if (want.variant.empty() || want.variant == have.variant) return true;
  // An arm v7 host also runs v6 and v5 images, as containerd's matcher allows.
  if (want.architecture == "arm" && !have.variant.empty()) return have.variant < want.variant;
  return false;
}

caf::expected<descriptor> select_manifest(const manifest& index, const platform& want) {
  const descriptor* best = nullptr;
  int best_rank = 1 << 20;
  auto wanted = normalize_platform(want);
  for (const auto& entry : index.manifests) {
    if (!entry.platform || !platform_matches(wanted, *entry.platform)) continue;
    if (!is_image_manifest_media_type(entry.media_type) && !entry.media_type.empty()) continue;
    int rank = variant_rank(wanted, normalize_platform(*entry.platform));
    if (rank < best_rank) {
      best = &entry;
      best_rank = rank;
    }
  }
  if (!best)
    return make_error(errc::not_found, "no matching manifest for " + format_platform(wanted) +
                                           " in the manifest list entries");
  return *best;
}

} // namespace berth::registry
