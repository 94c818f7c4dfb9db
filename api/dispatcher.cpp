// Turns a parsed HTTP head into a routed request and runs its handler.
#include "api/dispatcher.hpp"

#include "api/error_mapping.hpp"
#include "api/exchange.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/time.hpp"
#include "berth/build_info.hpp"

namespace berth::api {

namespace {
constexpr log::logger lg{"api"};
} // namespace

dispatcher::dispatcher(std::shared_ptr<const router> routes, std::shared_ptr<api_context> ctx,
                       bool versioned)
    : routes_(std::move(routes)), ctx_(std::move(ctx)), versioned_(versioned) {
  if (versioned_) {
    common_headers_ = {
        {"Api-Version", max_api_version.to_string()},
        {"Docker-Experimental", "false"},
        {"Ostype", "linux"},
        {"Server", std::string("Berth/") + build_info::version + " (linux)"},
    };
  }
}

dispatcher::prepared dispatcher::prepare(std::string method, std::string target,
                                         std::map<std::string, std::string> headers) const {
  prepared p;
  p.info.method = method;
  p.info.target = target;
  p.info.route = "unmatched";
  p.info.start_nanos = monotonic_nanos();
  auto qmark = target.find('?');
  auto raw_path = target.substr(0, qmark);
  auto raw_query = qmark == std::string::npos ? std::string{} : target.substr(qmark + 1);
  auto path = percent_decode(raw_path, false);
  if (!path || path->empty() || path->front() != '/') {
    p.error = error_response(400, "malformed request path");
    return p;
  }
  std::string routed_path = *path;
  if (versioned_) {
    auto split = split_version(*path);
    if (!split) {
      p.error = error_response(split.error());
      return p;
    }
    p.request.version = split->version;
    routed_path = std::move(split->path);
  }
  auto match = routes_->match(method, routed_path);
  if (!match.matched) {
    p.error = error_response(404, "page not found");
    return p;
  }
  auto query = query_params::parse(raw_query);
  if (!query) {
    p.error = error_response(query.error());
    return p;
  }
  p.matched = match.matched;
  p.info.route = match.matched->pattern;
  p.request.method = std::move(method);
  p.request.target = std::move(target);
  p.request.path = std::move(routed_path);
  p.request.query = std::move(*query);
  p.request.headers = std::move(headers);
  p.request.params = std::move(match.params);
  return p;
}

void dispatcher::run(prepared&& p, std::string body, std::shared_ptr<response_channel> channel,
                     std::shared_ptr<request_body> stream) const {
  if (p.error || !p.matched) {
    channel->send(p.error ? std::move(*p.error) : error_response(404, "page not found"), p.info);
    return;
  }
  p.request.body = std::move(body);
  auto ex = std::make_shared<exchange>(std::move(p.request), p.info, std::move(channel), ctx_,
                                       std::move(stream));
  try {
    p.matched->handler(ex);
  } catch (const std::exception& e) {
    // Handlers return errors as values; an exception here is a bug, but never a dead daemon.
    lg.error("handler threw", {{"route", p.info.route}, {"what", e.what()}});
    ex->reply_error(make_error(errc::internal, std::string("internal error: ") + e.what()));
  }
}

} // namespace berth::api
