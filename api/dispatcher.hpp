// Turns a parsed HTTP head into a routed request, and runs the route's handler once the body is
// in. Owns the API-version rules (docker API listeners) and the headers added to every response.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/api_context.hpp"
#include "api/http_types.hpp"
#include "api/request_body.hpp"
#include "api/response_channel.hpp"
#include "api/router.hpp"

namespace berth::api {

class dispatcher {
 public:
  /// `versioned`: accept the `/vX.Y/` prefix and answer with Docker's Api-Version headers.
  dispatcher(std::shared_ptr<const router> routes, std::shared_ptr<api_context> ctx,
             bool versioned);

  /// A request ready for its body, or the error to answer instead.
  struct prepared {
    const route* matched = nullptr;
    http_request request;
    request_info info;
    std::optional<http_response> error;
  };

  /// Routes `method` + `target` (headers with lower-case names).
  [[nodiscard]] prepared prepare(std::string method, std::string target,
                                 std::map<std::string, std::string> headers) const;

  /// Runs the handler of `p` with `body` (or, for streamed routes, `stream`), answering through
  /// `channel`.
  void run(prepared&& p, std::string body, std::shared_ptr<response_channel> channel,
           std::shared_ptr<request_body> stream = nullptr) const;

  /// Headers every response of this listener carries.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& common_headers() const {
    return common_headers_;
  }

  [[nodiscard]] const std::shared_ptr<api_context>& context() const { return ctx_; }

 private:
  std::shared_ptr<const router> routes_;
  std::shared_ptr<api_context> ctx_;
  bool versioned_;
  std::vector<std::pair<std::string, std::string>> common_headers_;
};

} // namespace berth::api
