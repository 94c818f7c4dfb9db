// Tests runtime/exec_output_reader: stdcopy frames split anywhere, and the reader against a fake
// exec socket served like the shim serves exec-<id>.sock (header first, frames, then close).
#include <chrono>
#include <cstdlib>
#include <future>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "runtime/exec_output_reader.hpp"

using namespace berth::runtime;
using namespace std::chrono_literals;

namespace {

std::string frame(int stream, const std::string& payload) {
  std::string out(8, '\0');
  out[0] = static_cast<char>(stream);
  auto n = static_cast<uint32_t>(payload.size());
  out[4] = static_cast<char>(n >> 24);
  out[5] = static_cast<char>(n >> 16);
  out[6] = static_cast<char>(n >> 8);
  out[7] = static_cast<char>(n);
  return out + payload;
}

class exec_output_reader_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-exec-output-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    io_thread_ = std::thread{[this] { io_.run(); }};
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    io_thread_.join();
    if (listener_ >= 0) ::close(listener_);
    std::string cmd = "rm -rf " + dir_;
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }

  void listen_exec_socket(const std::string& id) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    auto path = dir_ + "/exec-" + id + ".sock";
    path.copy(addr.sun_path, sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener_, 4), 0);
  }

  /// Accepts one client and reads its header line.
  int accept_client(std::string* header) {
    int conn = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    char c;
    while (conn >= 0 && ::read(conn, &c, 1) == 1 && c != '\n')
      *header += c;
    return conn;
  }

  std::shared_ptr<exec_output_reader> start(const std::string& id, std::promise<bool>& connected,
                                            std::promise<std::string>& done) {
    return exec_output_reader::start(
        io_, dir_, id, [&connected](bool ok) { connected.set_value(ok); },
        [&done](std::string text) { done.set_value(std::move(text)); });
  }

  std::string dir_;
  int listener_ = -1;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      boost::asio::make_work_guard(io_)};
  std::thread io_thread_;
};

} // namespace

TEST(stdcopy_collector, joins_payloads_of_frames_split_anywhere) {
  auto stream = frame(1, "out\n") + frame(2, "err\n") + frame(1, "") + frame(1, "more");
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    stdcopy_collector c;
    c.feed(std::string_view(stream).substr(0, cut));
    c.feed(std::string_view(stream).substr(cut));
    EXPECT_EQ(c.output().text(), "out\nerr\nmore") << cut;
  }
  stdcopy_collector bytewise;
  for (char ch : stream)
    bytewise.feed(std::string_view(&ch, 1));
  EXPECT_EQ(bytewise.output().text(), "out\nerr\nmore");
}

TEST(stdcopy_collector, keeps_the_first_4096_bytes) {
  stdcopy_collector c;
  c.feed(frame(1, std::string(5000, 'x')) + frame(2, "tail"));
  EXPECT_EQ(c.output().text(), std::string(4096, 'x') + "...");
}

TEST_F(exec_output_reader_test, reads_stdout_and_stderr_until_the_shim_closes) {
  listen_exec_socket("ab12");
  std::promise<bool> connected;
  std::promise<std::string> done;
  auto reader = start("ab12", connected, done);
  std::string header;
  int conn = accept_client(&header);
  ASSERT_GE(conn, 0);
  EXPECT_EQ(header, "attach stdin=0 stdout=1 stderr=1");
  auto connected_future = connected.get_future();
  ASSERT_EQ(connected_future.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(connected_future.get());
  auto data = frame(1, "checking\n") + frame(2, "missing /ok\n");
  ASSERT_EQ(::write(conn, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(conn);
  auto done_future = done.get_future();
  ASSERT_EQ(done_future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(done_future.get(), "checking\nmissing /ok\n");
}

TEST_F(exec_output_reader_test, cancel_hands_over_what_was_read) {
  listen_exec_socket("cd34");
  std::promise<bool> connected;
  std::promise<std::string> done;
  auto reader = start("cd34", connected, done);
  std::string header;
  int conn = accept_client(&header);
  ASSERT_GE(conn, 0);
  ASSERT_EQ(connected.get_future().wait_for(5s), std::future_status::ready);
  auto data = frame(1, "partial");
  ASSERT_EQ(::write(conn, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  reader->cancel(); // the connection stays open: only the cancel ends the read
  auto done_future = done.get_future();
  ASSERT_EQ(done_future.wait_for(5s), std::future_status::ready);
  auto text = done_future.get();
  EXPECT_TRUE(text.empty() || text == "partial") << text;
  reader->cancel(); // again: nothing more happens
  ::close(conn);
}

TEST_F(exec_output_reader_test, reports_a_socket_that_is_not_there) {
  std::promise<bool> connected;
  std::promise<std::string> done;
  auto reader = start("ef56", connected, done);
  auto connected_future = connected.get_future();
  ASSERT_EQ(connected_future.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(connected_future.get());
}
