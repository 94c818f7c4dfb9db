// Pull and push responses.
#include "api/progress_stream.hpp"

#include "api/response_stream.hpp"
#include "base/error.hpp"

namespace berth::api {

std::shared_ptr<response_stream> progress_stream::open_locked() {
  if (!stream_) {
    stream_ = ex_->stream(200, "application/json");
    if (stream_) stream_->on_client_gone([stop = stop_]() mutable { stop.request_stop(); });
  }
  return stream_;
}

void progress_stream::write(const distribution::json_message& message, bool droppable) {
  std::shared_ptr<response_stream> stream;
  {
    std::lock_guard guard{mutex_};
    stream = open_locked();
  }
  if (!stream || stream->closed()) return;
  if (droppable && stream->queued_bytes() > max_behind) return;
  stream->write(distribution::format_json_message(message));
}

void progress_stream::finish(const caf::error& err) {
  std::shared_ptr<response_stream> stream;
  {
    std::lock_guard guard{mutex_};
    stream = stream_;
  }
  if (!stream) {
    if (err)
      ex_->reply_error(err);
    else
      ex_->reply_status(200);
  } else {
    if (err) {
      distribution::json_message m;
      m.error = error_message(err);
      stream->write(distribution::format_json_message(m));
    }
    stream->close();
  }
  std::lock_guard guard{mutex_};
  operation_.end();
}

bool progress_stream::started() const {
  std::lock_guard guard{mutex_};
  return stream_ != nullptr;
}

} // namespace berth::api
