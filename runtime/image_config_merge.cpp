// Filling a container's Config from its image's config, as dockerd's create does (merge()).
#include "runtime/config_decoding.hpp"
#include "runtime/container_config.hpp"

namespace berth::runtime {

namespace {

std::string env_key(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

} // namespace

void merge_image_config(container_config& c, const nlohmann::json& image_config) {
  // The image config was checked when the image was stored; should a field have the wrong type
  // anyway, that field and the ones read after it are left out rather than failing the container.
  json_fields fields{image_config.is_object() ? &image_config : nullptr, "Config", "Config"};
  auto image = decode_config(fields);
  if (c.user.empty()) c.user = image.user;
  c.exposed_ports.insert(image.exposed_ports.begin(), image.exposed_ports.end());
  if (c.env.empty()) {
    c.env = image.env;
  } else {
    std::set<std::string> keys;
    for (const auto& e : c.env)
      keys.insert(env_key(e));
    for (const auto& e : image.env)
      if (!keys.count(env_key(e))) c.env.push_back(e);
  }
  for (const auto& [k, v] : image.labels)
    c.labels.emplace(k, v);
  if (!c.entrypoint || c.entrypoint->empty()) {
    if (!c.cmd || c.cmd->empty()) c.cmd = image.cmd;
    if (!c.entrypoint) c.entrypoint = image.entrypoint;
  }
  if (c.entrypoint && c.entrypoint->size() == 1 && c.entrypoint->front().empty())
    c.entrypoint.reset();
  if (image.healthcheck) {
    const auto& from_image = *image.healthcheck;
    if (!c.healthcheck) {
      c.healthcheck = from_image;
    } else {
      auto& mine = *c.healthcheck;
      if (mine.test.empty()) mine.test = from_image.test;
      if (mine.interval == 0) mine.interval = from_image.interval;
      if (mine.timeout == 0) mine.timeout = from_image.timeout;
      if (mine.start_period == 0) mine.start_period = from_image.start_period;
      if (mine.start_interval == 0) mine.start_interval = from_image.start_interval;
      if (mine.retries == 0) mine.retries = from_image.retries;
    }
  }
  if (c.working_dir.empty()) c.working_dir = image.working_dir;
  c.volumes.insert(image.volumes.begin(), image.volumes.end());
  if (c.stop_signal.empty()) c.stop_signal = image.stop_signal;
}

} // namespace berth::runtime
