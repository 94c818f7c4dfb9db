// Instruction flags with buildkit's rules and messages.
#include "dockerfile/build_flags.hpp"

#include "base/error.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/suggestion.hpp"

namespace berth::dockerfile {

namespace {

caf::error fail(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

} // namespace

build_flags::flag& build_flags::declare(std::string name, kind type) {
  flags_.push_back(flag{std::move(name), type, type == kind::boolean ? "false" : "", {}, false});
  return flags_.back();
}

const build_flags::flag* build_flags::find(std::string_view name) const {
  for (const auto& f : flags_)
    if (f.name == name) return &f;
  return nullptr;
}

caf::error build_flags::parse() {
  for (const auto& arg : args_) {
    if (arg == "--") return {};
    if (!arg.starts_with("--")) return fail("arg should start with -- : " + arg);
    auto eq = arg.find('=');
    bool has_value = eq != std::string::npos;
    std::string flag_name = has_value ? arg.substr(0, eq) : arg;
    std::string value = has_value ? arg.substr(eq + 1) : std::string{};
    auto name = flag_name.substr(2);
    flag* f = nullptr;
    for (auto& candidate : flags_)
      if (candidate.name == name) f = &candidate;
    if (f == nullptr) {
      std::vector<std::string_view> names;
      for (const auto& candidate : flags_)
        names.push_back(candidate.name);
      return fail(with_suggestion("unknown flag: " + flag_name, name, names, true));
    }
    if (f->used && f->type != kind::strings) return fail("duplicate flag specified: " + flag_name);
    if (!f->used) order_.push_back(f->name);
    f->used = true;
    switch (f->type) {
    case kind::boolean: {
      if (has_value && value.empty()) return fail("missing a value on flag: " + flag_name);
      auto lower = ascii_lower(value);
      if (lower == "true" || lower.empty())
        f->value = "true";
      else if (lower == "false")
        f->value = "false";
      else
        return fail("expecting boolean value for flag " + flag_name + ", not: " + value);
      break;
    }
    case kind::string:
      if (!has_value) return fail("missing a value on flag: " + flag_name);
      f->value = value;
      break;
    case kind::strings:
      if (!has_value) return fail("missing a value on flag: " + flag_name);
      f->values.push_back(value);
      break;
    }
  }
  return {};
}

std::string build_flags::string(std::string_view name) const {
  auto f = find(name);
  return f ? f->value : std::string{};
}

bool build_flags::boolean(std::string_view name) const {
  auto f = find(name);
  return f && f->value == "true";
}

std::vector<std::string> build_flags::strings(std::string_view name) const {
  auto f = find(name);
  return f ? f->values : std::vector<std::string>{};
}

bool build_flags::used(std::string_view name) const {
  auto f = find(name);
  return f && f->used;
}

std::vector<std::string> build_flags::used_names() const {
  return order_;
}

} // namespace berth::dockerfile
