// A repository on a registry endpoint: opening (endpoint fallback, ping), authorized requests,
// manifests and tags. Blob transfers are in blob_fetch.cpp and blob_push.cpp.
#include "registry/repository.hpp"

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/log.hpp"
#include "registry/ping.hpp"
#include "registry/registry_error.hpp"
#include "storage/digest.hpp"

namespace berth::registry {

namespace {

constexpr log::logger lg{"registry"};

/// The URL of a Link header's rel="next" target: `</v2/x/tags/list?n=100&last=b>; rel="next"`.
std::optional<std::string> next_link(std::string_view link) {
  if (link.find("rel=\"next\"") == std::string_view::npos &&
      link.find("rel=next") == std::string_view::npos)
    return std::nullopt;
  auto open = link.find('<');
  auto close = link.find('>', open);
  if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
  return std::string(link.substr(open + 1, close - open - 1));
}

} // namespace

repository::repository(http_client& http, registry_endpoint endpoint, std::string path,
                       registry_credentials credentials, endpoint_use use,
                       repository_options options)
    : http_(http), endpoint_(std::move(endpoint)), path_(std::move(path)), use_(use),
      options_(std::move(options)), authorizer_(http, std::move(credentials)) {}

caf::expected<std::unique_ptr<repository>>
repository::open_endpoint(http_client& http, registry_endpoint endpoint, std::string path,
                          registry_credentials credentials, endpoint_use use,
                          repository_options options, std::stop_token stop) {
  std::unique_ptr<repository> repo(new repository(http, std::move(endpoint), std::move(path),
                                                  std::move(credentials), use, std::move(options)));
  if (auto err = ping(http, repo->endpoint_, repo->authorizer_, stop)) return err;
  return repo;
}

caf::expected<std::unique_ptr<repository>>
repository::open(http_client& http, const registry_config& config, const storage::reference& ref,
                 registry_credentials credentials, endpoint_use use, repository_options options,
                 std::stop_token stop) {
  if (!ref.has_name()) return make_error(errc::invalid_argument, "reference has no repository");
  auto endpoints = lookup_endpoints(config, ref.domain, use);
  if (!endpoints) return std::move(endpoints.error());
  caf::error last;
  for (auto& endpoint : *endpoints) {
    auto repo = open_endpoint(http, endpoint, ref.path, credentials, use, options, stop);
    if (repo) return repo;
    last = std::move(repo.error());
    if (stop.stop_requested()) break;
    // Only a registry that cannot be reached (or a mirror) makes dockerd try the next endpoint.
    if (!is_transient(last) && !endpoint.mirror) break;
    lg.debug("registry endpoint failed, trying the next",
             {{"endpoint", endpoint.base.string()}, {"error", error_message(last)}});
  }
  return last;
}

std::vector<std::string> repository::scopes() const {
  return {repository_scope(path_, use_ == endpoint_use::push)};
}

caf::expected<http_response> repository::send(http_request request,
                                              const std::vector<std::string>& extra_scopes,
                                              const response_handler* handler,
                                              std::stop_token stop) {
  auto wanted = scopes();
  wanted.insert(wanted.end(), extra_scopes.begin(), extra_scopes.end());
  bool replayable = !request.body_source;
  for (int round = 0;; ++round) {
    auto authorization = authorizer_.authorization(wanted, stop);
    if (!authorization) return std::move(authorization.error());
    auto sent = request;
    if (!authorization->empty()) sent.headers.push_back({"Authorization", *authorization});
    auto response = handler ? http_.send(sent, *handler, stop) : http_.send(sent, stop);
    if (!response || response->status != 401 || round > 0 || !replayable) return response;
    // A refused or expired token, or a challenge asking for another scope: learn and retry once.
    if (!authorizer_.learn(*response)) return response;
    authorizer_.invalidate(wanted);
  }
}

caf::expected<fetched_manifest> repository::get_manifest(std::string_view tag_or_digest,
                                                         std::stop_token stop) {
  bool by_digest = tag_or_digest.find(':') != std::string_view::npos;
  if (by_digest) {
    if (auto err = storage::validate_digest(tag_or_digest)) return err;
  } else if (auto err = storage::validate_tag(tag_or_digest)) {
    return err;
  }
  http_request request{http_method::get,
                       endpoint_.api(path_ + "/manifests/" + std::string(tag_or_digest))};
  request.headers.push_back({"Accept", manifest_accept_header()});
  const auto limit = options_.manifest_size_limit;
  auto too_large = [&](uint64_t n) {
    return make_error(errc::invalid_argument, "manifest too large: " + std::to_string(n) +
                                                  " bytes (the limit is " + std::to_string(limit) +
                                                  ")");
  };
  auto fetched = with_retries(
      options_.retry,
      [&](int) -> caf::expected<fetched_manifest> {
        fetched_manifest out;
        response_handler handler;
        handler.on_head = [&](const http_response& head) -> caf::error {
          if (auto length = head.header("Content-Length")) {
            auto n = std::strtoull(std::string(*length).c_str(), nullptr, 10);
            if (n > limit) return too_large(n);
          }
          return {};
        };
        handler.on_data = [&](const char* data, size_t n) -> caf::error {
          if (out.bytes.size() + n > limit) return too_large(out.bytes.size() + n);
          out.bytes.append(data, n);
          return {};
        };
        auto response = send(request, {}, &handler, stop);
        if (!response) return std::move(response.error());
        if (!response->success()) return response_error(*response);
        auto type = manifest_media_type(response->header("Content-Type").value_or(""), out.bytes);
        if (!type) return std::move(type.error());
        out.media_type = std::move(*type);
        out.digest = storage::sha256_digest(out.bytes);
        return out;
      },
      {}, stop);
  if (!fetched) return fetched;
  if (by_digest && fetched->digest != tag_or_digest)
    return make_error(errc::internal,
                      "manifest verification failed for digest " + std::string(tag_or_digest));
  return fetched;
}

caf::expected<std::string> repository::put_manifest(std::string_view tag_or_digest,
                                                    std::string_view media_type,
                                                    std::string_view bytes, std::stop_token stop) {
  if (bytes.size() > options_.manifest_size_limit)
    return make_error(errc::invalid_argument,
                      "manifest too large: " + std::to_string(bytes.size()) + " bytes");
  http_request request{http_method::put,
                       endpoint_.api(path_ + "/manifests/" + std::string(tag_or_digest))};
  request.headers.push_back({"Content-Type", std::string(media_type)});
  request.body = std::string(bytes);
  auto response = send(request, {}, nullptr, stop);
  if (!response) return std::move(response.error());
  if (!response->success()) return response_error(*response);
  auto digest = storage::sha256_digest(bytes);
  if (auto header = response->header("Docker-Content-Digest");
      header && storage::is_sha256_digest(*header) && *header != digest)
    return make_error(errc::internal, "registry stored the manifest as " + std::string(*header) +
                                          " instead of " + digest);
  return digest;
}

caf::expected<std::optional<uint64_t>> repository::stat_blob(std::string_view digest,
                                                             std::stop_token stop) {
  if (auto err = storage::validate_digest(digest)) return err;
  http_request request{http_method::head, endpoint_.api(path_ + "/blobs/" + std::string(digest))};
  return with_retries(
      options_.retry,
      [&](int) -> caf::expected<std::optional<uint64_t>> {
        auto response = send(request, {}, nullptr, stop);
        if (!response) return std::move(response.error());
        if (response->status == 404) return std::optional<uint64_t>{};
        if (!response->success()) return response_error(*response);
        auto length = response->header("Content-Length");
        return std::optional<uint64_t>{
            length ? std::strtoull(std::string(*length).c_str(), nullptr, 10) : 0};
      },
      {}, stop);
}

caf::expected<std::vector<std::string>> repository::list_tags(std::stop_token stop) {
  std::vector<std::string> tags;
  auto target = endpoint_.api(path_ + "/tags/list");
  for (int page = 0; page < options_.max_tag_pages; ++page) {
    http_request request{http_method::get, target};
    auto response = with_retries(
        options_.retry,
        [&](int) -> caf::expected<http_response> {
          auto r = send(request, {}, nullptr, stop);
          if (r && !r->success()) return response_error(*r);
          return r;
        },
        {}, stop);
    if (!response) return std::move(response.error());
    auto doc = nlohmann::json::parse(response->body, nullptr, false);
    if (!doc.is_object())
      return make_error(errc::unavailable, "invalid tag list from the registry");
    if (auto it = doc.find("tags"); it != doc.end() && it->is_array())
      for (const auto& t : *it)
        if (t.is_string()) tags.push_back(t.get<std::string>());
    auto link = response->header("Link");
    auto next = link ? next_link(*link) : std::nullopt;
    if (!next) return tags;
    auto resolved = target.resolve(*next);
    if (!resolved) return make_error(errc::unavailable, "invalid tag list link " + *next);
    target = std::move(*resolved);
  }
  return tags;
}

} // namespace berth::registry
