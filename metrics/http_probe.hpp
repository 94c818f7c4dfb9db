// Counters and latency histogram of the HTTP front-end, labelled by route pattern.
#pragma once

#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>

#include "metrics/registry.hpp"

namespace berth::metrics {

class http_probe {
 public:
  explicit http_probe(registry& reg);

  /// Records one finished request. `route` is the route pattern, never the raw path.
  void observe(std::string_view method, std::string_view route, int status, double seconds);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
};

} // namespace berth::metrics
