// Build routes: POST /build (the classic builder, one build job actor per request) and
// POST /build/prune.
#include <mutex>

#include <nlohmann/json.hpp>

#include "actors/build_job.hpp"
#include "actors/build_steps.hpp"
#include "actors/images_manager.hpp"
#include "api/actor_bridge.hpp"
#include "api/request_body.hpp"
#include "api/response_stream.hpp"
#include "api/routes/routes.hpp"
#include "distribution/json_message.hpp"
#include "distribution/progress_output.hpp"
#include "registry/credentials.hpp"
#include "storage/reference.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;

caf::error invalid(const std::string& message) {
  return make_error(errc::invalid_argument, message);
}

// A JSON object query parameter of strings (buildargs allows null values).
caf::error parse_string_map(const std::string& text, const char* what,
                            std::map<std::string, std::optional<std::string>>& out) {
  if (text.empty()) return {};
  auto parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    return invalid(std::string{"failed to parse "} + what + ": expected a JSON object");
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_null())
      out[key] = std::nullopt;
    else if (value.is_string())
      out[key] = value.get<std::string>();
    else
      return invalid(std::string{"failed to parse "} + what + ": " + key + " is not a string");
  }
  return {};
}

caf::expected<actors::build_options> parse_options(const http_request& req) {
  const auto& q = req.query;
  actors::build_options o;
  if (!q.get("remote").empty())
    return invalid("building from a remote context (" + q.get("remote") +
                   ") is not supported: there is no network access; send the context as the "
                   "request body");
  auto platform = q.get("platform");
  if (!platform.empty() && platform != "linux/amd64" && platform != "linux" &&
      platform != "linux/amd64/v1")
    return invalid("platform \"" + platform +
                   "\" is not supported: this daemon builds linux/amd64 "
                   "images only");
  o.dockerfile = q.get("dockerfile", "Dockerfile");
  for (const auto& t : q.all("t")) {
    if (t.empty()) continue;
    auto ref = storage::parse_normalized(t);
    if (!ref || !ref->digest.empty())
      return invalid("invalid reference format: repository name (" + t +
                     ") must be a valid reference");
    o.tags.push_back(t);
  }
  if (auto err = parse_string_map(q.get("buildargs"), "build args", o.build_args)) return err;
  std::map<std::string, std::optional<std::string>> labels;
  if (auto err = parse_string_map(q.get("labels"), "labels", labels)) return err;
  for (auto& [k, v] : labels)
    o.labels[k] = v.value_or("");
  o.target = q.get("target");
  o.no_cache = q.flag("nocache");
  o.pull = q.flag("pull");
  // As dockerd: a malformed X-Registry-Config counts as no credentials ("for a pull it is not an
  // error if no auth was given").
  if (auto auths = registry::decode_registry_config(req.header("x-registry-config")))
    o.registry_auths = std::move(*auths);
  auto rm = q.strict_flag("rm", true);
  if (!rm) return rm.error();
  o.remove = *rm;
  o.force_remove = q.flag("forcerm");
  o.network_mode = q.get("networkmode");
  for (auto [key, field] :
       {std::pair{"shmsize", &o.shm_size}, std::pair{"memory", &o.memory},
        std::pair{"memswap", &o.memory_swap}, std::pair{"cpushares", &o.cpu_shares},
        std::pair{"cpuperiod", &o.cpu_period}, std::pair{"cpuquota", &o.cpu_quota}}) {
    auto value = q.integer(key, 0);
    if (!value) return value.error();
    *field = *value;
  }
  o.cpuset_cpus = q.get("cpusetcpus");
  o.cpuset_mems = q.get("cpusetmems");
  o.cgroup_parent = q.get("cgroupparent");
  for (const auto& hosts : q.all("extrahosts")) {
    // The CLI sends a JSON array; older clients one host per parameter.
    auto parsed = json::parse(hosts, nullptr, false);
    if (parsed.is_array()) {
      for (const auto& h : parsed)
        if (h.is_string()) o.extra_hosts.push_back(h.get<std::string>());
    } else if (!hosts.empty()) {
      o.extra_hosts.push_back(hosts);
    }
  }
  return o;
}

// The output of one build: lines go straight to the client, or with q=1 are kept until the end
// (only the image ID is sent on success; everything and the error on failure, as dockerd). The
// builder sends every line either way; q=1 is handled here only.
struct build_output {
  /// What q=1 holds at most (dockerd holds everything): later lines are dropped, and said so.
  static constexpr size_t max_held = 16 << 20;

  std::shared_ptr<response_stream> stream;
  bool quiet = false;
  std::mutex mutex;
  std::string held;
  bool dropped = false;

  void write(std::string line) {
    if (!quiet) return stream->write(std::move(line));
    std::lock_guard lock{mutex};
    if (dropped || held.size() + line.size() > max_held) {
      dropped = true;
      return;
    }
    held += line;
  }
  void end(const caf::expected<std::string>& result) {
    if (result) {
      if (quiet) stream->write(actors::stream_line(*result + "\n"));
    } else {
      if (quiet) {
        std::lock_guard lock{mutex};
        if (dropped) held += actors::stream_line("[the rest of the output was not kept]\n");
        stream->write(std::move(held));
      }
      stream->write(actors::error_line(error_message(result.error())));
    }
    stream->close();
  }
};

// The progress of a FROM image's pull, written into the build's output as dockerd does.
class build_pull_output final : public distribution::progress_output {
 public:
  explicit build_pull_output(std::shared_ptr<build_output> out) : out_(std::move(out)) {}
  void write(const distribution::json_message& message, bool droppable) override {
    if (droppable && (out_->quiet || out_->stream->queued_bytes() > max_behind)) return;
    out_->write(distribution::format_json_message(message));
  }

 private:
  static constexpr size_t max_behind = 1 << 20;
  std::shared_ptr<build_output> out_;
};

void build(const exchange_ptr& ex) {
  auto options = parse_options(ex->request());
  if (!options) {
    if (auto body = ex->body_stream()) body->abandon();
    return ex->reply_error(options.error());
  }
  auto stream = ex->stream(200, "application/json");
  if (!stream) return;
  auto out = std::make_shared<build_output>();
  out->stream = stream;
  out->quiet = ex->request().query.flag("q");
  const auto& cfg = *ex->context().config();
  actors::build_setup setup{cfg.data_root, cfg.exec_root, &ex->context().probes()};
  actors::build_request req;
  req.context = ex->body_stream();
  req.options = std::move(*options);
  req.emit = [out](std::string line) { out->write(std::move(line)); };
  // What a failed build did not read of its context is dropped (bounded), so that the client
  // still sees the error.
  req.done = [out, body = ex->body_stream()](caf::expected<std::string> result) {
    if (!result && body) body->abandon();
    out->end(result);
  };
  req.pull_output = std::make_shared<build_pull_output>(out);
  auto stop = std::make_shared<std::stop_source>();
  stream->on_client_gone([stop] { stop->request_stop(); });
  req.stop = stop->get_token();
  actors::spawn_build_job(ex->context().system(), std::move(setup), std::move(req));
}

// The build cache prune's query: filters and the space to keep (keep-storage is the older name
// of reserved-space; max-used-space bounds the cache the same way here). min-free-space would
// need the disk's free space: not supported, and ignored like unknown parameters.
caf::expected<storage::build_cache_prune_options> parse_prune_options(const query_params& q) {
  storage::build_cache_prune_options o;
  auto filters = filter_args::parse(q.get("filters"));
  if (!filters) return filters.error();
  o.filters = std::move(*filters);
  for (const char* key : {"keep-storage", "reserved-space", "max-used-space"}) {
    auto bytes = q.integer(key, 0);
    if (!bytes) return bytes.error();
    if (*bytes < 0) return invalid(std::string{key} + " must not be negative");
    if (*bytes > 0 && (o.reserved_space == 0 || static_cast<uint64_t>(*bytes) < o.reserved_space))
      o.reserved_space = static_cast<uint64_t>(*bytes);
  }
  return o;
}

// POST /build/prune: the classic builder's cache is its intermediate images (see
// storage::plan_build_cache_prune); `all` changes nothing, every cache image is unused.
void prune(const exchange_ptr& ex) {
  auto options = parse_prune_options(ex->request().query);
  if (!options) return ex->reply_error(options.error());
  auto target = find_actor<actors::images_manager_actor>(ex, actors::directory::images);
  if (!target) return;
  ask(
      ex, target,
      [ex](actors::delete_outcome& outcome) {
        json deleted = json::array();
        for (const auto& r : outcome.records)
          if (!r.deleted.empty()) deleted.push_back(r.deleted);
        ex->reply_json(200, json{{"CachesDeleted", deleted.empty() ? json(nullptr) : deleted},
                                 {"SpaceReclaimed", outcome.space_reclaimed}});
      },
      actors::prune_atom_v, std::move(*options));
}

} // namespace

void add_build_routes(router& r) {
  r.add("POST", "/build", build, body_mode::streamed);
  r.add("POST", "/build/prune", prune);
}

} // namespace berth::api
