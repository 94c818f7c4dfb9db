// One request and its response, as a handler sees it. Handlers answer exactly once (reply,
// reply_error, reply_json or stream); an exchange dropped without an answer answers 500 itself,
// so a connection never hangs on a forgotten reply.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <nlohmann/json_fwd.hpp>

#include "api/api_context.hpp"
#include "api/http_types.hpp"
#include "api/response_channel.hpp"

namespace berth::api {

class request_body;
class response_stream;

class exchange {
 public:
  exchange(http_request request, request_info info, std::shared_ptr<response_channel> channel,
           std::shared_ptr<api_context> ctx, std::shared_ptr<request_body> body = nullptr);
  ~exchange();
  exchange(const exchange&) = delete;
  exchange& operator=(const exchange&) = delete;

  [[nodiscard]] const http_request& request() const { return request_; }

  /// The streamed request body of routes declared `body_mode::streamed` (else nullptr).
  [[nodiscard]] const std::shared_ptr<request_body>& body_stream() const { return body_; }
  [[nodiscard]] api_context& context() const { return *ctx_; }
  [[nodiscard]] const std::shared_ptr<api_context>& context_ptr() const { return ctx_; }

  /// Sends `response`. Later answers are ignored.
  void reply(http_response response);

  /// Sends `body` as JSON (with the trailing newline Docker's encoder writes).
  void reply_json(int status, const nlohmann::json& body);

  /// Sends Docker's error shape for `err`.
  void reply_error(const caf::error& err);

  /// Sends a status with an empty body (204, 304, 201, ...).
  void reply_status(int status);

  /// Takes the connection over for raw bytes: `101 UPGRADED` with Docker's stream content type
  /// when the client sent `Upgrade: tcp`, else `200` and the raw stream. Returns nullptr when
  /// already answered.
  [[nodiscard]] std::shared_ptr<spliceable_connection> upgrade(std::string content_type);

  /// Sends the head of a chunked response (with `headers` besides the content type) and returns
  /// the stream for its body.
  [[nodiscard]] std::shared_ptr<response_stream>
  stream(int status, std::string content_type,
         std::vector<std::pair<std::string, std::string>> headers = {});

  [[nodiscard]] bool answered() const { return answered_.load(); }

 private:
  bool claim();

  http_request request_;
  request_info info_;
  std::shared_ptr<response_channel> channel_;
  std::shared_ptr<api_context> ctx_;
  std::shared_ptr<request_body> body_;
  std::atomic<bool> answered_{false};
};

using exchange_ptr = std::shared_ptr<exchange>;

} // namespace berth::api
