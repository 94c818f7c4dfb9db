// Matching of events against /events filters (moby's daemon/events/filter.go rules).
#include "actors/event_filter.hpp"

namespace berth::actors {

namespace {

std::string attribute(const event& ev, const std::string& key) {
  auto i = ev.attributes.find(key);
  return i == ev.attributes.end() ? std::string{} : i->second;
}

// For container, network, volume, daemon... filters: prefix match on the ID or the name.
bool fuzzy_match_name(const filter_args& f, const event& ev, const std::string& name) {
  if (!f.contains(name)) return true;
  return f.fuzzy_match(name, ev.actor_id) || f.fuzzy_match(name, attribute(ev, "name"));
}

std::string strip_tag(const std::string& image) {
  auto slash = image.rfind('/');
  auto colon = image.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return image.substr(0, colon);
  return image;
}

bool match_action(const filter_args& f, const event& ev) {
  // Actions like "exec_create: sh -c x" match the bare "exec_create" filter by prefix.
  for (const auto& v : f.get("event"))
    if (v == "health_status" || v == "exec_create" || v == "exec_start")
      return f.fuzzy_match("event", ev.action);
  return f.exact_match("event", ev.action);
}

bool match_image(const filter_args& f, const event& ev) {
  if (!f.contains("image")) return true;
  auto name = attribute(ev, ev.type == "image" ? "name" : "image");
  return f.exact_match("image", ev.actor_id) || f.exact_match("image", name) ||
         f.exact_match("image", strip_tag(ev.actor_id)) || f.exact_match("image", strip_tag(name));
}

} // namespace

caf::error validate_event_filters(const filter_args& filters) {
  return filters.validate({"config", "container", "daemon", "event", "image", "label", "network",
                           "node", "plugin", "scope", "secret", "service", "type", "volume"});
}

bool event_matches(const filter_args& f, const event& ev) {
  if (f.empty()) return true;
  return match_action(f, ev) && f.exact_match("type", ev.type) &&
         f.exact_match("scope", ev.scope) && fuzzy_match_name(f, ev, "daemon") &&
         fuzzy_match_name(f, ev, "container") && fuzzy_match_name(f, ev, "plugin") &&
         fuzzy_match_name(f, ev, "volume") && fuzzy_match_name(f, ev, "network") &&
         match_image(f, ev) && fuzzy_match_name(f, ev, "node") &&
         fuzzy_match_name(f, ev, "service") && fuzzy_match_name(f, ev, "secret") &&
         fuzzy_match_name(f, ev, "config") && f.match_kv_list("label", ev.attributes);
}

} // namespace berth::actors
