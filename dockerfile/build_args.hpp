// Build arguments during a build (dockerd's BuildArgs): --build-arg values, the ARGs declared so
// far in a stage, the meta ARGs (before the first FROM) that FROM lines see, and the proxy
// variables Docker passes to RUN without a declaration. Not thread-safe (one build's state).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::dockerfile {

/// HTTP_PROXY, http_proxy, HTTPS_PROXY, https_proxy, FTP_PROXY, ftp_proxy, NO_PROXY, no_proxy,
/// ALL_PROXY, all_proxy: usable without ARG and left out of the image history unless declared.
[[nodiscard]] bool is_builtin_build_arg(std::string_view key);

class build_args {
 public:
  /// `from_options`: --build-arg values (a key without a value is nullopt: it then counts as not
  /// given, as dockerd treats a null in the request's buildargs).
  explicit build_args(std::map<std::string, std::optional<std::string>> from_options = {});

  /// The arguments for a new stage: the meta ARGs and references kept, the stage's own ARGs
  /// cleared (dockerd's newDispatchState).
  [[nodiscard]] build_args for_new_stage() const;

  /// ARG key[=value] in a stage (after substitution).
  void add_arg(const std::string& key, const std::optional<std::string>& value);

  /// ARG key[=value] before the first FROM: usable by FROM lines, and as a default for a later
  /// `ARG key` without a value.
  void add_meta_arg(const std::string& key, const std::optional<std::string>& value);

  /// The values of the ARGs declared in this stage plus the builtin proxy args given as
  /// --build-arg: --build-arg wins, then the declared default, then a meta ARG's value.
  [[nodiscard]] std::map<std::string, std::string> all_allowed() const;

  /// The same for the meta ARGs (what FROM substitutes with).
  [[nodiscard]] std::map<std::string, std::string> all_meta() const;

  /// "KEY=VALUE" for every allowed arg whose key `env` ("KEY=VALUE" strings) does not set,
  /// sorted by key (dockerd's FilterAllowed, which RUN adds to its environment).
  [[nodiscard]] std::vector<std::string> filter_allowed(const std::vector<std::string>& env) const;

  /// Whether `key` is not a builtin proxy arg, or is one that the Dockerfile declared.
  [[nodiscard]] bool is_referenced_or_not_builtin(std::string_view key) const;

  /// Keeps the args `other` (a finished stage) referenced.
  void merge_referenced(const build_args& other);

  /// The --build-arg keys no ARG used (builtins excluded), sorted.
  [[nodiscard]] std::vector<std::string> unused() const;

  /// dockerd's "[Warning] One or more build-args [a b] were not consumed\n", or "".
  [[nodiscard]] std::string unused_warning() const;

 private:
  using values = std::map<std::string, std::optional<std::string>, std::less<>>;

  [[nodiscard]] std::map<std::string, std::string> all_from(const values& source) const;
  [[nodiscard]] std::optional<std::string> value_of(const std::string& key,
                                                    const values& source) const;

  values from_options_;
  values allowed_;
  values meta_;
  std::map<std::string, bool, std::less<>> referenced_;
};

/// The environment a stage's instructions substitute with: `image_env` ("KEY=VALUE", the
/// image config's Env so far) then the allowed build args it does not set.
[[nodiscard]] std::vector<std::string> substitution_env(const std::vector<std::string>& image_env,
                                                        const build_args& args);

/// dockerd's prependEnvOnCmd, the command RUN records for the cache and the history when build
/// args are in its environment: {"|<n>", sorted "KEY=VALUE"..., cmd...}, where the pairs are
/// `build_arg_env` minus undeclared builtin proxy args.
[[nodiscard]] std::vector<std::string>
prepend_build_args(const build_args& args, const std::vector<std::string>& build_arg_env,
                   const std::vector<std::string>& cmd);

} // namespace berth::dockerfile
