// The stored and API forms of a volume.
#include "actors/volume_record.hpp"

#include "base/error.hpp"
#include "base/time.hpp"

namespace berth::actors {

std::string to_state_json(const volume_record& v) {
  return nlohmann::json{{"name", v.name},       {"driver", v.driver},   {"labels", v.labels},
                        {"options", v.options}, {"created", v.created}, {"anonymous", v.anonymous},
                        {"users", v.users}}
      .dump();
}

caf::expected<volume_record> volume_from_state_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("name"))
    return make_error(errc::internal, "corrupt volume record");
  try {
    volume_record v;
    v.name = j.at("name").get<std::string>();
    v.driver = j.value("driver", "local");
    v.labels = j.value("labels", std::map<std::string, std::string>{});
    v.options = j.value("options", std::map<std::string, std::string>{});
    v.created = j.value("created", int64_t{0});
    v.anonymous = j.value("anonymous", false);
    v.users = j.value("users", std::set<std::string>{});
    return v;
  } catch (const nlohmann::json::exception& e) {
    return make_error(errc::internal, std::string("corrupt volume record: ") + e.what());
  }
}

nlohmann::json volume_json(const volume_record& v, const std::string& mountpoint, int64_t size) {
  nlohmann::json out{
      {"CreatedAt", format_rfc3339(v.created, 0)},
      {"Driver", v.driver},
      {"Labels", v.labels.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.labels)},
      {"Mountpoint", mountpoint},
      {"Name", v.name},
      {"Options", v.options.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.options)},
      {"Scope", "local"}};
  if (v.anonymous) out["Labels"] = {{"com.docker.volume.anonymous", ""}};
  for (const auto& [k, value] : v.labels)
    out["Labels"][k] = value;
  if (size >= 0)
    out["UsageData"] = {{"Size", size}, {"RefCount", static_cast<int64_t>(v.users.size())}};
  return out;
}

} // namespace berth::actors
