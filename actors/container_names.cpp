// Container names.
#include "actors/container_names.hpp"

#include <array>
#include <random>

#include "base/error.hpp"

namespace berth::actors {

namespace {

// Adjectives and surnames of scientists and engineers: Berth's own lists.
constexpr std::array<std::string_view, 48> adjectives{
    "able",   "agile",   "amber",  "bold",   "brave", "bright", "brisk",  "calm",
    "clever", "cosmic",  "crisp",  "daring", "deft",  "eager",  "epic",   "fair",
    "fancy",  "fluent",  "gentle", "golden", "happy", "hardy",  "honest", "jolly",
    "keen",   "kind",    "lively", "lucid",  "merry", "mighty", "modest", "nimble",
    "noble",  "patient", "plucky", "polite", "proud", "quiet",  "quick",  "rapid",
    "serene", "sharp",   "steady", "sturdy", "swift", "tidy",   "vivid",  "witty"};

constexpr std::array<std::string_view, 48> surnames{
    "babbage", "bardeen",  "bohr",       "boole",    "cantor",   "carson", "cerf",    "curie",
    "darwin",  "dijkstra", "einstein",   "euler",    "faraday",  "fermi",  "feynman", "franklin",
    "galileo", "gauss",    "goodall",    "hamilton", "hawking",  "hopper", "hypatia", "jemison",
    "johnson", "kepler",   "knuth",      "lamarr",   "lamport",  "leakey", "liskov",  "lovelace",
    "maxwell", "meitner",  "mendel",     "newton",   "noether",  "pascal", "pasteur", "planck",
    "ritchie", "shannon",  "somerville", "tesla",    "thompson", "turing", "wozniak", "yalow"};

bool name_char(char c, bool first) {
  bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  return first ? alnum : alnum || c == '_' || c == '.' || c == '-';
}

} // namespace

caf::error validate_container_name(std::string_view name) {
  bool ok = name.size() >= 2 && name_char(name[0], true);
  for (size_t i = 1; ok && i < name.size(); ++i)
    ok = name_char(name[i], false);
  if (!ok)
    return make_error(errc::invalid_argument, "Invalid container name (" + std::string(name) +
                                                  "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
  return {};
}

std::string generate_container_name(const std::function<bool(const std::string&)>& taken) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick_adjective(0, adjectives.size() - 1);
  std::uniform_int_distribution<size_t> pick_surname(0, surnames.size() - 1);
  for (int attempt = 0;; ++attempt) {
    std::string name = std::string(adjectives[pick_adjective(rng)]) + "_" +
                       std::string(surnames[pick_surname(rng)]);
    if (attempt >= 10) name += std::to_string(std::uniform_int_distribution<int>(0, 9999)(rng));
    if (!taken(name)) return name;
  }
}

} // namespace berth::actors
