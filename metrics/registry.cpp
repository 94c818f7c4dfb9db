// The daemon's Prometheus registry and its text rendering.
#include "metrics/registry.hpp"

#include <prometheus/text_serializer.h>

namespace berth::metrics {

const prometheus::Histogram::BucketBoundaries& default_buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                               0.5,   1,    2.5,   5,    10};
  return buckets;
}

registry::registry() : families_(std::make_shared<prometheus::Registry>()) {}

void registry::add(std::shared_ptr<prometheus::Collectable> extra) {
  std::lock_guard guard{extras_mutex_};
  extras_.push_back(std::move(extra));
}

std::string registry::render() const {
  auto collected = families_->Collect();
  {
    std::lock_guard guard{extras_mutex_};
    for (const auto& extra : extras_) {
      auto more = extra->Collect();
      collected.insert(collected.end(), std::make_move_iterator(more.begin()),
                       std::make_move_iterator(more.end()));
    }
  }
  return prometheus::TextSerializer{}.Serialize(collected);
}

} // namespace berth::metrics
