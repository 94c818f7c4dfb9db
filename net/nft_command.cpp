// Running the `nft` tool.
#include "net/nft_command.hpp"

#include "base/error.hpp"
#include "base/subprocess.hpp"

namespace berth::net {

namespace {

// Listings of a large table (thousands of published ports) exceed the default output cap.
constexpr size_t max_nft_output = 16 << 20;

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

} // namespace

caf::expected<std::string> run_nft(const nft_runner& where, const std::vector<std::string>& args,
                                   std::string_view script) {
  std::vector<std::string> argv;
  if (!where.netns.empty()) argv = {"nsenter", "--net=" + where.netns};
  argv.push_back("nft");
  argv.insert(argv.end(), args.begin(), args.end());
  auto ran = run_process(argv, script, where.timeout, max_nft_output);
  if (!ran) return ran.error();
  if (ran->exit_code != 0)
    return make_error(errc::system, "nft failed: " + trimmed(std::move(ran->output)));
  if (ran->truncated) return make_error(errc::system, "nft printed more than 16 MiB");
  return std::move(ran->output);
}

caf::error apply_nft_script(const nft_runner& where, std::string_view script) {
  auto out = run_nft(where, {"-f", "-"}, script);
  return out ? caf::error{} : out.error();
}

} // namespace berth::net
