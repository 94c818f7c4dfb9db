// GET /containers/{id}/logs.
#include "api/log_stream.hpp"

#include <atomic>
#include <deque>
#include <fcntl.h>
#include <sys/stat.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "api/actor_bridge.hpp"
#include "api/response_stream.hpp"
#include "base/fd.hpp"
#include "base/log.hpp"
#include "runtime/json_log.hpp"
#include "runtime/log_follower.hpp"

namespace berth::api {

namespace {

constexpr log::logger lg{"api"};

/// Log streams running at once at most; beyond, requests get 503.
constexpr int max_log_streams = 512;
std::atomic<int> active_streams{0};

constexpr size_t flush_bytes = 256 * 1024;
constexpr size_t max_queued = 8 << 20;

// What the streaming thread needs; shared with the callbacks that wake it.
struct log_job {
  std::string path;
  bool tty = false;
  log_request req;
  std::shared_ptr<response_stream> stream;
  runtime::log_follow_signal signal; ///< finished when the container stops
};

bool wanted(const log_request& r, const runtime::log_entry& e) {
  if (e.stream == 1 ? !r.stdout : !r.stderr) return false;
  if (r.since && e.time_nanos < r.since) return false;
  if (r.until && e.time_nanos > r.until) return false;
  return true;
}

void append_frame(std::string& out, const log_job& job, const runtime::log_entry& e) {
  size_t length = e.text.size() + (job.req.timestamps ? e.time.size() + 1 : 0);
  if (!job.tty) {
    char header[8] = {static_cast<char>(e.stream),
                      0,
                      0,
                      0,
                      static_cast<char>((length >> 24) & 0xff),
                      static_cast<char>((length >> 16) & 0xff),
                      static_cast<char>((length >> 8) & 0xff),
                      static_cast<char>(length & 0xff)};
    out.append(header, sizeof header);
  }
  if (job.req.timestamps) {
    out += e.time;
    out += ' ';
  }
  out += e.text;
}

bool flush(log_job& job, std::string& out) {
  if (out.empty()) return !job.stream->closed();
  while (job.stream->queued_bytes() >= max_queued)
    if (!job.stream->wait_for_room(max_queued, std::chrono::minutes(5))) return false;
  job.stream->write(std::move(out));
  out.clear();
  return !job.stream->closed();
}

void run_log_job(log_job& job) {
  std::string out;
  std::deque<runtime::log_entry> tail;
  bool alive = true;
  runtime::log_entry_sink emit = [&](const runtime::log_entry& e) {
    if (!wanted(job.req, e)) return true;
    if (job.req.tail >= 0) {
      tail.push_back(e);
      if (static_cast<int64_t>(tail.size()) > job.req.tail) tail.pop_front();
      return true;
    }
    append_frame(out, job, e);
    return out.size() < flush_bytes || flush(job, out);
  };
  off_t offset = 0;
  ino_t inode = 0;
  for (const auto& file : runtime::log_files(job.path)) {
    unique_fd fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
    if (!fd) continue;
    offset = 0;
    std::string carry;
    alive = runtime::read_log_lines(fd.get(), offset, carry, emit);
    struct stat st {};
    if (file == job.path && ::fstat(fd.get(), &st) == 0) inode = st.st_ino;
    if (!alive) return;
  }
  for (const auto& e : tail)
    append_frame(out, job, e);
  tail.clear();
  job.req.tail = -1;
  if (!flush(job, out) || !job.req.follow || job.signal.finished()) return;
  // Follow: wait for the file to grow or for a wake-up (exit, client gone).
  runtime::follow_log(job.path, {offset, inode}, job.signal, emit, [&] { return flush(job, out); });
}

} // namespace

void serve_logs(const exchange_ptr& ex, const actors::log_location& location, log_request req,
                actors::container_actor container) {
  if (!req.stdout && !req.stderr)
    return ex->reply_error(
        make_error(errc::invalid_argument, "Bad parameters: you must choose at least one stream"));
  if (location.log_driver == "none")
    return ex->reply_error(
        make_error(errc::not_implemented, "configured logging driver does not support reading"));
  if (active_streams.fetch_add(1) >= max_log_streams) {
    active_streams.fetch_sub(1);
    return ex->reply_error(make_error(errc::unavailable, "too many log streams, try again"));
  }
  auto job = std::make_shared<log_job>();
  job->path = location.path;
  job->tty = location.tty;
  job->req = req;
  job->req.follow = req.follow && location.running;
  job->stream = ex->stream(200, location.tty ? "application/vnd.docker.raw-stream"
                                             : "application/vnd.docker.multiplexed-stream");
  if (!job->stream) {
    active_streams.fetch_sub(1);
    return;
  }
  std::weak_ptr<log_job> weak = job;
  job->stream->on_client_gone([weak] {
    if (auto j = weak.lock()) j->signal.wake();
  });
  if (job->req.follow) {
    with_actor(ex, [job, container](caf::event_based_actor* self) {
      self->request(container, caf::infinite, actors::wait_atom_v,
                    actors::wait_condition::not_running)
          .then([job](actors::wait_result&) { job->signal.finish(); },
                [job](caf::error&) { job->signal.finish(); });
    });
  }
  ex->context().system().spawn<caf::detached>([job](caf::event_based_actor* self) {
    run_log_job(*job);
    job->stream->close();
    active_streams.fetch_sub(1);
    self->quit();
  });
}

} // namespace berth::api
