// Reading a registry's certs.d directory.
#include "registry/tls_settings.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "base/error.hpp"

namespace berth::registry {

namespace fs = std::filesystem;

caf::expected<tls_settings> load_certs_dir(const std::string& certs_dir,
                                           std::string_view authority) {
  tls_settings out;
  if (certs_dir.empty() || authority.empty() || authority.find('/') != std::string_view::npos ||
      authority == "." || authority == "..")
    return out;
  fs::path dir = fs::path(certs_dir) / std::string(authority);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) || entry.is_symlink(ec)) files.push_back(entry.path());
  if (ec) return make_error(errc::system, "reading " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto ext = file.extension().string();
    auto sibling = [&](const char* other) {
      auto p = file;
      p.replace_extension(other);
      return p;
    };
    if (ext == ".crt") {
      out.ca_files.push_back(file.string());
    } else if (ext == ".cert") {
      if (!fs::exists(sibling(".key"), ec))
        return make_error(errc::invalid_argument,
                          "missing key " + sibling(".key").filename().string() +
                              " for client certificate " + file.filename().string() +
                              ". CA certificates must use the extension .crt");
      if (out.client_cert.empty()) {
        out.client_cert = file.string();
        out.client_key = sibling(".key").string();
      }
    } else if (ext == ".key") {
      if (!fs::exists(sibling(".cert"), ec))
        return make_error(errc::invalid_argument, "missing client certificate " +
                                                      sibling(".cert").filename().string() +
                                                      " for key " + file.filename().string());
    }
  }
  return out;
}

} // namespace berth::registry
