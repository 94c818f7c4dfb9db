// Fuzzes storage/reference: any input either fails with invalid_argument or parses to a reference
// whose canonical (and, where Docker's form is unambiguous, familiar) text parses back to it.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "base/error.hpp"
#include "storage/reference.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

/// Stops the run with a message naming the broken invariant and the input.
void check(bool ok, const char* invariant, std::string_view input) {
  if (ok) return;
  std::fprintf(stderr, "reference invariant broken: %s\ninput (%zu bytes): %.*s\n", invariant,
               input.size(), static_cast<int>(input.size()), input.data());
  std::abort();
}

bool same(const caf::expected<reference>& parsed, const reference& ref) {
  return parsed && *parsed == ref;
}

/// Docker's familiar form can name something else: "docker.io/localhost/x" shows as
/// "localhost/x" (another registry), and "docker.io/<64 hex>" as a bare image ID.
bool familiar_form_is_ambiguous(const reference& ref) {
  if (ref.domain != default_domain) return false;
  auto familiar = ref.familiar_name();
  auto slash = familiar.find('/');
  if (slash == std::string::npos)
    return ref.tag.empty() && ref.digest.empty() && is_full_image_id(familiar);
  auto first = std::string_view{familiar}.substr(0, slash);
  return first == "localhost" || first.find_first_of(".:") != std::string_view::npos;
}

void check_reference(const reference& ref, std::string_view input) {
  check(ref.has_name(), "a parsed name has a path", input);
  check(ref.path.size() <= max_path_length, "path within its limit", input);
  check(ref.tag.empty() || !validate_tag(ref.tag), "tag is valid", input);
  check(ref.digest.empty() || !validate_digest(ref.digest), "digest is valid", input);
  check(ref.name() == (ref.domain.empty() ? ref.path : ref.domain + "/" + ref.path),
        "name is domain/path", input);
  check(same(parse_normalized(ref.string()), ref), "canonical text round-trips", input);
  if (!familiar_form_is_ambiguous(ref))
    check(same(parse_normalized(ref.familiar_string()), ref), "familiar text round-trips", input);
  auto tagged = with_default_tag(ref);
  check(!tagged.tag.empty() || !tagged.digest.empty(), "default tag applied", input);
  check(same(parse_normalized(tagged.string()), tagged), "tagged text round-trips", input);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input{reinterpret_cast<const char*>(data), size};

  auto ref = parse_normalized(input);
  if (ref) {
    check_reference(*ref, input);
  } else {
    check(error_kind(ref.error()) == errc::invalid_argument, "errors are invalid_argument", input);
    check(!error_message(ref.error()).empty(), "errors have a message", input);
  }

  auto any = parse_any(input);
  if (any) {
    check(same(parse_any(any->string()), *any), "parse_any text round-trips", input);
    if (any->has_name())
      check(ref && *ref == *any, "named parse_any agrees", input);
    else
      check(!validate_digest(any->digest), "bare digest is valid", input);
  } else {
    check(error_kind(any.error()) == errc::invalid_argument, "parse_any errors", input);
  }

  // The pieces validated on their own fit into a reference.
  if (size <= max_tag_length && !validate_tag(input)) {
    auto tagged = parse_normalized("a:" + std::string{input});
    check(tagged && tagged->tag == input, "a valid tag parses in a reference", input);
  }
  if (!validate_digest(input)) {
    auto digested = parse_normalized("a@" + std::string{input});
    check(digested && digested->digest == input, "a valid digest parses in a reference", input);
  }
  if (is_full_image_id(input)) check(looks_like_id_prefix(input), "an ID is its own prefix", input);
  return 0;
}
