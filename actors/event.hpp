// An engine event as Docker reports it on /events (type, action, actor, attributes, time).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <caf/meta/type_name.hpp>

namespace berth::actors {

struct event {
  uint64_t seq = 0;     ///< assigned by the events actor, strictly increasing
  std::string type;     ///< "container", "image", "network", "volume", "daemon", ...
  std::string action;   ///< "create", "start", "reload", "exec_create: sh", ...
  std::string actor_id; ///< the object's ID
  std::map<std::string, std::string> attributes;
  std::string scope = "local";
  int64_t time_nanos = 0; ///< unix nanoseconds; set on publish when 0
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(caf::meta::type_name("berth.event"), x.seq, x.type, x.action, x.actor_id, x.attributes,
           x.scope, x.time_nanos);
}

} // namespace berth::actors
