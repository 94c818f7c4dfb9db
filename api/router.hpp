// Maps (method, path) to a handler, with path parameters: "{name}" matches one segment and
// "{name*}" one or more (image names hold slashes: /images/{name*}/json).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace berth::api {

class exchange;

/// How a route wants its request body delivered.
enum class body_mode {
  buffered, ///< read whole (bounded by the JSON body limit) before the handler runs
  streamed, ///< the handler reads it as it arrives (uploads: load, build, import, archive)
};

using route_handler = std::function<void(const std::shared_ptr<exchange>&)>;

struct route {
  std::string method;
  std::string pattern; ///< also the metrics label
  route_handler handler;
  body_mode body = body_mode::buffered;
  std::vector<std::string> segments; ///< pattern split on '/'
};

/// The outcome of a lookup.
struct route_match {
  const route* matched = nullptr;
  std::map<std::string, std::string> params;
};

class router {
 public:
  /// Adds a route. Later routes never shadow earlier ones: the first match wins.
  void add(std::string method, std::string pattern, route_handler handler,
           body_mode body = body_mode::buffered);

  /// Finds the route for `method` and decoded `path`. HEAD falls back to GET only where asked.
  [[nodiscard]] route_match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<route> routes_;
};

} // namespace berth::api
