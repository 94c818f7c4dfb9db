// GET /containers/{id}/stats: answered from the stats sampler's cache (one document with the
// previous sample as precpu, one-shot, or a stream of one document per sampling round that
// lasts, with zeroed documents while the container is not running, until its removal).
#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "actors/stats_sampler.hpp"
#include "api/docker_json/stats_json.hpp"
#include "api/response_stream.hpp"
#include "api/routes/container_lookup.hpp"
#include "api/routes/routes.hpp"
#include "base/log.hpp"

namespace berth::api {

namespace {

using actors::container_record;
using actors::container_sample;
using actors::stats_sampler_actor;

constexpr log::logger lg{"api"};

/// A stream whose client reads this far behind is dropped rather than buffered without bound.
constexpr size_t max_queued_stats_bytes = 1 << 20;
/// How long a single answer waits for its samples (a container that just started has none).
constexpr auto samples_timeout = std::chrono::seconds(15);

struct stats_query {
  bool stream = true;
  bool one_shot = false;
};

caf::expected<stats_query> parse_stats_query(const http_request& req) {
  stats_query q;
  auto stream = req.query.strict_flag("stream", true);
  if (!stream) return stream.error();
  q.stream = *stream;
  if (req.version >= api_version{1, 41}) {
    auto one_shot = req.query.strict_flag("one-shot", false);
    if (!one_shot) return one_shot.error();
    q.one_shot = *one_shot;
  }
  if (q.stream && q.one_shot)
    return make_error(errc::invalid_argument, "cannot have stream=true and one-shot=true");
  return q;
}

void reply_document(const exchange_ptr& ex, const nlohmann::ordered_json& document) {
  http_response r;
  r.content_type = "application/json";
  r.body = stats_line(document);
  ex->reply(std::move(r));
}

// stream=false: the latest sample, with the one before it as precpu unless one-shot.
void answer_once(caf::event_based_actor* self, const exchange_ptr& ex,
                 const stats_sampler_actor& sampler, const container_record& rec, bool one_shot) {
  self->request(sampler, samples_timeout, caf::get_atom_v, actors::stats_atom_v, rec,
                one_shot ? 1 : 2)
      .then(
          [ex, id = rec.id, name = rec.name, one_shot](actors::stats_window& w) {
            const container_sample* previous = one_shot || !w.previous ? nullptr : &*w.previous;
            reply_document(ex, stats_json(id, name, w.latest, previous));
          },
          [ex, id = rec.id, name = rec.name](caf::error& err) {
            // It stopped meanwhile: the zeroed document, as for a stopped container.
            if (error_kind(err) == errc::conflict)
              return reply_document(ex, empty_stats_json(id, name));
            ex->reply_error(err);
          });
}

// How often a stream of a container that is not running sends its zeroed document (dockerd's
// collector publishes one per collection interval).
constexpr auto idle_interval = std::chrono::seconds(1);

// The actor behind one stats stream, as dockerd's: while the container runs, each sample the
// sampler pushes becomes a document whose precpu is the document before it; while it does not
// run (stopped, restarting), a zeroed document every second; when it starts again, samples again;
// the container's removal ends the stream.
caf::behavior stats_stream(caf::event_based_actor* self, stats_sampler_actor sampler,
                           std::shared_ptr<response_stream> stream, container_record rec,
                           actors::container_actor container) {
  auto previous = std::make_shared<std::optional<container_sample>>();
  auto write = [stream, previous, id = rec.id, name = rec.name](const container_sample& s) {
    stream->write(stats_line(stats_json(id, name, s, *previous ? &**previous : nullptr)));
    *previous = s;
  };
  auto end = [self, stream] {
    stream->close();
    self->quit();
  };
  auto idle = [self, stream, previous, id = rec.id, name = rec.name] {
    previous->reset();
    stream->write(stats_line(empty_stats_json(id, name)));
    self->delayed_send(self, idle_interval, actors::timer_atom_v, uint8_t{0});
  };
  auto subscribe = [self, sampler, write, idle, rec](const container_record& current) {
    self->request(sampler, samples_timeout, caf::subscribe_atom_v, actors::stats_atom_v, current,
                  caf::actor_cast<caf::actor>(self))
        .then(
            [write](std::optional<container_sample>& latest) {
              if (latest) write(*latest);
            },
            [idle, id = rec.id](caf::error& err) {
              if (error_kind(err) != errc::conflict)
                lg.warn("stats subscription failed", {{"id", id}, {"error", error_message(err)}});
              idle();
            });
  };
  // A sampler that fails loses its subscribers, and a removed container's actor is gone: either
  // ends the stream rather than leave it silent.
  self->monitor(sampler);
  self->monitor(container);
  self->set_down_handler([end](const caf::down_msg&) { end(); });
  if (rec.running())
    subscribe(rec);
  else
    idle();
  return {
      [stream, write, end](actors::stats_atom, const container_sample& s) {
        if (stream->closed()) return end();
        if (stream->queued_bytes() > max_queued_stats_bytes) {
          lg.warn("dropping a slow stats stream");
          return end();
        }
        write(s);
      },
      // It exited: zeroed documents until it runs again.
      [idle](actors::removed_atom, const std::string&) { idle(); },
      [self, stream, end, idle, subscribe, container](actors::timer_atom, uint8_t) {
        if (stream->closed()) return end();
        self->request(container, samples_timeout, actors::inspect_atom_v)
            .then(
                [idle, subscribe](container_record& current) {
                  if (current.running())
                    subscribe(current);
                  else
                    idle();
                },
                [end](caf::error&) { end(); });
      },
  };
}

void stats(const exchange_ptr& ex) {
  auto query = parse_stats_query(ex->request());
  if (!query) return ex->reply_error(query.error());
  auto sampler = find_actor<stats_sampler_actor>(ex, actors::directory::stats);
  if (!sampler) return;
  with_record(ex, [ex, sampler, q = *query](caf::event_based_actor* self, container_record& rec,
                                            const actors::container_actor& container) {
    if (!q.stream) {
      // dockerd answers a stopped (or restarting) container with a zeroed document.
      if (!rec.running()) return reply_document(ex, empty_stats_json(rec.id, rec.name));
      return answer_once(self, ex, sampler, rec, q.one_shot);
    }
    auto stream = ex->stream(200, "application/json");
    if (!stream) return;
    auto bridge = ex->context().system().spawn(stats_stream, sampler, stream, rec, container);
    stream->on_client_gone(
        [bridge] { caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown); });
  });
}

} // namespace

void add_stats_routes(router& r) {
  r.add("GET", "/containers/{id}/stats", stats);
}

} // namespace berth::api
