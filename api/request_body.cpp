// A request body streamed to a blocking consumer.
#include "api/request_body.hpp"

#include <cstring>

namespace berth::api {

void request_body::push(std::string chunk) {
  {
    std::lock_guard guard{mutex_};
    if (abandoned_ || chunk.empty())
      return;
    buffered_ += chunk.size();
    chunks_.push_back(std::move(chunk));
  }
  ready_.notify_one();
}

void request_body::finish() {
  {
    std::lock_guard guard{mutex_};
    finished_ = true;
  }
  ready_.notify_all();
}

void request_body::fail(caf::error err) {
  {
    std::lock_guard guard{mutex_};
    if (!finished_)
      failure_ = std::move(err);
    finished_ = true;
  }
  ready_.notify_all();
}

bool request_body::wants_more() const {
  std::lock_guard guard{mutex_};
  return abandoned_ || buffered_ < high_watermark;
}

void request_body::on_space(std::function<void()> resume) {
  bool now = false;
  {
    std::lock_guard guard{mutex_};
    if (abandoned_ || buffered_ < low_watermark)
      now = true;
    else
      resume_ = std::move(resume);
  }
  if (now && resume)
    resume();
}

caf::expected<size_t> request_body::read(char* buf, size_t n) {
  std::function<void()> resume;
  size_t taken = 0;
  {
    std::unique_lock lock{mutex_};
    ready_.wait(lock, [this] { return !chunks_.empty() || finished_; });
    if (chunks_.empty()) {
      if (failure_)
        return failure_;
      return size_t{0};
    }
    while (taken < n && !chunks_.empty()) {
      auto& front = chunks_.front();
      auto take = std::min(n - taken, front.size() - offset_);
      std::memcpy(buf + taken, front.data() + offset_, take);
      taken += take;
      offset_ += take;
      if (offset_ == front.size()) {
        chunks_.pop_front();
        offset_ = 0;
      }
    }
    buffered_ -= taken;
    if (resume_ && buffered_ < low_watermark)
      resume = std::move(resume_);
  }
  if (resume)
    resume();
  return taken;
}

void request_body::abandon() {
  std::function<void()> resume;
  {
    std::lock_guard guard{mutex_};
    abandoned_ = true;
    chunks_.clear();
    buffered_ = 0;
    offset_ = 0;
    resume = std::move(resume_);
  }
  if (resume)
    resume();
}

bool request_body::abandoned() const {
  std::lock_guard guard{mutex_};
  return abandoned_;
}

} // namespace berth::api
