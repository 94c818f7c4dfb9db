// Images in Docker's JSON shapes.
#include "api/docker_json/image_json.hpp"

#include "base/time.hpp"

namespace berth::api {

namespace {

using json = nlohmann::json;

json string_or_empty(const json& obj, const char* key) {
  auto i = obj.find(key);
  return i != obj.end() && i->is_string() ? *i : json("");
}

json value_or_null(const json& obj, const char* key) {
  auto i = obj.find(key);
  return i != obj.end() ? *i : json(nullptr);
}

json labels_or_null(const actors::image_view& v) {
  auto labels = v.image.labels();
  return labels.empty() ? json(nullptr) : json(labels);
}

std::string created_string(const actors::image_view& v) {
  if (v.image.config.contains("created") && v.image.config["created"].is_string())
    return v.image.config["created"].get<std::string>();
  return std::string(zero_time);
}

json graph_driver(const actors::image_view& v) {
  json data = json::object();
  if (!v.layers.empty()) {
    const auto& top = v.layers.back();
    auto base = v.layer_root + "/" + top.cache_id;
    std::string lower;
    for (auto i = v.layers.rbegin() + 1; i != v.layers.rend(); ++i)
      lower += (lower.empty() ? "" : ":") + v.layer_root + "/" + i->cache_id + "/diff";
    if (!lower.empty())
      data["LowerDir"] = lower;
    data["MergedDir"] = base + "/merged";
    data["UpperDir"] = base + "/diff";
    data["WorkDir"] = base + "/work";
  }
  return json{{"Data", data}, {"Name", "overlay2"}};
}

} // namespace

json image_config_json(const json& config, api_version version) {
  const json& c = config.is_object() ? config : json::object();
  json out;
  if (version < api_version{1, 50}) {
    // Older APIs returned the whole container config.
    out = json{{"Hostname", ""},      {"Domainname", ""},    {"User", string_or_empty(c, "User")},
               {"AttachStdin", false}, {"AttachStdout", false}, {"AttachStderr", false},
               {"Tty", false},         {"OpenStdin", false},  {"StdinOnce", false},
               {"Env", value_or_null(c, "Env")}, {"Cmd", value_or_null(c, "Cmd")},
               {"Image", ""},          {"Volumes", value_or_null(c, "Volumes")},
               {"WorkingDir", string_or_empty(c, "WorkingDir")},
               {"Entrypoint", value_or_null(c, "Entrypoint")},
               {"OnBuild", value_or_null(c, "OnBuild")}, {"Labels", value_or_null(c, "Labels")}};
  } else {
    out = json{{"User", string_or_empty(c, "User")},
               {"Env", value_or_null(c, "Env")},
               {"Cmd", value_or_null(c, "Cmd")},
               {"WorkingDir", string_or_empty(c, "WorkingDir")},
               {"Entrypoint", value_or_null(c, "Entrypoint")},
               {"OnBuild", value_or_null(c, "OnBuild")},
               {"Labels", value_or_null(c, "Labels")}};
    if (c.contains("Volumes"))
      out["Volumes"] = c["Volumes"];
  }
  for (const char* optional : {"ExposedPorts", "Healthcheck", "ArgsEscaped", "StopSignal", "Shell"})
    if (c.contains(optional))
      out[optional] = c[optional];
  return out;
}

json image_summary_json(const actors::image_view& v, api_version version) {
  json out{{"Containers", v.containers},
           {"Created", v.image.created_nanos / 1'000'000'000},
           {"Id", v.image.id},
           {"Labels", labels_or_null(v)},
           {"ParentId", v.image.parent},
           {"RepoDigests", v.repo_digests},
           {"RepoTags", v.repo_tags},
           {"SharedSize", -1},
           {"Size", v.size}};
  if (version < api_version{1, 44})
    out["VirtualSize"] = v.size;
  return out;
}

json image_inspect_json(const actors::image_view& v, api_version version) {
  const auto& cfg = v.image.config;
  json out{{"Id", v.image.id},
           {"RepoTags", v.repo_tags},
           {"RepoDigests", v.repo_digests},
           {"Parent", v.image.parent},
           {"Comment", string_or_empty(cfg, "comment")},
           {"Created", created_string(v)},
           {"DockerVersion", string_or_empty(cfg, "docker_version")},
           {"Author", string_or_empty(cfg, "author")},
           {"Config", image_config_json(cfg.value("config", json::object()), version)},
           {"Architecture", string_or_empty(cfg, "architecture")},
           {"Os", string_or_empty(cfg, "os")},
           {"Size", v.size},
           {"GraphDriver", graph_driver(v)},
           {"RootFS", {{"Type", "layers"}, {"Layers", v.image.diff_ids}}},
           {"Metadata", {{"LastTagTime", format_rfc3339_or_zero(v.image.last_tag_nanos)}}}};
  if (cfg.contains("variant"))
    out["Variant"] = cfg["variant"];
  if (cfg.contains("os.version"))
    out["OsVersion"] = cfg["os.version"];
  if (version < api_version{1, 44})
    out["VirtualSize"] = v.size;
  if (version < api_version{1, 45}) {
    out["Container"] = "";
    out["ContainerConfig"] = image_config_json(json::object(), api_version{1, 44});
  }
  return out;
}

json image_history_json(const actors::image_view& v) {
  json out = json::array();
  const auto& history = v.image.config.value("history", json::array());
  if (!history.is_array())
    return out;
  size_t layer = 0;
  std::vector<json> items;
  for (const auto& h : history) {
    if (!h.is_object())
      continue;
    uint64_t size = 0;
    if (!h.value("empty_layer", false)) {
      if (layer < v.layers.size())
        size = v.layers[layer].size;
      ++layer;
    }
    int64_t created = 0;
    if (h.contains("created") && h["created"].is_string())
      created = parse_rfc3339(h["created"].get<std::string>()).value_or(0) / 1'000'000'000;
    items.push_back(json{{"Id", "<missing>"},
                         {"Created", created},
                         {"CreatedBy", string_or_empty(h, "created_by")},
                         {"Tags", nullptr},
                         {"Size", size},
                         {"Comment", string_or_empty(h, "comment")}});
  }
  // Newest first; the newest entry is the image itself.
  for (auto i = items.rbegin(); i != items.rend(); ++i)
    out.push_back(*i);
  if (!out.empty()) {
    out[0]["Id"] = v.image.id;
    out[0]["Tags"] = v.repo_tags.empty() ? json(nullptr) : json(v.repo_tags);
  }
  // As dockerd: the entries below are attributed to the local parents, one per entry.
  for (size_t i = 0; i < v.ancestors.size() && i + 1 < out.size(); ++i) {
    const auto& a = v.ancestors[i];
    out[i + 1]["Id"] = a.id;
    out[i + 1]["Tags"] = a.repo_tags.empty() ? json(nullptr) : json(a.repo_tags);
  }
  return out;
}

json delete_records_json(const std::vector<storage::delete_record>& records) {
  json out = json::array();
  for (const auto& r : records) {
    if (!r.untagged.empty())
      out.push_back({{"Untagged", r.untagged}});
    else
      out.push_back({{"Deleted", r.deleted}});
  }
  return out;
}

} // namespace berth::api
