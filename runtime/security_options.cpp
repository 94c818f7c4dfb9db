// Parsing --security-opt values with dockerd's syntax and messages.
#include "runtime/security_options.hpp"

#include "base/error.hpp"
#include "runtime/go_text.hpp"

namespace berth::runtime {

caf::expected<security_options> parse_security_options(const std::vector<std::string>& options) {
  security_options out;
  for (const auto& opt : options) {
    if (opt == "no-new-privileges") {
      out.no_new_privileges = true;
      continue;
    }
    if (opt == "writable-cgroups") {
      out.writable_cgroups = true;
      continue;
    }
    if (opt == "disable") {
      out.labels.emplace_back("disable");
      continue;
    }
    // "key=value"; the deprecated "key:value" form is still accepted.
    auto sep = opt.find('=');
    if (sep == std::string::npos) sep = opt.find(':');
    if (sep == std::string::npos)
      return make_error(errc::invalid_argument, "invalid --security-opt 1: " + go_quote(opt));
    auto key = opt.substr(0, sep);
    auto value = opt.substr(sep + 1);
    if (key == "label") {
      out.labels.push_back(value);
    } else if (key == "apparmor") {
      out.apparmor = value;
    } else if (key == "seccomp") {
      out.seccomp = value;
    } else if (key == "no-new-privileges" || key == "writable-cgroups") {
      auto flag = parse_go_bool(value);
      if (!flag)
        return make_error(errc::invalid_argument, "invalid --security-opt 2: " + go_quote(opt));
      (key == "no-new-privileges" ? out.no_new_privileges : out.writable_cgroups) = *flag;
    } else {
      return make_error(errc::invalid_argument, "invalid --security-opt 2: " + go_quote(opt));
    }
  }
  return out;
}

} // namespace berth::runtime
