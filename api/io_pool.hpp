// The Asio threads that run every HTTP connection (API and metrics listeners share them).
#pragma once

#include <memory>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace berth::api {

class io_pool {
 public:
  explicit io_pool(int threads);
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  [[nodiscard]] boost::asio::io_context& context();

  /// Starts the threads; they run until stop().
  void start();

  /// Stops the event loop and joins the threads (idempotent).
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace berth::api
