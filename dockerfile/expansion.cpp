// Per-instruction substitution and the path rules that follow it.
#include "dockerfile/expansion.hpp"

#include "base/error.hpp"
#include "runtime/go_text.hpp"

namespace berth::dockerfile {

namespace {

shell_env env_of(const std::map<std::string, std::string>& values) {
  shell_env env;
  for (const auto& [key, value] : values)
    env.set(key, value);
  return env;
}

/// Applies process_word to each field; stops at the first error.
struct word_expander {
  const shell_lexer& lexer;
  const shell_env& env;

  caf::error operator()(std::string& word) const {
    auto out = lexer.process_word(word, env);
    if (!out) return out.error();
    word = std::move(*out);
    return {};
  }
  caf::error all(std::vector<std::string>& words) const {
    for (auto& w : words)
      if (auto err = (*this)(w)) return err;
    return {};
  }
  caf::error pairs(std::vector<key_value>& kvs) const {
    for (auto& kv : kvs) {
      if (auto err = (*this)(kv.key)) return err;
      if (auto err = (*this)(kv.value)) return err;
    }
    return {};
  }
  caf::error paths(sources_and_dest& p) const {
    if (auto err = all(p.sources)) return err;
    return (*this)(p.dest);
  }
  caf::error args(std::vector<arg_definition>& defs) const {
    for (auto& def : defs) {
      if (auto err = (*this)(def.key)) return err;
      if (def.value)
        if (auto err = (*this)(*def.value)) return err;
    }
    return {};
  }
};

} // namespace

caf::error expand_instruction(instruction& ins, const shell_lexer& lexer, const shell_env& env) {
  word_expander expand{lexer, env};
  if (auto* e = ins.get<env_instruction>()) return expand.pairs(e->pairs);
  if (auto* l = ins.get<label_instruction>())
    return l->no_expand ? caf::error{} : expand.pairs(l->pairs);
  if (auto* a = ins.get<add_instruction>()) {
    for (auto* field : {&a->chown, &a->chmod, &a->checksum})
      if (auto err = expand(*field)) return err;
    return expand.paths(a->paths);
  }
  if (auto* c = ins.get<copy_instruction>()) {
    for (auto* field : {&c->chown, &c->chmod})
      if (auto err = expand(*field)) return err;
    return expand.paths(c->paths);
  }
  if (auto* w = ins.get<workdir_instruction>()) return expand(w->path);
  if (auto* u = ins.get<user_instruction>()) return expand(u->user);
  if (auto* v = ins.get<volume_instruction>()) return expand.all(v->paths);
  if (auto* s = ins.get<stopsignal_instruction>()) return expand(s->signal);
  if (auto* a = ins.get<arg_instruction>()) return expand.args(a->args);
  if (auto* e = ins.get<expose_instruction>()) {
    std::vector<std::string> ports;
    for (const auto& p : e->ports) {
      auto words = lexer.process_words(p, env);
      if (!words) return words.error();
      ports.insert(ports.end(), words->begin(), words->end());
    }
    e->ports = std::move(ports);
  }
  return {};
}

caf::expected<std::string> expand_base_name(const stage& from, const shell_lexer& lexer,
                                            const build_args& args) {
  auto name = lexer.process_word(from.base_name, env_of(args.all_meta()));
  if (!name) return name.error();
  if (name->empty())
    return make_error(errc::invalid_argument,
                      "base name (" + from.base_name + ") should not be blank");
  return name;
}

caf::expected<std::string> expand_platform(const stage& from, const shell_lexer& lexer,
                                           const build_args& args) {
  if (from.platform.empty()) return std::string{};
  auto platform = lexer.process_word(from.platform, env_of(args.all_meta()));
  if (!platform)
    return make_error(errc::invalid_argument, "failed to process arguments for platform : " +
                                                  error_message(platform.error()));
  return platform;
}

caf::error apply_meta_arg(instruction& arg, const shell_lexer& lexer, build_args& args) {
  auto* defs = arg.get<arg_instruction>();
  if (defs == nullptr) return make_error(errc::invalid_argument, "not an ARG instruction");
  auto env = env_of(args.all_allowed());
  if (auto err = word_expander{lexer, env}.args(defs->args)) return err;
  for (const auto& def : defs->args) {
    args.add_arg(def.key, def.value);
    args.add_meta_arg(def.key, def.value);
  }
  return {};
}

caf::expected<std::string> normalize_workdir(const std::string& current,
                                             const std::string& requested) {
  if (requested.empty()) return make_error(errc::invalid_argument, "cannot normalize nothing");
  if (requested.front() != '/') return runtime::clean_path("/" + current + "/" + requested);
  return runtime::clean_path(requested);
}

std::string normalize_copy_dest(const std::string& working_dir, const std::string& dest) {
  if (!dest.empty() && dest.front() == '/') return dest;
  auto out = runtime::clean_path("/" + working_dir + "/" + dest);
  if (!dest.empty() && dest.back() == '/' && out != "/") out += '/';
  return out;
}

} // namespace berth::dockerfile
