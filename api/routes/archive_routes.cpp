// docker cp: HEAD, GET and PUT /containers/{id}/archive — the stat of a path in a container, a
// tar of it, and a tar extracted into a directory of it. The work runs through the container's
// actor (which provides its root directory and keeps starts and removals apart); the file
// operations are storage/container_archive's.
#include <nlohmann/json.hpp>

#include "actors/containers_manager.hpp"
#include "api/request_body.hpp"
#include "api/response_sink.hpp"
#include "api/routes/container_lookup.hpp"
#include "api/routes/routes.hpp"
#include "base/base64.hpp"
#include "base/time.hpp"
#include "runtime/container_config.hpp"
#include "runtime/go_text.hpp"
#include "runtime/user_lookup.hpp"
#include "storage/container_archive.hpp"

namespace berth::api {

namespace {

using actors::container_record;

/// A copy takes as long as its data: no short deadline once the container answers.
constexpr auto long_operation = std::chrono::seconds(24 * 3600);

constexpr const char* stat_header = "X-Docker-Container-Path-Stat";

/// dockerd's header: base64 of the PathStat JSON, fields in Go's order.
std::string path_stat_header(const storage::path_stat& st) {
  nlohmann::ordered_json j;
  j["name"] = st.name;
  j["size"] = st.size;
  j["mode"] = st.mode;
  j["mtime"] = format_rfc3339(st.mtime_nanos);
  j["linkTarget"] = st.link_target;
  return base64_encode(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

/// The `path` query value, required as dockerd requires it.
std::optional<std::string> path_of(const exchange_ptr& ex) {
  auto path = ex->request().query.get("path");
  if (path.empty()) {
    if (auto body = ex->body_stream()) body->abandon();
    ex->reply_error(make_error(errc::invalid_argument, "bad parameter: path cannot be empty"));
    return std::nullopt;
  }
  return path;
}

/// A path that does not exist in the container, in dockerd's words (with the container as the
/// client named it).
caf::error as_dockerd_error(caf::error err, const exchange_ptr& ex, const std::string& path) {
  if (error_kind(err) != errc::not_found) return err;
  return make_error(errc::not_found, "Could not find the file " + path + " in container " +
                                         ex->request().param("id"));
}

/// Resolves {id}, then has its actor run `request`; `done` gets the outcome in the bridge actor.
/// When the container is not reached, the request body (PUT's tar) is abandoned.
template <class Done>
void run_archive(const exchange_ptr& ex, actors::archive_request request, Done done) {
  with_container(
      ex, ex->request().param("id"),
      [request = std::move(request), done = std::move(done)](
          caf::event_based_actor* self, actors::resolved_container& found) mutable {
        self->request(found.actor, long_operation, actors::archive_atom_v, std::move(request))
            .then([done]() mutable { done(caf::error{}); },
                  [done](caf::error& err) mutable { done(std::move(err)); });
      },
      [ex] {
        if (auto body = ex->body_stream()) body->abandon();
      });
}

void stat_route(const exchange_ptr& ex) {
  auto path = path_of(ex);
  if (!path) return;
  auto result = std::make_shared<storage::path_stat>();
  actors::archive_request request;
  request.job = [path = *path, result](int root_fd, const container_record&) -> caf::error {
    auto st = storage::stat_container_path(root_fd, path);
    if (!st) return st.error();
    *result = std::move(*st);
    return {};
  };
  run_archive(ex, std::move(request), [ex, result, path = *path](caf::error err) {
    if (err) return ex->reply_error(as_dockerd_error(std::move(err), ex, path));
    http_response res;
    res.headers.emplace_back(stat_header, path_stat_header(*result));
    ex->reply(std::move(res));
  });
}

void get_route(const exchange_ptr& ex) {
  auto path = path_of(ex);
  if (!path) return;
  auto sink = std::make_shared<response_sink>(ex, "application/x-tar");
  actors::archive_request request;
  request.event = "archive-path";
  request.job = [path = *path, sink](int root_fd, const container_record&) -> caf::error {
    auto source = storage::archive_source::open(root_fd, path);
    if (!source) return source.error();
    sink->add_header(stat_header, path_stat_header(source->stat()));
    return source->write(*sink);
  };
  run_archive(ex, std::move(request), [ex, sink, path = *path](caf::error err) {
    if (!err) {
      if (!sink->started()) (void)sink->write("", 0);
      return sink->finish();
    }
    if (sink->started())
      sink->finish(); // cut short: the client sees a truncated tar
    else
      ex->reply_error(as_dockerd_error(std::move(err), ex, path));
  });
}

/// Whether `path` is `destination` or below it.
bool is_within(const std::string& destination, const std::string& path) {
  auto dest = runtime::clean_path(destination);
  if (dest == "/") return true;
  return path == dest ||
         (path.size() > dest.size() && path.starts_with(dest) && path[dest.size()] == '/');
}

/// dockerd's checkWritablePath: a read-only mount (the deepest holding `path`) or a read-only
/// root filesystem refuses the extraction.
caf::error check_writable(const std::string& path, const container_record& rec) {
  struct mount_point {
    std::string destination;
    bool read_only;
  };
  std::vector<mount_point> mounts;
  for (const auto& v : rec.volumes)
    mounts.push_back({v.destination, v.read_only});
  for (const auto& spec : rec.host.binds)
    if (auto m = runtime::parse_bind(spec)) mounts.push_back({m->target, m->read_only});
  for (const auto& m : rec.host.mounts)
    mounts.push_back({m.target, m.read_only});
  const mount_point* holder = nullptr;
  for (const auto& m : mounts)
    if (is_within(m.destination, path) &&
        (holder == nullptr || m.destination.size() > holder->destination.size()))
      holder = &m;
  if (holder != nullptr) {
    if (!holder->read_only) return {};
    return make_error(errc::invalid_argument, "mounted volume is marked read-only");
  }
  if (rec.host.readonly_rootfs)
    return make_error(errc::invalid_argument, "container rootfs is marked read-only");
  return {};
}

void put_route(const exchange_ptr& ex) {
  auto path = path_of(ex);
  if (!path) return;
  auto body = ex->body_stream();
  if (!body)
    return ex->reply_error(make_error(errc::internal, "archive upload without a body stream"));
  const auto& q = ex->request().query;
  storage::extract_options opts;
  opts.no_overwrite_dir_non_dir = q.has("noOverwriteDirNonDir") && q.flag("noOverwriteDirNonDir");
  bool copy_uid_gid = q.flag("copyUIDGID");
  actors::archive_request request;
  request.event = "extract-to-dir";
  request.job = [path = *path, body, opts, copy_uid_gid](int root_fd,
                                                         const container_record& rec) mutable {
    auto directory = storage::extraction_directory(root_fd, path);
    if (!directory) return directory.error();
    if (auto err = check_writable(*directory, rec)) return err;
    // dockerd's copyUIDGID: everything is owned by the container's user, looked up in its own
    // passwd and group files.
    if (copy_uid_gid && !rec.config.user.empty()) {
      auto user =
          runtime::resolve_user("/proc/self/fd/" + std::to_string(root_fd), rec.config.user, {});
      if (!user) return user.error();
      opts.owner = std::make_pair(user->uid, user->gid);
    }
    return storage::extract_into_container(root_fd, *directory, *body, opts);
  };
  run_archive(ex, std::move(request), [ex, body, path = *path](caf::error err) {
    body->abandon(); // what the extraction did not read (after an error) is dropped
    if (err) return ex->reply_error(as_dockerd_error(std::move(err), ex, path));
    ex->reply_status(200);
  });
}

} // namespace

void add_archive_routes(router& r) {
  r.add("HEAD", "/containers/{id}/archive", stat_route);
  r.add("GET", "/containers/{id}/archive", get_route);
  r.add("PUT", "/containers/{id}/archive", put_route, body_mode::streamed);
}

} // namespace berth::api
