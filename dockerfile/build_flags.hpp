// The `--name=value` flags of one instruction (buildkit's BFlags): declared per instruction,
// then parsed with buildkit's messages ("unknown flag: --x (did you mean y?)", "missing a value
// on flag: --from", "duplicate flag specified: --from", "expecting boolean value for flag
// --link, not: maybe").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>

namespace berth::dockerfile {

class build_flags {
 public:
  explicit build_flags(std::vector<std::string> args) : args_(std::move(args)) {}

  /// Declares a flag; declare all before parse().
  void add_bool(std::string name) { declare(std::move(name), kind::boolean); }
  void add_string(std::string name, std::string fallback = {}) {
    declare(std::move(name), kind::string).value = std::move(fallback);
  }
  void add_strings(std::string name) { declare(std::move(name), kind::strings); }

  /// Reads the arguments; a bare "--" ends them.
  [[nodiscard]] caf::error parse();

  /// A string flag's value (its default when not given).
  [[nodiscard]] std::string string(std::string_view name) const;

  /// A bool flag's value: false unless given as "--x", "--x=true" (any case).
  [[nodiscard]] bool boolean(std::string_view name) const;

  /// A repeatable flag's values, in order.
  [[nodiscard]] std::vector<std::string> strings(std::string_view name) const;

  /// Whether the flag was given.
  [[nodiscard]] bool used(std::string_view name) const;

  /// The names of the given flags, in the order they were first given.
  [[nodiscard]] std::vector<std::string> used_names() const;

 private:
  enum class kind { boolean, string, strings };
  struct flag {
    std::string name;
    kind type;
    std::string value;
    std::vector<std::string> values;
    bool used = false;
  };

  flag& declare(std::string name, kind type);
  [[nodiscard]] const flag* find(std::string_view name) const;

  std::vector<std::string> args_;
  std::vector<flag> flags_;
  std::vector<std::string> order_;
};

} // namespace berth::dockerfile
