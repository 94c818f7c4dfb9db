// A byte_sink over a streamed HTTP response.
#include "api/response_sink.hpp"

#include "api/response_stream.hpp"
#include "base/error.hpp"

namespace berth::api {

caf::error response_sink::write(const char* data, size_t n) {
  std::shared_ptr<response_stream> stream;
  {
    std::lock_guard guard{mutex_};
    if (!stream_)
      stream_ = ex_->stream(200, content_type_, std::move(headers_));
    stream = stream_;
  }
  if (!stream)
    return make_error(errc::internal, "response already answered");
  while (stream->queued_bytes() >= max_queued)
    if (!stream->wait_for_room(max_queued, std::chrono::minutes(5)))
      return make_error(errc::unavailable, "the client stopped reading");
  if (stream->closed())
    return make_error(errc::unavailable, "the client went away");
  stream->write(std::string(data, n));
  return {};
}

void response_sink::add_header(std::string name, std::string value) {
  std::lock_guard guard{mutex_};
  headers_.emplace_back(std::move(name), std::move(value));
}

bool response_sink::started() const {
  std::lock_guard guard{mutex_};
  return stream_ != nullptr;
}

void response_sink::finish() {
  std::lock_guard guard{mutex_};
  if (stream_)
    stream_->close();
}

} // namespace berth::api
