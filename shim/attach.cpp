// One attach connection.
#include "shim/attach.hpp"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

#include "shim/io.hpp"

namespace berth::shim {

std::optional<attach_request> parse_attach_header(std::string_view line) {
  constexpr std::string_view prefix = "attach ";
  if (line.substr(0, prefix.size()) != prefix) return std::nullopt;
  line.remove_prefix(prefix.size());
  attach_request out;
  int seen = 0;
  while (!line.empty()) {
    auto word = pop_token(line, ' ');
    if (word.empty()) continue;
    auto eq = word.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto key = word.substr(0, eq);
    auto value = word.substr(eq + 1);
    if (value != "0" && value != "1") return std::nullopt;
    bool on = value == "1";
    if (key == "stdin")
      out.want_stdin = on;
    else if (key == "stdout")
      out.want_stdout = on;
    else if (key == "stderr")
      out.want_stderr = on;
    else
      return std::nullopt;
    ++seen;
  }
  if (seen != 3) return std::nullopt;
  return out;
}

void append_stdcopy_header(std::string& out, output_stream stream, uint32_t length) {
  out += static_cast<char>(stream);
  out.append(3, '\0');
  out += static_cast<char>((length >> 24) & 0xFF);
  out += static_cast<char>((length >> 16) & 0xFF);
  out += static_cast<char>((length >> 8) & 0xFF);
  out += static_cast<char>(length & 0xFF);
}

bool attach_client::read_header(std::string& input) {
  char buf[max_header];
  auto n = ::read(sock_.get(), buf, sizeof buf - header_.size());
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  if (n == 0) return false;
  header_.append(buf, static_cast<size_t>(n));
  auto nl = header_.find('\n');
  if (nl == std::string::npos) return header_.size() < max_header;
  request_ = parse_attach_header(std::string_view{header_}.substr(0, nl));
  if (!request_) return false;
  if (request_->want_stdin) input.append(header_, nl + 1);
  if (!request_->want_stdin) input_closed_ = true;
  header_.clear();
  header_.shrink_to_fit();
  return true;
}

void attach_client::send(output_stream stream, std::string_view data, bool tty) {
  if (!request_ || data.empty()) return;
  if (stream == output_stream::out ? !request_->want_stdout : !request_->want_stderr) return;
  size_t frame = tty ? data.size() : data.size() + 8;
  if (out_.size() - sent_ + frame > max_buffered) {
    ++drops_;
    return;
  }
  if (sent_ > 0 && sent_ == out_.size()) {
    out_.clear();
    sent_ = 0;
  } else if (sent_ > max_buffered / 2) {
    out_.erase(0, sent_);
    sent_ = 0;
  }
  if (!tty) append_stdcopy_header(out_, stream, static_cast<uint32_t>(data.size()));
  out_.append(data);
}

bool attach_client::write_pending() {
  while (sent_ < out_.size()) {
    auto n = ::send(sock_.get(), out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN;
    }
    sent_ += static_cast<size_t>(n);
  }
  out_.clear();
  if (out_.capacity() > 64 * 1024) out_.shrink_to_fit(); // give a burst's memory back
  sent_ = 0;
  return true;
}

bool attach_client::read_input(std::string& input, size_t max) {
  char buf[16 * 1024];
  size_t want = max < sizeof buf ? max : sizeof buf;
  if (want == 0) return true;
  auto n = ::read(sock_.get(), buf, want);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return true;
    input_closed_ = true;
    return false;
  }
  if (n == 0) {
    input_closed_ = true;
    return false;
  }
  input.append(buf, static_cast<size_t>(n));
  return true;
}

} // namespace berth::shim
