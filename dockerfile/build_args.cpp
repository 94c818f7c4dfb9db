// dockerd's BuildArgs.
#include "dockerfile/build_args.hpp"

#include <algorithm>
#include <set>

namespace berth::dockerfile {

namespace {

constexpr std::string_view builtin_args[] = {
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
    "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

std::string key_of(const std::string& kv) {
  return kv.substr(0, kv.find('='));
}

} // namespace

bool is_builtin_build_arg(std::string_view key) {
  return std::find(std::begin(builtin_args), std::end(builtin_args), key) != std::end(builtin_args);
}

build_args::build_args(std::map<std::string, std::optional<std::string>> from_options)
    : from_options_(from_options.begin(), from_options.end()) {}

build_args build_args::for_new_stage() const {
  build_args out = *this;
  out.allowed_.clear();
  return out;
}

void build_args::add_arg(const std::string& key, const std::optional<std::string>& value) {
  allowed_.insert_or_assign(key, value);
  referenced_.insert_or_assign(key, true);
}

void build_args::add_meta_arg(const std::string& key, const std::optional<std::string>& value) {
  meta_.insert_or_assign(key, value);
}

std::optional<std::string> build_args::value_of(const std::string& key,
                                                const values& source) const {
  if (auto it = from_options_.find(key); it != from_options_.end() && it->second) return it->second;
  auto it = source.find(key);
  if (it == source.end() || !it->second) {
    // No default here: an ARG redeclared without one takes the meta ARG's value.
    if (auto meta = meta_.find(key); meta != meta_.end() && meta->second) return meta->second;
    return std::nullopt;
  }
  return it->second;
}

std::map<std::string, std::string> build_args::all_from(const values& source) const {
  std::set<std::string> keys;
  for (const auto& [key, value] : source)
    keys.insert(key);
  for (auto key : builtin_args)
    keys.emplace(key);
  std::map<std::string, std::string> out;
  for (const auto& key : keys)
    if (auto value = value_of(key, source)) out.emplace(key, *value);
  return out;
}

std::map<std::string, std::string> build_args::all_allowed() const {
  return all_from(allowed_);
}

std::map<std::string, std::string> build_args::all_meta() const {
  return all_from(meta_);
}

std::vector<std::string> build_args::filter_allowed(const std::vector<std::string>& env) const {
  std::set<std::string> set_keys;
  for (const auto& kv : env)
    set_keys.insert(key_of(kv));
  std::vector<std::string> out;
  for (const auto& [key, value] : all_allowed())
    if (!set_keys.contains(key)) out.push_back(key + "=" + value);
  return out;
}

bool build_args::is_referenced_or_not_builtin(std::string_view key) const {
  return allowed_.find(key) != allowed_.end() || !is_builtin_build_arg(key);
}

void build_args::merge_referenced(const build_args& other) {
  for (const auto& [key, yes] : other.referenced_)
    referenced_.insert_or_assign(key, yes);
}

std::vector<std::string> build_args::unused() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : from_options_)
    if (!referenced_.contains(key) && !is_builtin_build_arg(key)) out.push_back(key);
  return out;
}

std::string build_args::unused_warning() const {
  auto keys = unused();
  if (keys.empty()) return {};
  std::string out = "[Warning] One or more build-args [";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out += ' ';
    out += keys[i];
  }
  return out + "] were not consumed\n";
}

std::vector<std::string> substitution_env(const std::vector<std::string>& image_env,
                                          const build_args& args) {
  auto out = image_env;
  auto extra = args.filter_allowed(image_env);
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<std::string> prepend_build_args(const build_args& args,
                                            const std::vector<std::string>& build_arg_env,
                                            const std::vector<std::string>& cmd) {
  std::vector<std::string> kept;
  for (const auto& kv : build_arg_env)
    if (args.is_referenced_or_not_builtin(key_of(kv))) kept.push_back(kv);
  std::sort(kept.begin(), kept.end());
  std::vector<std::string> out{"|" + std::to_string(kept.size())};
  out.insert(out.end(), kept.begin(), kept.end());
  out.insert(out.end(), cmd.begin(), cmd.end());
  return out;
}

} // namespace berth::dockerfile
