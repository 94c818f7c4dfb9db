// GET /events: replay from the events journal and stream live events as JSON lines.
#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/directory.hpp"
#include "actors/event_filter.hpp"
#include "actors/events_actor.hpp"
#include "api/actor_bridge.hpp"
#include "api/docker_json/event_json.hpp"
#include "api/response_stream.hpp"
#include "api/routes/routes.hpp"
#include "base/log.hpp"
#include "base/time.hpp"

namespace berth::api {

namespace {

constexpr log::logger lg{"api"};

/// A subscriber that lags this far behind is dropped rather than buffered without bound.
constexpr size_t max_queued_event_bytes = 4 * 1024 * 1024;

caf::expected<int64_t> timestamp_param(const http_request& req, const std::string& name) {
  auto text = req.query.get(name);
  if (text.empty()) return int64_t{0};
  auto t = parse_api_timestamp(text);
  if (!t)
    return make_error(errc::invalid_argument,
                      "invalid value for \"" + name + "\": " + text + " is not a timestamp");
  return *t;
}

// The actor that holds one /events subscription and writes what it receives to the stream.
caf::behavior events_bridge(caf::event_based_actor* self, actors::events_actor events,
                            std::shared_ptr<response_stream> stream, filter_args filters,
                            int64_t since, int64_t until, api_version version,
                            std::chrono::milliseconds timeout) {
  auto write = [stream, version](const actors::event& ev) {
    stream->write(
        event_to_json(ev, version).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
        "\n");
  };
  self->request(events, timeout, caf::subscribe_atom_v, std::move(filters), since, until,
                caf::actor_cast<caf::actor>(self), actors::subscriber_kind::client)
      .then(
          [self, stream, write, until](std::vector<actors::event>& backlog) {
            for (const auto& ev : backlog)
              write(ev);
            auto now = unix_nanos_now();
            if (until > 0 && until <= now) {
              stream->close();
              self->quit();
            } else if (until > 0) {
              self->delayed_send(self, std::chrono::nanoseconds(until - now), actors::stop_atom_v);
            }
          },
          [self, stream](caf::error& err) {
            lg.warn("events subscription failed", {{"error", error_message(err)}});
            stream->close();
            self->quit();
          });
  return {
      [self, stream, write](actors::event_atom, const actors::event& ev) {
        if (stream->closed()) {
          self->quit();
          return;
        }
        if (stream->queued_bytes() > max_queued_event_bytes) {
          lg.warn("dropping a slow /events subscriber");
          stream->close();
          self->quit();
          return;
        }
        write(ev);
      },
      [self, stream](actors::stop_atom) {
        stream->close();
        self->quit();
      },
  };
}

void events(const exchange_ptr& ex) {
  const auto& req = ex->request();
  auto since = timestamp_param(req, "since");
  if (!since) return ex->reply_error(since.error());
  // since=0 is the epoch: everything in the journal (0 inside means "no backlog").
  if (*since == 0 && req.query.has("since")) *since = 1;
  auto until = timestamp_param(req, "until");
  if (!until) return ex->reply_error(until.error());
  auto filters = filter_args::parse(req.query.get("filters"));
  if (!filters) return ex->reply_error(filters.error());
  if (auto err = actors::validate_event_filters(*filters)) return ex->reply_error(err);
  auto target = find_actor<actors::events_actor>(ex, actors::directory::events);
  if (!target) return;
  auto stream = ex->stream(200, "application/json");
  if (!stream) return;
  auto bridge =
      ex->context().system().spawn(events_bridge, target, stream, std::move(*filters), *since,
                                   *until, req.version, ex->context().request_timeout());
  stream->on_client_gone(
      [bridge] { caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown); });
}

} // namespace

void add_events_routes(router& r) {
  r.add("GET", "/events", events);
}

} // namespace berth::api
