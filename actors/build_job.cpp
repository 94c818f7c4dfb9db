// The classic builder's job actor (see build_job.hpp): one `builder` object per build holds the
// state of the dispatch (dockerd's dispatchState) and runs the steps one after another, each step
// a chain of requests to the images and containers managers and of blocking-pool jobs.
#include "actors/build_job.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <stop_token>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/build_steps.hpp"
#include "actors/build_workspace.hpp"
#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/events_actor.hpp"
#include "actors/images_manager.hpp"
#include "actors/own_thread.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "distribution/registry_service.hpp"
#include "dockerfile/build_args.hpp"
#include "dockerfile/config_changes.hpp"
#include "dockerfile/expansion.hpp"
#include "dockerfile/go_unicode.hpp"
#include "dockerfile/instructions.hpp"
#include "dockerfile/shell_lexer.hpp"
#include "metrics/daemon_probes.hpp"
#include "registry/platform.hpp"
#include "runtime/go_text.hpp"
#include "runtime/log_follower.hpp"
#include "storage/image_index.hpp"
#include "storage/reference.hpp"

namespace berth::actors {

namespace {

using json = nlohmann::json;
namespace df = dockerfile;

constexpr log::logger lg{"builder"};

// Manager requests that only touch indexes; steps that copy or commit files get no deadline.
constexpr auto quick = std::chrono::seconds(60);
constexpr auto long_step = std::chrono::seconds(24 * 3600);

class builder : public std::enable_shared_from_this<builder> {
 public:
  builder(caf::event_based_actor* self, build_setup setup, build_request req)
      : self_(self), setup_(std::move(setup)), req_(std::move(req)),
        args_(req_.options.build_args) {}

  void start();
  void cancel();

 private:
  using next_fn = std::function<void()>;

  // ---- plumbing
  void say(const std::string& text) { req_.emit(stream_line(text)); }
  void fail(caf::error err);
  void finish(std::string image_id);
  void cleanup(std::function<void()> then);
  template <class Job, class Then>
  void blocking(Job job, Then then);
  images_manager_actor images() {
    return directory::lookup<images_manager_actor>(self_->system(), directory::images);
  }
  containers_manager_actor containers() {
    return directory::lookup<containers_manager_actor>(self_->system(), directory::containers);
  }

  // ---- the dispatch
  void prepared(std::shared_ptr<build_workspace> ws, df::parsed_dockerfile file);
  void next_stage();
  void begin_stage(const std::string& image_id, image_view* base);
  void next_instruction();
  void step_done();
  void dispatch(df::instruction ins);
  void metadata_step(const df::instruction& ins, const std::string& comment, bool single_arg);
  void commit_config(json container_config, std::string upper, std::vector<std::string> lowers,
                     std::string container_id, next_fn after);
  void probe_cache(const json& container_config, std::function<void(bool)> then);
  void run_step(const df::run_instruction& run);
  void run_container(json body, json probe, std::vector<std::string> cmd);
  void follow_output(const std::string& log_path,
                     std::shared_ptr<runtime::log_follow_signal> output, next_fn after);
  void copy_step(const df::instruction& ins);
  void with_image(const std::string& name, std::function<void(image_view&)> then);
  void with_source_image(const std::string& name, std::function<void(image_view&)> then);
  void pull_image(const std::string& name, std::function<void(image_view&)> then);
  void remove_container(const std::string& id, next_fn then);
  void tag_next(size_t i, std::string image_id);
  void publish_build_event(const std::string& image_id);

  caf::event_based_actor* self_;
  build_setup setup_;
  build_request req_;
  int64_t began_ = monotonic_nanos();
  std::shared_ptr<build_workspace> ws_;
  df::parsed_dockerfile file_;
  df::build_args args_;
  df::shell_lexer lexer_;
  size_t step_ = 1;
  size_t total_ = 0;
  std::set<std::string> later_stages_; // names of the stages after --target (not built)
  size_t stage_index_ = 0;
  std::map<std::string, std::string> stage_images_; // lower-case name and index → image ID
  // The stage being dispatched.
  std::vector<df::instruction> commands_;
  size_t command_index_ = 0;
  std::string image_id_;
  json config_ = json::object();
  std::string author_;
  bool cmd_set_ = false;
  df::build_args stage_args_;
  std::vector<std::string> containers_left_; // intermediate containers not removed yet
  std::shared_ptr<runtime::log_follow_signal> output_; // the last RUN's, finished at the end
  std::string running_; // the RUN container between its creation and its exit
  bool cancelled_ = false;
  bool finished_ = false;
  std::optional<std::stop_callback<std::function<void()>>> client_watch_;
};

template <class Job, class Then>
void builder::blocking(Job job, Then then) {
  auto pool = blocking_pool_of(self_);
  if (!pool) return fail(make_error(errc::unavailable, "the blocking pool is not running"));
  run_blocking(self_, pool, std::move(job), std::move(then));
}

caf::error canceled() {
  return make_error(errc::unavailable, "build canceled: the client went away");
}

void builder::start() {
  // The client leaving reaches the actor as a message: the callback runs on the connection's
  // thread, or right here when it has already left.
  client_watch_.emplace(req_.stop, [weak = self_->address()] {
    if (auto me = caf::actor_cast<caf::actor>(weak)) caf::anon_send(me, stop_atom_v);
  });
  auto me = shared_from_this();
  auto ctx = req_.context;
  auto root = setup_.data_root + "/builder";
  auto dockerfile = req_.options.dockerfile;
  using opened = std::pair<std::shared_ptr<build_workspace>, df::parsed_dockerfile>;
  // The Dockerfile (up to 16 MiB) is parsed off the actor's thread too.
  blocking(
      [ctx, root, dockerfile]() -> caf::expected<opened> {
        auto ws = build_workspace::open(root, *ctx, dockerfile);
        if (!ws) return ws.error();
        auto file =
            df::parse_dockerfile((*ws)->context.dockerfile_text, (*ws)->context.dockerfile_path);
        if (!file) return file.error(); // ~build_workspace removes the directory
        return opened{std::move(*ws), std::move(*file)};
      },
      [me](caf::expected<opened> ready) {
        if (!ready) return me->fail(ready.error());
        me->prepared(std::move(ready->first), std::move(ready->second));
      });
}

void builder::prepared(std::shared_ptr<build_workspace> ws, df::parsed_dockerfile file) {
  ws_ = std::move(ws);
  file_ = std::move(file);
  lexer_ = df::shell_lexer{file_.escape};
  for (const auto& line : df::warning_lines(file_.warnings))
    say(line + "\n");
  if (!req_.options.target.empty()) {
    auto index = file_.find_stage(req_.options.target);
    if (!index)
      return fail(make_error(errc::invalid_argument,
                             "target stage \"" + req_.options.target + "\" could not be found"));
    // Not built, but COPY --from may not name them either.
    for (auto s = file_.stages.begin() + *index + 1; s != file_.stages.end(); ++s)
      if (!s->name.empty()) later_stages_.insert(s->name);
    file_.stages.resize(*index + 1);
  }
  if (file_.stages.empty())
    return fail(make_error(errc::invalid_argument, "no build stage in current context"));
  for (const auto& [key, value] : req_.options.labels)
    file_.stages.back().commands.push_back(df::make_label_instruction(key, value));
  total_ = file_.total_steps();
  for (auto& meta : file_.meta_args) {
    say("Step " + std::to_string(step_++) + "/" + std::to_string(total_) + " : " + meta.code +
        "\n");
    if (auto err = df::apply_meta_arg(meta, lexer_, args_)) return fail(err);
  }
  next_stage();
}

// The client went away (dockerd cancels the build's context): a running RUN's container goes at
// once (fail removes it); any other step ends the build once it is done.
void builder::cancel() {
  cancelled_ = true;
  if (!running_.empty()) fail(canceled());
}

void builder::next_stage() {
  if (cancelled_) return fail(canceled());
  if (stage_index_ == file_.stages.size()) {
    auto warning = args_.unused_warning();
    if (!warning.empty()) say(warning);
    return finish(image_id_);
  }
  const auto& stage = file_.stages[stage_index_];
  say("Step " + std::to_string(step_++) + "/" + std::to_string(total_) + " : " + stage.code + "\n");
  stage_args_ = args_.for_new_stage();
  auto base = df::expand_base_name(stage, lexer_, args_);
  if (!base) return fail(base.error());
  auto platform = df::expand_platform(stage, lexer_, args_);
  if (!platform) return fail(platform.error());
  if (!platform->empty() && *platform != "linux/amd64" && *platform != "linux")
    return fail(make_error(errc::invalid_argument,
                           "platform " + *platform + " is not supported: only linux/amd64"));
  auto known = stage_images_.find(df::ascii_lower(*base));
  if (known != stage_images_.end()) return begin_stage(known->second, nullptr);
  if (df::ascii_lower(*base) == "scratch") return begin_stage("", nullptr);
  auto me = shared_from_this();
  with_source_image(*base, [me](image_view& v) { me->begin_stage(v.image.id, &v); });
}

void builder::with_image(const std::string& name, std::function<void(image_view&)> then) {
  auto target = images();
  if (!target) return fail(make_error(errc::unavailable, "the images component is not available"));
  auto me = shared_from_this();
  self_->request(target, quick, inspect_atom_v, name)
      .then([then](image_view& v) { then(v); }, [me](caf::error& err) { me->fail(err); });
}

// A FROM or COPY --from image named by the Dockerfile: the local one, pulled when it is missing
// (or always with --pull), as dockerd's classic builder does (PullOptionPreferLocal/ForcePull).
void builder::with_source_image(const std::string& name, std::function<void(image_view&)> then) {
  if (req_.options.pull) return pull_image(name, std::move(then));
  auto target = images();
  if (!target) return fail(make_error(errc::unavailable, "the images component is not available"));
  auto me = shared_from_this();
  self_->request(target, quick, inspect_atom_v, name)
      .then([then](image_view& v) { then(v); },
            [me, name, then](caf::error& err) {
              if (error_kind(err) != errc::not_found) return me->fail(err);
              me->pull_image(name, then);
            });
}

void builder::pull_image(const std::string& name, std::function<void(image_view&)> then) {
  auto ref = storage::parse_normalized(name);
  if (!ref) return fail(ref.error());
  auto wanted = storage::with_default_tag(*ref);
  auto target = images();
  if (!target) return fail(make_error(errc::unavailable, "the images component is not available"));
  image_pull_request pull{
      wanted, registry::default_platform(),
      distribution::credentials_for_domain(req_.options.registry_auths, wanted.domain),
      req_.pull_output, req_.stop};
  auto me = shared_from_this();
  self_->request(target, long_step, pull_atom_v, std::move(pull))
      .then([me, wanted, then](image_pull_outcome&) { me->with_image(wanted.string(), then); },
            [me](caf::error& err) { me->fail(err); });
}

void builder::begin_stage(const std::string& image_id, image_view* base) {
  image_id_ = image_id;
  author_.clear();
  cmd_set_ = false;
  if (base) {
    config_ = base->image.config.value("config", json::object());
    if (config_.is_null()) config_ = json::object();
    author_ = base->image.config.value("author", std::string{});
  } else if (image_id.empty()) {
    config_ = json::object();
  } else {
    // A previous stage: fetch its config.
    auto me = shared_from_this();
    auto id = image_id;
    return with_image(id, [me](image_view& v) { me->begin_stage(v.image.id, &v); });
  }
  commands_.clear();
  // The base image's ONBUILD triggers run first (dockerd's dispatchTriggeredOnBuild).
  auto triggers = df::config_strings(config_, "OnBuild");
  config_["OnBuild"] = nullptr;
  if (!triggers.empty()) {
    say("# Executing " + std::to_string(triggers.size()) + " build trigger" +
        (triggers.size() > 1 ? "s" : "") + "\n");
    for (const auto& t : triggers) {
      auto ins = df::parse_trigger(t);
      if (!ins) return fail(ins.error());
      ins->code.clear(); // no "Step" line for a trigger
      commands_.push_back(std::move(*ins));
    }
  }
  for (const auto& c : file_.stages[stage_index_].commands)
    commands_.push_back(c);
  command_index_ = 0;
  say(" ---> " + storage::short_id(image_id_) + "\n");
  next_instruction();
}

void builder::next_instruction() {
  if (cancelled_) return fail(canceled());
  if (command_index_ == commands_.size()) {
    const auto& stage = file_.stages[stage_index_];
    stage_images_[std::to_string(stage.index)] = image_id_;
    if (!stage.name.empty()) stage_images_[df::ascii_lower(stage.name)] = image_id_;
    args_.merge_referenced(stage_args_);
    ++stage_index_;
    return next_stage();
  }
  auto ins = commands_[command_index_++];
  if (!ins.code.empty())
    say("Step " + std::to_string(step_++) + "/" + std::to_string(total_) + " : " + ins.code + "\n");
  if (setup_.probes) setup_.probes->builds().step();
  auto env = df::shell_env::from_list(df::substitution_env(df::config_env(config_), stage_args_));
  if (auto err = df::expand_instruction(ins, lexer_, env)) return fail(err);
  if (auto err = df::legacy_builder_refusal(ins)) return fail(err);
  dispatch(std::move(ins));
}

void builder::step_done() {
  say(" ---> " + storage::short_id(image_id_) + "\n");
  next_instruction();
}

void builder::dispatch(df::instruction ins) {
  if (const auto* run = ins.get<df::run_instruction>()) return run_step(*run);
  if (ins.get<df::copy_instruction>() || ins.get<df::add_instruction>()) return copy_step(ins);
  if (const auto* arg = ins.get<df::arg_instruction>()) {
    for (const auto& a : arg->args)
      stage_args_.add_arg(a.key, a.value);
    return metadata_step(ins, commit_comment(ins, config_), false);
  }
  if (const auto* m = ins.get<df::maintainer_instruction>()) {
    author_ = m->maintainer;
    return metadata_step(ins, commit_comment(ins, config_), false);
  }
  if (auto err = df::apply_instruction(config_, ins, cmd_set_)) return fail(err);
  if (ins.get<df::workdir_instruction>())
    return metadata_step(ins, "WORKDIR " + config_.value("WorkingDir", std::string{}), true);
  metadata_step(ins, commit_comment(ins, config_), false);
}

void builder::probe_cache(const json& container_config, std::function<void(bool)> then) {
  if (req_.options.no_cache) return then(false);
  auto target = images();
  if (!target) return then(false);
  auto me = shared_from_this();
  self_->request(target, quick, caf::get_atom_v, build_cache_probe{image_id_, container_config})
      .then(
          [me, then](std::string& cached) {
            if (cached.empty()) return then(false);
            me->say(" ---> Using cache\n");
            if (me->setup_.probes) me->setup_.probes->builds().cache_hit();
            me->image_id_ = cached;
            then(true);
          },
          [then](caf::error&) { then(false); });
}

void builder::metadata_step(const df::instruction&, const std::string& comment, bool single_arg) {
  auto container_config = nop_config(config_, comment, single_arg);
  auto me = shared_from_this();
  probe_cache(container_config, [me, container_config](bool hit) {
    if (hit) return me->step_done();
    me->commit_config(container_config, "", {}, "", [me] { me->step_done(); });
  });
}

void builder::commit_config(json container_config, std::string upper,
                            std::vector<std::string> lowers, std::string container_id,
                            next_fn after) {
  auto target = images();
  if (!target) return fail(make_error(errc::unavailable, "the images component is not available"));
  image_commit_request req;
  req.parent_id = image_id_;
  req.upper_dir = std::move(upper);
  req.lower_dirs = std::move(lowers);
  req.child.config = config_;
  req.child.created_by = created_by(container_config);
  req.child.container_config = std::move(container_config);
  req.child.container_id = std::move(container_id);
  req.child.author = author_;
  auto me = shared_from_this();
  self_->request(target, long_step, commit_atom_v, std::move(req))
      .then(
          [me, after](std::string& id) {
            me->image_id_ = id;
            after();
          },
          [me](caf::error& err) { me->fail(err); });
}

// ---- RUN

void builder::run_step(const df::run_instruction& run) {
  auto shell = shell_of(config_);
  auto cmd = df::resolve_command_line(run.command, shell).value_or(std::vector<std::string>{});
  auto arg_env = stage_args_.filter_allowed(df::config_env(config_));
  auto save_cmd = arg_env.empty() ? cmd : df::prepend_build_args(stage_args_, arg_env, cmd);
  json probe = config_;
  probe["Cmd"] = save_cmd;
  probe["Entrypoint"] = nullptr;
  auto me = shared_from_this();
  probe_cache(probe, [me, probe, cmd, arg_env](bool hit) {
    if (hit) return me->step_done();
    json body = me->config_;
    body["Image"] = me->image_id_;
    body["Cmd"] = cmd;
    auto env = df::config_env(me->config_);
    env.insert(env.end(), arg_env.begin(), arg_env.end());
    body["Env"] = env;
    body["Entrypoint"] = json::array({""});
    body["Healthcheck"] = {{"Test", {"NONE"}}};
    body["Tty"] = false;
    body["OpenStdin"] = false;
    body["AttachStdout"] = true;
    body["AttachStderr"] = true;
    const auto& o = me->req_.options;
    json host = {{"LogConfig", {{"Type", "json-file"}, {"Config", json::object()}}}};
    if (!o.network_mode.empty() && o.network_mode != "default")
      host["NetworkMode"] = o.network_mode;
    if (o.shm_size > 0) host["ShmSize"] = o.shm_size;
    if (o.memory > 0) host["Memory"] = o.memory;
    if (o.memory_swap != 0) host["MemorySwap"] = o.memory_swap;
    if (o.cpu_shares > 0) host["CpuShares"] = o.cpu_shares;
    if (o.cpu_period > 0) host["CpuPeriod"] = o.cpu_period;
    if (o.cpu_quota > 0) host["CpuQuota"] = o.cpu_quota;
    if (!o.cpuset_cpus.empty()) host["CpusetCpus"] = o.cpuset_cpus;
    if (!o.cpuset_mems.empty()) host["CpusetMems"] = o.cpuset_mems;
    if (!o.cgroup_parent.empty()) host["CgroupParent"] = o.cgroup_parent;
    if (!o.extra_hosts.empty()) host["ExtraHosts"] = o.extra_hosts;
    body["HostConfig"] = host;
    me->run_container(std::move(body), probe, cmd);
  });
}

// Streams a RUN's output to the client until `output` is finished (the container exited), then
// calls `after`. On a thread of its own: a RUN may take hours, which must not hold one of the
// blocking pool's bounded workers.
void builder::follow_output(const std::string& log_path,
                            std::shared_ptr<runtime::log_follow_signal> output, next_fn after) {
  auto emit = req_.emit;
  run_on_own_thread(
      self_,
      [log_path, output, emit]() -> caf::error {
        runtime::follow_log(
            log_path, {}, *output,
            [&emit](const runtime::log_entry& e) {
              emit(stream_line(e.text));
              return true;
            },
            [] { return true; });
        return {};
      },
      [after](caf::error) { after(); });
}

void builder::run_container(json body, json probe, std::vector<std::string> cmd) {
  auto target = containers();
  if (!target)
    return fail(make_error(errc::unavailable, "the containers component is not available"));
  auto me = shared_from_this();
  self_->request(target, quick, create_atom_v, create_request{"", std::move(body)})
      .then(
          [me, target, probe, cmd](create_result& created) {
            auto id = created.id;
            me->containers_left_.push_back(id);
            me->running_ = id;
            if (me->cancelled_) return me->fail(canceled());
            for (const auto& w : created.warnings)
              me->say(" ---> [Warning] " + w + "\n");
            me->say(" ---> Running in " + storage::short_id(id) + "\n");
            me->self_->request(target, quick, resolve_atom_v, id)
                .then(
                    [me, id, probe, cmd](resolved_container& rc) {
                      auto actor = rc.actor;
                      me->self_->request(actor, quick, inspect_atom_v)
                          .then(
                              [me, actor, id, probe, cmd](container_record& rec) {
                                if (me->finished_) return; // canceled meanwhile
                                auto paths =
                                    paths_of(rec, me->setup_.data_root, me->setup_.exec_root);
                                auto output = std::make_shared<runtime::log_follow_signal>();
                                me->output_ = output;
                                auto state = std::make_shared<int>(0); // 2 when both done
                                auto code = std::make_shared<int64_t>(-1);
                                auto after = [me, state, code, rec, paths, id, probe, cmd] {
                                  if (++*state < 2 || me->finished_) return;
                                  if (*code != 0)
                                    return me->fail(make_error(errc::invalid_argument,
                                                               "The command '" +
                                                                   runtime::join(cmd, " ") +
                                                                   "' returned a non-zero code: " +
                                                                   std::to_string(*code)));
                                  me->commit_config(probe, paths.layer_dir + "/diff",
                                                    rec.lower_dirs, id, [me, id] {
                                                      if (!me->req_.options.remove)
                                                        return me->step_done();
                                                      me->remove_container(
                                                          id, [me] { me->step_done(); });
                                                    });
                                };
                                me->self_
                                    ->request(actor, long_step, wait_atom_v,
                                              wait_condition::next_exit)
                                    .then(
                                        [me, output, code, after](wait_result& w) {
                                          me->running_.clear();
                                          *code = w.status_code;
                                          output->finish();
                                          after();
                                        },
                                        [me, output](caf::error& err) {
                                          me->running_.clear();
                                          output->finish();
                                          me->fail(err);
                                        });
                                me->self_->request(actor, long_step, start_atom_v)
                                    .then([me, output, paths,
                                           after] { me->follow_output(paths.log, output, after); },
                                          [me, output](caf::error& err) {
                                            output->finish();
                                            me->fail(err);
                                          });
                              },
                              [me](caf::error& err) { me->fail(err); });
                    },
                    [me](caf::error& err) { me->fail(err); });
          },
          [me](caf::error& err) { me->fail(err); });
}

void builder::remove_container(const std::string& id, next_fn then) {
  auto target = containers();
  auto me = shared_from_this();
  auto forget = [me, id, then] {
    auto& left = me->containers_left_;
    left.erase(std::remove(left.begin(), left.end(), id), left.end());
    me->say(" ---> Removed intermediate container " + storage::short_id(id) + "\n");
    then();
  };
  if (!target) return then();
  self_->request(target, quick, resolve_atom_v, id)
      .then(
          [me, id, forget, then](resolved_container& rc) {
            me->self_->request(rc.actor, long_step, caf::delete_atom_v, true, true)
                .then([forget] { forget(); },
                      [me, id, then](caf::error& err) {
                        me->say("Removing intermediate container " + storage::short_id(id) + ": " +
                                error_message(err) + "\n");
                        then();
                      });
          },
          [then](caf::error&) { then(); });
}

// ---- COPY / ADD

void builder::copy_step(const df::instruction& ins) {
  const auto* copy = ins.get<df::copy_instruction>();
  const auto* add = ins.get<df::add_instruction>();
  copy_spec spec;
  spec.instruction = std::string{ins.name()};
  spec.sources = copy ? copy->paths.sources : add->paths.sources;
  spec.dest = df::normalize_copy_dest(config_.value("WorkingDir", std::string{}),
                                      copy ? copy->paths.dest : add->paths.dest);
  spec.chown = copy ? copy->chown : add->chown;
  spec.extract_archives = add != nullptr;
  auto from = copy ? copy->from : std::string{};
  auto me = shared_from_this();
  // The current image's layers (for --chown names and "is dest a directory"), then --from's.
  auto run = [me, spec](std::vector<std::string> lowers, std::vector<std::string> from_lowers,
                        bool from_image) mutable {
    spec.lowers = std::move(lowers);
    spec.from_lowers = std::move(from_lowers);
    spec.from_image = from_image;
    auto ws = me->ws_;
    me->blocking(
        [ws, spec]() { return ws->prepare_copy(spec); },
        [me, spec](caf::expected<prepared_copy> prepared) {
          if (!prepared) return me->fail(prepared.error());
          std::string chown_comment = spec.chown.empty() ? "" : "--chown=" + spec.chown + " ";
          auto comment = spec.instruction + " " + chown_comment + prepared->checksum + " in " +
                         spec.dest + " ";
          auto probe = nop_config(me->config_, comment, true);
          me->probe_cache(probe, [me, spec, probe, prepared = *prepared](bool hit) {
            if (hit) return me->step_done();
            auto workspace = me->ws_;
            me->blocking(
                [workspace, spec, prepared]() { return workspace->write_copy(spec, prepared); },
                [me, spec, probe](caf::expected<std::string> out) {
                  if (!out) return me->fail(out.error());
                  me->commit_config(probe, *out, spec.lowers, "", [me] { me->step_done(); });
                });
          });
        });
  };
  auto with_current = [me, run, from](std::vector<std::string> lowers) mutable {
    if (from.empty()) return run(std::move(lowers), std::vector<std::string>{}, false);
    auto known = me->stage_images_.find(df::ascii_lower(from));
    auto name = known != me->stage_images_.end() ? known->second : from;
    if (known == me->stage_images_.end() &&
        (me->file_.find_stage(from) || me->later_stages_.count(df::ascii_lower(from))))
      return me->fail(make_error(errc::invalid_argument,
                                 "invalid from flag value " + from +
                                     ": stage cannot refer to itself or a later stage"));
    auto found = [run, lowers](image_view& v) mutable {
      run(std::move(lowers), lower_dirs_of(v), true);
    };
    if (known != me->stage_images_.end()) return me->with_image(name, std::move(found));
    me->with_source_image(name, std::move(found));
  };
  if (image_id_.empty()) return with_current({});
  with_image(image_id_, [with_current](image_view& v) mutable { with_current(lower_dirs_of(v)); });
}

// ---- the end

void builder::finish(std::string image_id) {
  if (image_id.empty())
    return fail(
        make_error(errc::invalid_argument, "No image was generated. Is your Dockerfile empty?"));
  req_.emit(aux_id_line(image_id));
  say("Successfully built " + storage::short_id(image_id) + "\n");
  publish_build_event(image_id);
  tag_next(0, image_id);
}

// An image `build` event for the built image (the issue's; dockerd's classic builder has none),
// named by its first tag, before the `tag` events.
void builder::publish_build_event(const std::string& image_id) {
  auto events = directory::lookup<events_actor>(self_->system(), directory::events);
  if (!events) return;
  event ev;
  ev.type = "image";
  ev.action = "build";
  ev.actor_id = image_id;
  ev.attributes["name"] = image_id;
  if (!req_.options.tags.empty())
    if (auto ref = storage::parse_normalized(req_.options.tags.front()))
      ev.attributes["name"] = storage::with_default_tag(*ref).familiar_string();
  self_->send(events, caf::publish_atom_v, std::move(ev));
}

void builder::tag_next(size_t i, std::string image_id) {
  if (i == req_.options.tags.size()) {
    auto me = shared_from_this();
    return cleanup([me, image_id] {
      if (me->setup_.probes)
        me->setup_.probes->builds().observe(static_cast<double>(monotonic_nanos() - me->began_) /
                                            1e9);
      me->finished_ = true;
      me->req_.done(image_id);
      me->self_->quit();
    });
  }
  auto ref = storage::parse_normalized(req_.options.tags[i]);
  if (!ref) return fail(ref.error());
  auto tagged = storage::with_default_tag(*ref);
  auto target = images();
  if (!target) return fail(make_error(errc::unavailable, "the images component is not available"));
  auto me = shared_from_this();
  self_->request(target, quick, tag_atom_v, tag_request{image_id, tagged.name(), tagged.tag})
      .then(
          [me, i, image_id, tagged] {
            me->say("Successfully tagged " + tagged.familiar_string() + "\n");
            me->tag_next(i + 1, image_id);
          },
          [me](caf::error& err) { me->fail(err); });
}

void builder::fail(caf::error err) {
  if (finished_) return;
  finished_ = true;
  lg.info("build failed", {{"error", error_message(err)}});
  auto me = shared_from_this();
  auto end = [me, err] {
    me->cleanup([me, err] {
      me->req_.done(err);
      me->self_->quit();
    });
  };
  // dockerd keeps a failed step's container unless forcerm; Berth removes it with rm too, so a
  // failed build leaves nothing behind. A canceled build loses its running one in any case
  // (dockerd removes it when the build's context is canceled).
  std::string doomed;
  if (!containers_left_.empty() && (req_.options.remove || req_.options.force_remove))
    doomed = containers_left_.back();
  if (cancelled_ && !running_.empty()) doomed = running_;
  if (doomed.empty()) return end();
  remove_container(doomed, end);
}

void builder::cleanup(std::function<void()> then) {
  if (output_) output_->finish(); // whatever happened to the RUN, its follower ends
  auto ws = ws_;
  if (!ws) return then();
  auto pool = blocking_pool_of(self_);
  if (!pool) return then();
  run_blocking(
      self_, pool,
      [ws]() -> caf::error {
        ws->remove();
        return {};
      },
      [then](caf::error) { then(); });
}

} // namespace

caf::actor spawn_build_job(caf::actor_system& sys, build_setup setup, build_request request) {
  return sys.spawn([setup = std::move(setup), request = std::move(request)](
                       caf::event_based_actor* self) mutable -> caf::behavior {
    auto b = std::make_shared<builder>(self, std::move(setup), std::move(request));
    b->start();
    return {[b](stop_atom) { b->cancel(); }};
  });
}

} // namespace berth::actors
