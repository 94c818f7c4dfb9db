// Counters and latency histogram of the HTTP front-end.
#include "metrics/http_probe.hpp"

#include <string>

namespace berth::metrics {

http_probe::http_probe(registry& reg)
    : requests_(prometheus::BuildCounter()
                    .Name("berth_http_requests_total")
                    .Help("HTTP requests served, by method, route and status code")
                    .Register(reg.families())),
      duration_(prometheus::BuildHistogram()
                    .Name("berth_http_request_duration_seconds")
                    .Help("Time from request received to response finished, by route")
                    .Register(reg.families())) {}

void http_probe::observe(std::string_view method, std::string_view route, int status,
                         double seconds) {
  static const prometheus::Histogram::BucketBoundaries buckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30,    60};
  requests_
      .Add({{"method", std::string(method)},
            {"route", std::string(route)},
            {"code", std::to_string(status)}})
      .Increment();
  duration_.Add({{"route", std::string(route)}}, buckets).Observe(seconds);
}

} // namespace berth::metrics
