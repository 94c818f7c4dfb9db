// tcp_bench: new TCP connections per second to one IPv4 address, each carrying one HTTP/1.0 GET
// read to EOF (what busybox httpd serves: one request per connection). For published ports:
// compare 127.0.0.1:<host port> with the container's own address.
//
//   tcp_bench --addr 127.0.0.1:8080 --path / --requests 2000 --concurrency 4
//
// Prints one line: addr, concurrency, requests, conn/s, p50, p90, p99, max (microseconds), errors.
// Bounded: `--requests` in total, and every connect/read gives up after 2 s.
#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
constexpr int timeout_ms = 2000;

struct options {
  std::string addr = "127.0.0.1:8080";
  std::string path = "/";
  int requests = 1000;
  int concurrency = 1;
};

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--addr")
      o.addr = v;
    else if (k == "--path")
      o.path = v;
    else if (k == "--requests")
      o.requests = std::atoi(v.c_str());
    else if (k == "--concurrency")
      o.concurrency = std::max(1, std::atoi(v.c_str()));
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

sockaddr_in parse_addr(const std::string& text) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  auto colon = text.rfind(':');
  if (colon == std::string::npos ||
      ::inet_pton(AF_INET, text.substr(0, colon).c_str(), &a.sin_addr) != 1) {
    std::fprintf(stderr, "bad --addr %s (want a.b.c.d:port)\n", text.c_str());
    std::exit(2);
  }
  a.sin_port = htons(static_cast<uint16_t>(std::atoi(text.c_str() + colon + 1)));
  return a;
}

bool wait_for(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// One connection: connect, send the request, read to EOF. True when the answer was a 200.
bool one_request(const sockaddr_in& to, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  bool ok = false;
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  if (rc == 0 || (errno == EINPROGRESS && wait_for(fd, POLLOUT))) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err == 0 && ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                        static_cast<ssize_t>(request.size())) {
      std::string in;
      char buf[16384];
      for (;;) {
        auto r = ::recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
          in.append(buf, static_cast<size_t>(r));
        } else if (r == 0) {
          ok = in.compare(0, 12, "HTTP/1.0 200") == 0 || in.compare(0, 12, "HTTP/1.1 200") == 0;
          break;
        } else if (errno != EAGAIN || !wait_for(fd, POLLIN)) {
          break;
        }
      }
    }
  }
  ::close(fd);
  return ok;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto idx = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[idx];
}

} // namespace

int main(int argc, char** argv) {
  auto opt = parse(argc, argv);
  auto to = parse_addr(opt.addr);
  std::string request = "GET " + opt.path + " HTTP/1.0\r\nHost: bench\r\n\r\n";
  std::vector<double> latencies;
  latencies.reserve(static_cast<size_t>(opt.requests));
  long errors = 0;
  std::mutex results;
  auto begin = clock_type::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < opt.concurrency; ++w) {
    int share = opt.requests / opt.concurrency + (w < opt.requests % opt.concurrency ? 1 : 0);
    workers.emplace_back([&, share] {
      std::vector<double> mine;
      long failed = 0;
      for (int i = 0; i < share; ++i) {
        auto t0 = clock_type::now();
        if (one_request(to, request))
          mine.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
        else
          ++failed;
      }
      std::lock_guard lock(results);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
      errors += failed;
    });
  }
  for (auto& t : workers)
    t.join();
  double elapsed = std::chrono::duration<double>(clock_type::now() - begin).count();
  std::sort(latencies.begin(), latencies.end());
  std::printf("addr=%s concurrency=%d requests=%zu conn_per_s=%.0f p50_us=%.1f p90_us=%.1f "
              "p99_us=%.1f max_us=%.1f errors=%ld\n",
              opt.addr.c_str(), opt.concurrency, latencies.size(),
              static_cast<double>(latencies.size()) / elapsed, percentile(latencies, 50),
              percentile(latencies, 90), percentile(latencies, 99),
              latencies.empty() ? 0.0 : latencies.back(), errors);
  return errors == 0 ? 0 : 1;
}
