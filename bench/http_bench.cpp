// http_bench: requests/s and latency percentiles of one HTTP GET over a unix socket, with N
// concurrent keep-alive connections, from a single epoll thread (so the client costs little CPU).
//
//   http_bench --socket /run/berth/berth.sock --path /_ping --connections 8 --seconds 5
//
// Prints one line: path, connections, requests, req/s, p50, p90, p99, max (microseconds), errors.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string socket_path = "/run/berth/berth.sock";
  std::string path = "/_ping";
  int connections = 8;
  double seconds = 5;
  double warmup_seconds = 0.5;
};

struct connection {
  int fd = -1;
  std::string in;
  clock_type::time_point sent;
};

int connect_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  return fd;
}

// Returns the length of one complete response at the start of `buf`, or 0 if incomplete.
// Handles Content-Length bodies (what /_ping and /version send).
size_t complete_response(const std::string& buf) {
  auto end = buf.find("\r\n\r\n");
  if (end == std::string::npos) return 0;
  size_t length = 0;
  auto cl = buf.find("Content-Length: ");
  if (cl != std::string::npos && cl < end)
    length = std::strtoul(buf.c_str() + cl + 16, nullptr, 10);
  size_t total = end + 4 + length;
  return buf.size() >= total ? total : 0;
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::string v = argv[i + 1];
    if (k == "--socket")
      o.socket_path = v;
    else if (k == "--path")
      o.path = v;
    else if (k == "--connections")
      o.connections = std::atoi(v.c_str());
    else if (k == "--seconds")
      o.seconds = std::atof(v.c_str());
    else if (k == "--warmup")
      o.warmup_seconds = std::atof(v.c_str());
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return o;
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto idx = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[idx];
}

} // namespace

int main(int argc, char** argv) {
  auto opt = parse(argc, argv);
  std::string request = "GET " + opt.path + " HTTP/1.1\r\nHost: bench\r\n\r\n";
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<connection> conns(static_cast<size_t>(opt.connections));
  for (size_t i = 0; i < conns.size(); ++i) {
    conns[i].fd = connect_unix(opt.socket_path);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }
  auto start = clock_type::now();
  auto measure_from = start + std::chrono::duration_cast<clock_type::duration>(
                                  std::chrono::duration<double>(opt.warmup_seconds));
  auto stop_at = measure_from + std::chrono::duration_cast<clock_type::duration>(
                                    std::chrono::duration<double>(opt.seconds));
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  long errors = 0;
  auto send_one = [&](connection& c) {
    c.sent = clock_type::now();
    if (::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) ++errors;
  };
  for (auto& c : conns)
    send_one(c);
  std::vector<epoll_event> events(conns.size());
  char buf[65536];
  bool running = true;
  while (running) {
    int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 1000);
    auto now = clock_type::now();
    if (now >= stop_at) running = false;
    for (int i = 0; i < n; ++i) {
      auto& c = conns[events[static_cast<size_t>(i)].data.u64];
      auto r = ::recv(c.fd, buf, sizeof buf, 0);
      if (r <= 0) {
        ++errors;
        running = false;
        break;
      }
      c.in.append(buf, static_cast<size_t>(r));
      while (auto len = complete_response(c.in)) {
        if (c.in.compare(0, 12, "HTTP/1.1 200") != 0) ++errors;
        c.in.erase(0, len);
        if (now >= measure_from)
          latencies.push_back(std::chrono::duration<double, std::micro>(now - c.sent).count());
        if (running) send_one(c);
      }
    }
  }
  double elapsed = opt.seconds;
  std::sort(latencies.begin(), latencies.end());
  std::printf("path=%s connections=%d requests=%zu req_per_s=%.0f p50_us=%.1f p90_us=%.1f "
              "p99_us=%.1f max_us=%.1f errors=%ld\n",
              opt.path.c_str(), opt.connections, latencies.size(),
              static_cast<double>(latencies.size()) / elapsed, percentile(latencies, 50),
              percentile(latencies, 90), percentile(latencies, 99),
              latencies.empty() ? 0.0 : latencies.back(), errors);
  for (auto& c : conns)
    ::close(c.fd);
  return errors == 0 ? 0 : 1;
}
