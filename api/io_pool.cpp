// The Asio threads that run every HTTP connection.
#include "api/io_pool.hpp"

#include <optional>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace berth::api {

struct io_pool::impl {
  explicit impl(int n) : io(n), threads_wanted(n) {}
  boost::asio::io_context io;
  int threads_wanted;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
  std::vector<std::thread> threads;
};

io_pool::io_pool(int threads) : impl_(std::make_unique<impl>(threads < 1 ? 1 : threads)) {}

io_pool::~io_pool() {
  stop();
}

boost::asio::io_context& io_pool::context() {
  return impl_->io;
}

void io_pool::start() {
  impl_->guard.emplace(impl_->io.get_executor());
  for (int i = 0; i < impl_->threads_wanted; ++i)
    impl_->threads.emplace_back([this] { impl_->io.run(); });
}

void io_pool::stop() {
  impl_->guard.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
}

} // namespace berth::api
