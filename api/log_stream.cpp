// GET /containers/{id}/logs.
#include "api/log_stream.hpp"

#include <atomic>
#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "api/actor_bridge.hpp"
#include "api/response_stream.hpp"
#include "base/fd.hpp"
#include "base/log.hpp"
#include "runtime/json_log.hpp"

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
  unique_fd wake{::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
  std::atomic<bool> container_done{false};

  void wake_up() {
    uint64_t one = 1;
    (void)::write(wake.get(), &one, sizeof one);
  }
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

// Reads complete lines from `fd` starting at `offset`; hands each parsed entry to `emit`.
// Returns false when the client went away.
template <class Emit>
bool read_lines(int fd, off_t& offset, std::string& carry, Emit&& emit) {
  std::string buf(1 << 20, '\0');
  runtime::log_entry entry;
  for (;;) {
    auto n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n <= 0) return true;
    offset += n;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t start = 0;
    while (true) {
      auto nl = chunk.find('\n', start);
      if (nl == std::string_view::npos) {
        carry.append(chunk.substr(start));
        break;
      }
      std::string_view line = chunk.substr(start, nl - start);
      if (!carry.empty()) {
        carry.append(line);
        if (runtime::parse_log_line(carry, entry) && !emit(entry)) return false;
        carry.clear();
      } else if (runtime::parse_log_line(line, entry) && !emit(entry)) {
        return false;
      }
      start = nl + 1;
    }
  }
}

void run_log_job(log_job& job) {
  std::string out;
  std::deque<runtime::log_entry> tail;
  bool alive = true;
  auto emit = [&](const runtime::log_entry& e) {
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
    alive = read_lines(fd.get(), offset, carry, emit);
    struct stat st {};
    if (file == job.path && ::fstat(fd.get(), &st) == 0) inode = st.st_ino;
    if (!alive) return;
  }
  for (const auto& e : tail)
    append_frame(out, job, e);
  tail.clear();
  job.req.tail = -1;
  if (!flush(job, out) || !job.req.follow || job.container_done.load()) return;
  // Follow: wait for the file to grow (inotify) or for a wake-up (exit, client gone).
  unique_fd notify{::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)};
  auto dir = job.path.substr(0, job.path.rfind('/'));
  ::inotify_add_watch(notify.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
  unique_fd fd{::open(job.path.c_str(), O_RDONLY | O_CLOEXEC)};
  std::string carry;
  for (int rounds = 0;; ++rounds) {
    if (fd) {
      struct stat st {};
      if (::fstat(fd.get(), &st) == 0 && (st.st_ino != inode || st.st_size < offset)) {
        // Rotated under us: the old file is finished; continue with the new one.
        fd.reset(::open(job.path.c_str(), O_RDONLY | O_CLOEXEC));
        offset = 0;
        carry.clear();
        if (fd && ::fstat(fd.get(), &st) == 0) inode = st.st_ino;
      }
    } else {
      fd.reset(::open(job.path.c_str(), O_RDONLY | O_CLOEXEC));
    }
    if (fd && !read_lines(fd.get(), offset, carry, emit)) return;
    if (!flush(job, out)) return;
    if (job.container_done.load()) {
      // One last read: the shim flushed its final lines before reporting the exit.
      if (fd && read_lines(fd.get(), offset, carry, emit)) (void)flush(job, out);
      return;
    }
    pollfd fds[2] = {{notify.get(), POLLIN, 0}, {job.wake.get(), POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) return;
    char drain[4096];
    while (::read(notify.get(), drain, sizeof drain) > 0) {
    }
    uint64_t value;
    (void)::read(job.wake.get(), &value, sizeof value);
    if (job.stream->closed()) return;
  }
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
    if (auto j = weak.lock()) j->wake_up();
  });
  if (job->req.follow) {
    with_actor(ex, [job, container](caf::event_based_actor* self) {
      self->request(container, caf::infinite, actors::wait_atom_v,
                    actors::wait_condition::not_running)
          .then(
              [job](actors::wait_result&) {
                job->container_done.store(true);
                job->wake_up();
              },
              [job](caf::error&) {
                job->container_done.store(true);
                job->wake_up();
              });
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
