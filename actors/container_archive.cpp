// docker cp in the container actor: archive jobs get the container's root directory, in turn
// with starts and removals (see container_archive.hpp).
//
// A job runs on a thread of its own, not on the blocking pool: a copy goes at its client's pace
// (the response waits on a slow reader, an upload is read as it arrives) for up to a day, and a
// few slow clients must not hold the pool's bounded workers that starts, stops and commits need.
#include <algorithm>

#include <caf/typed_event_based_actor.hpp>

#include "actors/container_actor_state.hpp"
#include "actors/own_thread.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/sys.hpp"
#include "runtime/oci_mounts.hpp"
#include "storage/container_root.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};

/// The host binds of a container's configuration (-v /host:/ctr, --mount type=bind).
std::vector<storage::view_bind> host_binds(const container_record& rec) {
  std::vector<storage::view_bind> out;
  for (const auto& spec : rec.host.binds)
    if (auto m = runtime::parse_bind(spec); m && m->type == "bind")
      out.push_back({m->source, m->target, m->read_only});
  for (const auto& m : rec.host.mounts)
    if (m.type == "bind") out.push_back({m.source, m.target, m.read_only});
  return out;
}

/// Everything mounted into a stopped container's view, parents before children (as in its OCI
/// spec: a --mount target may be written "/data/" or "//data").
std::vector<storage::view_bind> view_binds(const container_record& rec,
                                           const std::vector<runtime::volume_mount>& volumes) {
  auto out = host_binds(rec);
  for (const auto& v : volumes)
    out.push_back({v.source, v.destination, v.read_only});
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return runtime::mount_depth(a.destination) < runtime::mount_depth(b.destination);
  });
  return out;
}

void pump(container_pointer self);

/// A job ended: its root is released; a waiting removal or start goes first, then other jobs.
void release(container_pointer self, bool exclusive) {
  auto& st = self->state;
  auto& gate = st.archive;
  --gate.active;
  if (exclusive) gate.exclusive = false;
  if (gate.active == 0) {
    if (gate.remove_deferred) {
      gate.remove_deferred = false;
      gate.start_deferred = false;
      for (auto& r : st.start_replies)
        if (r.pending())
          r.deliver(make_error(errc::conflict, "container " + st.rec.id +
                                                   " is marked for removal and cannot be started"));
      st.start_replies.clear();
      finish_remove(self);
    } else if (gate.start_deferred) {
      gate.start_deferred = false;
      begin_start(self, caf::response_promise{});
    }
  }
  pump(self);
}

void finish_job(container_pointer self, archive_gate::pending job, bool exclusive, caf::error err) {
  if (!err && !job.request.event.empty()) publish_event(self, job.request.event);
  if (err)
    job.reply.deliver(std::move(err));
  else
    job.reply.deliver(caf::unit);
  release(self, exclusive);
}

/// A running container: the job gets its /proc/<pid>/root (its own mounts and volumes).
void run_on_running(container_pointer self, archive_gate::pending job) {
  auto& st = self->state;
  ++st.archive.active;
  run_on_own_thread(
      self,
      [pid = st.rec.pid, rootfs = st.paths.rootfs, rec = st.rec,
       fn = job.request.job]() -> caf::error {
        auto root = storage::open_running_root(pid, rootfs);
        if (!root) return root.error();
        return fn(root->get(), rec);
      },
      [self, job](caf::error err) mutable { finish_job(self, std::move(job), false, err); });
}

/// A stopped container: its volumes are mounted for it, then its view in a private namespace.
void run_on_stopped(container_pointer self, archive_gate::pending job) {
  auto& st = self->state;
  ++st.archive.active;
  st.archive.exclusive = true;
  auto done = [self, job](caf::error err) {
    unmount_volumes(self, [self, job, err] { finish_job(self, job, true, err); });
  };
  mount_volumes_for_view(self, [self, job,
                                done](caf::expected<std::vector<runtime::volume_mount>> volumes) {
    if (!volumes) return done(volumes.error());
    const auto& s = self->state;
    storage::stopped_view view;
    view.lowers = s.rec.lower_dirs;
    view.upper = s.paths.layer_dir + "/diff";
    view.work = s.paths.layer_dir + "/work";
    view.binds = view_binds(s.rec, *volumes);
    view.mountpoint = s.ctx->config.exec_root + "/archive";
    run_on_own_thread(
        self,
        [view = std::move(view), rec = s.rec, fn = job.request.job]() -> caf::error {
          if (auto err = sys::make_dirs(view.mountpoint, 0700)) return err;
          return storage::with_stopped_view(view, [&](int root_fd) { return fn(root_fd, rec); });
        },
        done);
  });
}

/// Starts the queued jobs the container's state allows now.
void pump(container_pointer self) {
  auto& st = self->state;
  auto& gate = st.archive;
  while (!gate.queue.empty()) {
    if (st.removing || st.rec.status == container_status::dead) {
      for (auto& job : gate.queue)
        job.reply.deliver(
            make_error(errc::conflict, "container " + st.rec.id + " is being removed"));
      gate.queue.clear();
      return;
    }
    // A start in progress or waiting, or a stopped view in use: later.
    if (st.starting || gate.start_deferred || gate.exclusive) return;
    bool running = st.rec.running();
    // Jobs on the previous run's root still go on: the stopped view waits for them.
    if (!running && gate.active > 0) return;
    auto job = std::move(gate.queue.front());
    gate.queue.pop_front();
    if (running) {
      run_on_running(self, std::move(job));
    } else {
      run_on_stopped(self, std::move(job));
      return;
    }
  }
}

} // namespace

void request_archive(container_pointer self, archive_request request, caf::response_promise reply) {
  auto& st = self->state;
  if (st.removing || st.rec.status == container_status::dead)
    return reply.deliver(
        make_error(errc::conflict, "container " + st.rec.id + " is being removed"));
  st.archive.queue.push_back({std::move(request), std::move(reply)});
  pump(self);
}

bool archive_defers_start(container_pointer self) {
  auto& gate = self->state.archive;
  if (gate.active == 0) return false;
  lg.debug("a start waits for docker cp", {{"id", self->state.rec.id}});
  gate.start_deferred = true;
  return true;
}

bool archive_defers_remove(container_pointer self) {
  auto& gate = self->state.archive;
  if (gate.active == 0) return false;
  self->state.removing = true; // no new job is taken meanwhile
  gate.remove_deferred = true;
  return true;
}

void archive_resume(container_pointer self) {
  pump(self);
}

} // namespace berth::actors
