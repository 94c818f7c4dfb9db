// berth-shim's command line.
#include "shim/options.hpp"

#include <cstddef>
#include <string_view>

#include "shim/io.hpp"

namespace berth::shim {

namespace {

bool is_bool_flag(std::string_view name) {
  return name == "--tty" || name == "--stdin" || name == "--stdin-once";
}

} // namespace

result<options> parse_options(const std::vector<std::string>& args) {
  options out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view name = arg;
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos && arg.substr(0, 2) == "--") {
      name = arg.substr(0, eq);
      value = std::string{arg.substr(eq + 1)};
      has_value = true;
    }
    if (is_bool_flag(name)) {
      bool flag = true;
      if (has_value) {
        if (value != "true" && value != "false") return error{"invalid value for " + args[i]};
        flag = value == "true";
      }
      if (name == "--tty")
        out.tty = flag;
      else if (name == "--stdin")
        out.open_stdin = flag;
      else
        out.stdin_once = flag;
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) return error{"flag needs a value: " + std::string{name}};
      value = args[++i];
    }
    long long number = 0;
    auto integer = [&](long long min, long long max) -> status {
      if (!parse_int(value, min, max, number))
        return error{"invalid value for " + std::string{name} + ": " + value};
      return {};
    };
    if (name == "--id")
      out.id = value;
    else if (name == "--bundle")
      out.bundle = value;
    else if (name == "--runtime")
      out.runtime = value;
    else if (name == "--runtime-arg")
      out.runtime_args.push_back(value);
    else if (name == "--runtime-root")
      out.runtime_root = value;
    else if (name == "--state-dir")
      out.state_dir = value;
    else if (name == "--log-path")
      out.log_path = value;
    else if (name == "--log-max-size") {
      if (auto st = integer(0, INT64_MAX); !st) return st.take_error();
      out.log_max_size = static_cast<uint64_t>(number);
    } else if (name == "--log-max-files") {
      if (auto st = integer(1, 1000); !st) return st.take_error();
      out.log_max_files = static_cast<int>(number);
    } else if (name == "--rows" || name == "--cols") {
      if (auto st = integer(0, 65535); !st) return st.take_error();
      (name == "--rows" ? out.rows : out.cols) = static_cast<int>(number);
    } else if (name == "--sync-fd") {
      if (auto st = integer(0, 1 << 20); !st) return st.take_error();
      out.sync_fd = static_cast<int>(number);
    } else {
      return error{"unknown flag: " + std::string{name}};
    }
  }
  for (auto [flag, value] :
       {std::pair{"--id", &out.id}, std::pair{"--bundle", &out.bundle},
        std::pair{"--runtime", &out.runtime}, std::pair{"--runtime-root", &out.runtime_root},
        std::pair{"--state-dir", &out.state_dir}})
    if (value->empty()) return error{std::string{"missing "} + flag};
  if (out.state_dir.front() != '/') return error{"--state-dir must be absolute"};
  if (out.id.find_first_of("/ \n") != std::string::npos) return error{"invalid --id"};
  if (out.stdin_once && !out.open_stdin) out.stdin_once = false;
  return out;
}

int find_sync_fd(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view text;
    if (arg == "--sync-fd" && i + 1 < args.size())
      text = args[i + 1];
    else if (arg.substr(0, 10) == "--sync-fd=")
      text = arg.substr(10);
    else
      continue;
    long long fd = -1;
    if (parse_int(text, 0, 1 << 20, fd)) return static_cast<int>(fd);
  }
  return -1;
}

} // namespace berth::shim
