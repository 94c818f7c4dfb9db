// A chunked response body written piece by piece.
#include "api/response_stream.hpp"

namespace berth::api {

std::shared_ptr<response_stream> response_stream::open(std::shared_ptr<response_channel> channel) {
  auto stream = std::make_shared<response_stream>(channel);
  std::weak_ptr<response_stream> weak = stream;
  channel->on_client_gone([weak] {
    if (auto s = weak.lock()) s->client_gone();
  });
  channel->on_progress([weak] {
    if (auto s = weak.lock()) s->progress();
  });
  return stream;
}

response_stream::response_stream(std::shared_ptr<response_channel> channel)
    : channel_(std::move(channel)) {}

response_stream::~response_stream() {
  close();
}

void response_stream::write(std::string chunk) {
  if (!closed_.load() && !chunk.empty()) channel_->stream_write(std::move(chunk));
}

void response_stream::close() {
  if (!closed_.exchange(true)) channel_->stream_end();
}

void response_stream::client_gone() {
  closed_.store(true);
  std::function<void()> fn;
  {
    std::lock_guard guard{mutex_};
    gone_ = true;
    fn = std::move(gone_callback_);
    room_.notify_all();
  }
  if (fn) fn();
}

void response_stream::progress() {
  std::lock_guard guard{mutex_};
  room_.notify_all();
}

bool response_stream::wait_for_room(size_t limit, std::chrono::milliseconds timeout) {
  std::unique_lock lock{mutex_};
  bool ok = room_.wait_for(lock, timeout, [&] { return closed() || queued_bytes() < limit; });
  return ok && !closed();
}

void response_stream::on_client_gone(std::function<void()> fn) {
  {
    std::lock_guard guard{mutex_};
    if (!gone_) {
      gone_callback_ = std::move(fn);
      return;
    }
  }
  if (fn) fn();
}

} // namespace berth::api
