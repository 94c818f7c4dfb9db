// pause, resume and update through the OCI runtime.
#include "actors/container_runtime_ops.hpp"

#include "actors/container_lifecycle.hpp"
#include "base/error.hpp"
#include "base/subprocess.hpp"
#include "base/sys.hpp"

namespace berth::actors {

namespace {

// runc logs `time="..." level=error msg="..."`; the message is what people need to read.
std::string runtime_message(const std::string& output) {
  auto at = output.rfind("msg=\"");
  std::string text = output;
  if (at != std::string::npos) {
    auto end = output.find('"', at + 5);
    while (end != std::string::npos && output[end - 1] == '\\')
      end = output.find('"', end + 1);
    text = output.substr(at + 5, end == std::string::npos ? std::string::npos : end - at - 5);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

} // namespace

std::vector<std::string> runtime_command_line(const daemon_context& ctx,
                                              const container_record& rec,
                                              const std::vector<std::string>& verb) {
  auto entry = ctx.runtimes.runtimes.find(rec.runtime);
  if (entry == ctx.runtimes.runtimes.end()) return {};
  std::vector<std::string> argv{entry->second.path};
  argv.insert(argv.end(), entry->second.args.begin(), entry->second.args.end());
  argv.insert(argv.end(), {"--root", runtime_root(ctx, rec.runtime)});
  argv.insert(argv.end(), verb.begin(), verb.end());
  argv.push_back(rec.id);
  return argv;
}

caf::error run_runtime_command(const std::vector<std::string>& argv) {
  if (argv.empty()) return make_error(errc::invalid_argument, "unknown or invalid runtime name");
  auto r = run_process(argv, std::chrono::seconds(30));
  if (!r) return r.error();
  if (r->exit_code != 0) {
    auto message = runtime_message(r->output);
    return make_error(errc::system, message.empty() ? argv[0] + " exited with status " +
                                                          std::to_string(r->exit_code)
                                                    : message);
  }
  return {};
}

caf::error update_runtime_resources(const daemon_context& ctx, const container_record& rec,
                                    const container_paths& paths, const nlohmann::json& resources) {
  auto file = paths.bundle + "/update.json";
  if (auto err = sys::write_file_atomic(file, resources.dump(), 0600)) return err;
  auto err = run_runtime_command(runtime_command_line(ctx, rec, {"update", "--resources", file}));
  (void)sys::remove(file);
  return err;
}

} // namespace berth::actors
