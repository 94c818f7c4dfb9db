// One request and its response.
#include "api/exchange.hpp"

#include <nlohmann/json.hpp>

#include "api/error_mapping.hpp"
#include "api/response_stream.hpp"
#include "base/log.hpp"

namespace berth::api {

namespace {
constexpr log::logger lg{"api"};
} // namespace

exchange::exchange(http_request request, request_info info,
                   std::shared_ptr<response_channel> channel, std::shared_ptr<api_context> ctx,
                   std::shared_ptr<request_body> body)
    : request_(std::move(request)), info_(std::move(info)), channel_(std::move(channel)),
      ctx_(std::move(ctx)), body_(std::move(body)) {}

exchange::~exchange() {
  if (!answered_.load()) {
    lg.error("handler dropped a request without answering", {{"route", info_.route}});
    channel_->send(error_response(500, "internal error: the request was not answered"), info_);
  }
}

bool exchange::claim() {
  return !answered_.exchange(true);
}

void exchange::reply(http_response response) {
  if (claim()) channel_->send(std::move(response), info_);
}

void exchange::reply_json(int status, const nlohmann::json& body) {
  http_response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += '\n';
  reply(std::move(r));
}

void exchange::reply_error(const caf::error& err) {
  reply(error_response(err));
}

void exchange::reply_status(int status) {
  http_response r;
  r.status = status;
  reply(std::move(r));
}

std::shared_ptr<spliceable_connection> exchange::upgrade(std::string content_type) {
  if (!claim()) return nullptr;
  http_response head;
  bool upgrade_asked = request_.header("upgrade") == "tcp" ||
                       request_.header("connection").find("pgrade") != std::string::npos;
  head.status = upgrade_asked ? 101 : 200;
  head.content_type = std::move(content_type);
  if (upgrade_asked) head.headers = {{"Connection", "Upgrade"}, {"Upgrade", "tcp"}};
  return channel_->upgrade(std::move(head), info_);
}

std::shared_ptr<response_stream>
exchange::stream(int status, std::string content_type,
                 std::vector<std::pair<std::string, std::string>> headers) {
  if (!claim()) return nullptr;
  http_response head;
  head.status = status;
  head.content_type = std::move(content_type);
  head.headers = std::move(headers);
  channel_->begin_stream(std::move(head), info_);
  return response_stream::open(channel_);
}

} // namespace berth::api
