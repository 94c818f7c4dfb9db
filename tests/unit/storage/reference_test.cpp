// Tests storage/reference: Docker's image reference grammar, normalisation and error texts.
//
// The tables port distribution/reference's reference_test.go and normalize_test.go (as seen
// through ParseNormalizedNamed, which is what the docker CLI and daemon use) and go-digest's rules.
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "storage/reference.hpp"

using namespace berth;
using namespace berth::storage;

namespace berth::storage {

// Lets GoogleTest print references in failure messages.
void PrintTo(const reference& ref, std::ostream* out) {
  *out << "{domain=" << ref.domain << " path=" << ref.path << " tag=" << ref.tag
       << " digest=" << ref.digest << "}";
}

} // namespace berth::storage

namespace {

const std::string hex64 = std::string(64, 'f');
const std::string sha256 = "sha256:" + hex64;
const std::string busybox_hex = "86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
const std::string redis_hex = "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const std::string id_hex = "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a";

/// A reference that parses, and what Docker makes of it.
struct valid_case {
  std::string input;
  std::string domain;
  std::string path;
  std::string tag;
  std::string digest;
  std::string familiar; ///< FamiliarString
};

/// A reference that does not parse, and Docker's message for it.
struct invalid_case {
  std::string input;
  std::string message;
};

std::optional<reference> parsed(std::string_view text) {
  auto ref = parse_normalized(text);
  if (!ref) return std::nullopt;
  return *ref;
}

std::string parse_error(std::string_view text) {
  auto ref = parse_normalized(text);
  if (ref) return "parsed as " + ref->string();
  EXPECT_EQ(error_kind(ref.error()), errc::invalid_argument) << text;
  return error_message(ref.error());
}

std::string canonical(std::string_view text) {
  auto ref = parse_normalized(text);
  return ref ? ref->string() : "error: " + error_message(ref.error());
}

const std::vector<valid_case>& valid_cases() {
  static const std::vector<valid_case> cases = {
      // Docker Hub names: docker.io, and "library/" for single components.
      {"busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"busybox:latest", "docker.io", "library/busybox", "latest", "", "busybox:latest"},
      {"library/busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"docker.io/busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", "",
       "busybox:1.36"},
      {"index.docker.io/busybox", "docker.io", "library/busybox", "", "", "busybox"},
      {"index.docker.io/docker/docker", "docker.io", "docker/docker", "", "", "docker/docker"},
      {"me/bb", "docker.io", "me/bb", "", "", "me/bb"},
      {"docker/docker", "docker.io", "docker/docker", "", "", "docker/docker"},
      {"library/foo/bar", "docker.io", "library/foo/bar", "", "", "library/foo/bar"},
      {"docker.io/library/foo/bar", "docker.io", "library/foo/bar", "", "", "library/foo/bar"},
      {"store/foo/bar", "docker.io", "store/foo/bar", "", "", "store/foo/bar"},
      {"other/library", "docker.io", "other/library", "", "", "other/library"},
      {"ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", "", "", "ubuntu-12.04-base"},
      // Single components that look like hosts are still Docker Hub images.
      {"test_com", "docker.io", "library/test_com", "", "", "test_com"},
      {"test.com:tag", "docker.io", "library/test.com", "tag", "", "test.com:tag"},
      {"test.com:5000", "docker.io", "library/test.com", "5000", "", "test.com:5000"},
      {"localhost", "docker.io", "library/localhost", "", "", "localhost"},
      {"localhost:5000", "docker.io", "library/localhost", "5000", "", "localhost:5000"},
      {"192.168.1.1", "docker.io", "library/192.168.1.1", "", "", "192.168.1.1"},
      {"192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", "", "192.168.0.1:80"},
      {"foo_bar.com:8080", "docker.io", "library/foo_bar.com", "8080", "", "foo_bar.com:8080"},
      {"foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com", "8080", "", "foo/foo_bar.com:8080"},
      {"lowercase:Uppercase", "docker.io", "library/lowercase", "Uppercase", "",
       "lowercase:Uppercase"},
      // Path component separators: one '.', one or two '_', any number of '-'.
      {"docker-rules/docker", "docker.io", "docker-rules/docker", "", "", "docker-rules/docker"},
      {"docker---rules/docker", "docker.io", "docker---rules/docker", "", "",
       "docker---rules/docker"},
      {"dock__er/docker", "docker.io", "dock__er/docker", "", "", "dock__er/docker"},
      {"a_b__c-d--e/f.g", "docker.io", "a_b__c-d--e/f.g", "", "", "a_b__c-d--e/f.g"},
      {"d/docker", "docker.io", "d/docker", "", "", "d/docker"},
      {"jess/t", "docker.io", "jess/t", "", "", "jess/t"},
      {"0/1/2/3", "docker.io", "0/1/2/3", "", "", "0/1/2/3"},
      {"thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "docker.io",
       "library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "", "",
       "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev"},
      // A 64-hex name is fine with a registry, a tag or a shorter length.
      {"docker.io/" + id_hex, "docker.io", "library/" + id_hex, "", "", id_hex},
      {id_hex + ":tag", "docker.io", "library/" + id_hex, "tag", "", id_hex + ":tag"},
      {redis_hex.substr(0, 63), "docker.io", "library/" + redis_hex.substr(0, 63), "", "",
       redis_hex.substr(0, 63)},
      // localhost, and anything with '.', ':' or uppercase before the first '/', is a registry.
      {"localhost/x", "localhost", "x", "", "", "localhost/x"},
      {"localhost/library/debian", "localhost", "library/debian", "", "",
       "localhost/library/debian"},
      {"localhost:5000/a/b:t", "localhost:5000", "a/b", "t", "", "localhost:5000/a/b:t"},
      {"LOCALDOMAIN/fooo/bar", "LOCALDOMAIN", "fooo/bar", "", "", "LOCALDOMAIN/fooo/bar"},
      {"Foo/bar", "Foo", "bar", "", "", "Foo/bar"},
      {"FOO/bar", "FOO", "bar", "", "", "FOO/bar"},
      {"Docker/docker", "Docker", "docker", "", "", "Docker/docker"},
      {"test.com/repo:tag", "test.com", "repo", "tag", "", "test.com/repo:tag"},
      {"test:5000/repo", "test:5000", "repo", "", "", "test:5000/repo"},
      {"test-com:8080/foo", "test-com:8080", "foo", "", "", "test-com:8080/foo"},
      {"test:5000/repo:tag", "test:5000", "repo", "tag", "", "test:5000/repo:tag"},
      {"example.com/library/busybox", "example.com", "library/busybox", "", "",
       "example.com/library/busybox"},
      {"example.com:8000/private/moonbase", "example.com:8000", "private/moonbase", "", "",
       "example.com:8000/private/moonbase"},
      {"127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", "", "",
       "127.0.0.1:5000/library/debian"},
      {"192.168.1.1:5000/repo:5050", "192.168.1.1:5000", "repo", "5050", "",
       "192.168.1.1:5000/repo:5050"},
      {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", "sub-dom1.foo.com", "bar/baz/quux",
       "some-long-tag", "", "sub-dom1.foo.com/bar/baz/quux:some-long-tag"},
      {"b.gcr.io/test.example.com/my-app:test.example.com", "b.gcr.io", "test.example.com/my-app",
       "test.example.com", "", "b.gcr.io/test.example.com/my-app:test.example.com"},
      {"xn--n3h.com/myimage:xn--n3h.com", "xn--n3h.com", "myimage", "xn--n3h.com", "",
       "xn--n3h.com/myimage:xn--n3h.com"},
      {"Registry.Example.COM:443/app", "Registry.Example.COM:443", "app", "", "",
       "Registry.Example.COM:443/app"},
      // IPv6 registries in brackets, with or without a port.
      {"[2001:db8::1]/repo", "[2001:db8::1]", "repo", "", "", "[2001:db8::1]/repo"},
      {"[2001:db8:1:2:3:4:5:6]/repo:tag", "[2001:db8:1:2:3:4:5:6]", "repo", "tag", "",
       "[2001:db8:1:2:3:4:5:6]/repo:tag"},
      {"[2001:db8::]:5000/repo", "[2001:db8::]:5000", "repo", "", "", "[2001:db8::]:5000/repo"},
      {"[::1]:5000/repo", "[::1]:5000", "repo", "", "", "[::1]:5000/repo"},
      {"[fc00::1]:5000/docker/docker", "[fc00::1]:5000", "docker/docker", "", "",
       "[fc00::1]:5000/docker/docker"},
      // A first component with '.' that is no host name stays in the path, with no domain.
      {"foo_bar.com/x", "", "foo_bar.com/x", "", "", "foo_bar.com/x"},
      {"a.b_c__d-e--f/g:t", "", "a.b_c__d-e--f/g", "t", "", "a.b_c__d-e--f/g:t"},
      // Digests, and tag + digest together.
      {"a/b@" + sha256, "docker.io", "a/b", "", sha256, "a/b@" + sha256},
      {"busybox@" + sha256, "docker.io", "library/busybox", "", sha256, "busybox@" + sha256},
      {"busybox:latest@sha256:" + busybox_hex, "docker.io", "library/busybox", "latest",
       "sha256:" + busybox_hex, "busybox:latest@sha256:" + busybox_hex},
      {"test:5000/repo@" + sha256, "test:5000", "repo", "", sha256, "test:5000/repo@" + sha256},
      {"test:5000/repo:tag@" + sha256, "test:5000", "repo", "tag", sha256,
       "test:5000/repo:tag@" + sha256},
      {"xn--7o8h.com/myimage:xn--7o8h.com@" + sha256, "xn--7o8h.com", "myimage", "xn--7o8h.com",
       sha256, "xn--7o8h.com/myimage:xn--7o8h.com@" + sha256},
      {"[2001:db8::1]:5000/repo:tag@" + sha256, "[2001:db8::1]:5000", "repo", "tag", sha256,
       "[2001:db8::1]:5000/repo:tag@" + sha256},
      {"a@sha384:" + std::string(96, 'a'), "docker.io", "library/a", "",
       "sha384:" + std::string(96, 'a'), "a@sha384:" + std::string(96, 'a')},
      {"a@sha512:" + std::string(128, '0'), "docker.io", "library/a", "",
       "sha512:" + std::string(128, '0'), "a@sha512:" + std::string(128, '0')},
      // Tags: word characters, '.', '-'; not starting with '.' or '-'; up to 128 characters.
      {"a:_x.Y-z", "docker.io", "library/a", "_x.Y-z", "", "a:_x.Y-z"},
      {"a:" + std::string(128, 't'), "docker.io", "library/a", std::string(128, 't'), "",
       "a:" + std::string(128, 't')},
      // Length: the path may have 255 characters; the domain is not counted.
      {"example.com/" + std::string(255, 'a') + ":tag", "example.com", std::string(255, 'a'), "tag",
       "", "example.com/" + std::string(255, 'a') + ":tag"},
      {std::string(200, 'd') + ".com/" + std::string(255, 'a'), std::string(200, 'd') + ".com",
       std::string(255, 'a'), "", "", std::string(200, 'd') + ".com/" + std::string(255, 'a')},
      {"library/" + std::string(247, 'a'), "docker.io", "library/" + std::string(247, 'a'), "", "",
       std::string(247, 'a')},
  };
  return cases;
}

} // namespace

TEST(reference, parses_valid_references_like_docker) {
  for (const auto& c : valid_cases()) {
    SCOPED_TRACE(c.input);
    auto ref = parse_normalized(c.input);
    ASSERT_TRUE(ref) << error_message(ref.error());
    EXPECT_EQ(ref->domain, c.domain);
    EXPECT_EQ(ref->path, c.path);
    EXPECT_EQ(ref->tag, c.tag);
    EXPECT_EQ(ref->digest, c.digest);
    EXPECT_TRUE(ref->has_name());
    std::string name = c.domain.empty() ? c.path : c.domain + "/" + c.path;
    EXPECT_EQ(ref->name(), name);
    std::string suffix =
        (c.tag.empty() ? "" : ":" + c.tag) + (c.digest.empty() ? "" : "@" + c.digest);
    EXPECT_EQ(ref->string(), name + suffix);
    EXPECT_EQ(ref->familiar_string(), c.familiar);
    EXPECT_EQ(ref->familiar_string(), ref->familiar_name() + suffix);
    // The canonical text parses back to the same reference, and so does the familiar one (but
    // for a bare 64-hex familiar name, which Docker refuses as an image ID).
    EXPECT_EQ(parsed(ref->string()), *ref);
    if (!is_full_image_id(c.familiar)) {
      EXPECT_EQ(parsed(ref->familiar_string()), *ref);
    }
  }
}

TEST(reference, refuses_invalid_references_with_dockers_messages) {
  const std::string lowercase = "invalid reference format: repository name (";
  const std::vector<invalid_case> cases = {
      {"", "invalid reference format"},
      {":justtag", "invalid reference format"},
      {"@" + sha256, "invalid reference format"},
      {"/busybox", "invalid reference format"},
      {"busybox/", "invalid reference format"},
      {"docker/", "invalid reference format"},
      {"a//b", "invalid reference format"},
      {"docker///docker", "invalid reference format"},
      {"docker.io/docker///docker", "invalid reference format"},
      {"aa/asdf$$^/aa", "invalid reference format"},
      {"https://github.com/docker/docker", "invalid reference format"},
      {"-docker", "invalid reference format"},
      {"-foo", "invalid reference format"},
      {"-docker/docker", "invalid reference format"},
      {"docker-/docker", "invalid reference format"},
      {"-docker-/docker", "invalid reference format"},
      {"-docker.io/docker/docker", "invalid reference format"},
      {"____/____", "invalid reference format"},
      {"_docker/_docker", "invalid reference format"},
      {"a___b", "invalid reference format"},
      {"dock..er/docker", "invalid reference format"},
      {"dock_.er/docker", "invalid reference format"},
      {"dock-.er/docker", "invalid reference format"},
      {"a b", "invalid reference format"},
      {"bü", "invalid reference format"},
      {"a_b.c:tag/d", "invalid reference format"},
      // Tags.
      {"a:", "invalid reference format"},
      {"a:-tag", "invalid reference format"},
      {"a:.tag", "invalid reference format"},
      {"a:b:c", "invalid reference format"},
      {"a:t@", "invalid reference format"},
      {"a:" + std::string(129, 't'), "invalid reference format"},
      // Registries.
      {"ex-.com/a", "invalid reference format"},
      {"-ex.com/a", "invalid reference format"},
      {"a.com:/b", "invalid reference format"},
      {"a.com:x/b", "invalid reference format"},
      {"fc00::1:5000/debian", "invalid reference format"},
      {"[2001:db8::1]", "invalid reference format"},
      {"[2001:db8::1]:5000", "invalid reference format"},
      {"[2001:db8::1]:tag", "invalid reference format"},
      {"[fc00::1]", "invalid reference format"},
      {"[]/a", "invalid reference format"},
      {"[::1/a", "invalid reference format"},
      {"[::1]x/a", "invalid reference format"},
      {"[fe80::1%eth0]:5000/repo", "invalid reference format"},
      {"[fe80::1%@invalidzone]:5000/repo", "invalid reference format"},
      {"[2001:db8:3:4::192.0.2.33]:5000/debian", "invalid reference format"},
      // Uppercase in the repository path.
      {"Busybox", lowercase + "library/Busybox) must be lowercase"},
      {"Uppercase:tag", lowercase + "library/Uppercase) must be lowercase"},
      {"docker/Docker", lowercase + "docker/Docker) must be lowercase"},
      {"docker.io/docker/Docker", lowercase + "docker/Docker) must be lowercase"},
      {"test:5000/Uppercase/lowercase:tag", lowercase + "Uppercase/lowercase) must be lowercase"},
      {"localhost/Foo", lowercase + "Foo) must be lowercase"},
      {"foo@SHA256:" + hex64, lowercase + "library/foo@SHA256) must be lowercase"},
      {"Foo_bar/x", "repository name must be lowercase"},
      {"A_B.C/x", "repository name must be lowercase"},
      // 64 hex digits on their own are an image ID, never a name.
      {id_hex,
       "invalid repository name (" + id_hex + "), cannot specify 64-byte hexadecimal strings"},
      {redis_hex,
       "invalid repository name (" + redis_hex + "), cannot specify 64-byte hexadecimal strings"},
      // Length.
      {"domain/" + std::string(256, 'a') + ":tag",
       "repository name must not be more than 255 characters"},
      {"example.com/" + std::string(256, 'a'),
       "repository name must not be more than 255 characters"},
      {"library/" + std::string(248, 'a'), "repository name must not be more than 255 characters"},
      {std::string(248, 'a'), "repository name must not be more than 255 characters"},
      {"this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_"
       "namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_"
       "its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_"
       "than_255/docker",
       "repository name must not be more than 255 characters"},
      {std::string(max_reference_length + 1, 'a'),
       "invalid reference format: longer than 4096 characters"},
      // Digests: the reference grammar first, then go-digest's checks.
      {"a@", "invalid reference format"},
      {"a@sha256", "invalid reference format"},
      {"a@sha256:", "invalid reference format"},
      {"a@sha256:" + std::string(31, 'f'), "invalid reference format"},
      {"a@sha256:" + hex64 + "g", "invalid reference format"},
      {"a@1sha:" + hex64, "invalid reference format"},
      {"a@sha--256:" + hex64, "invalid reference format"},
      {"a@" + sha256 + "@" + sha256, "invalid reference format"},
      {"a@" + sha256 + ":tag", "invalid reference format"},
      {"repo@sha256:" + std::string(34, 'f'), "invalid checksum digest length"},
      {"a@sha256:" + std::string(63, 'f'), "invalid checksum digest length"},
      {"a@sha256:" + std::string(65, 'f'), "invalid checksum digest length"},
      {"a@sha512:" + hex64, "invalid checksum digest length"},
      {"a@sha256:" + std::string(64, 'F'), "invalid checksum digest format"},
      {"a:tag@SHA256:" + hex64, "invalid checksum digest format"},
      {"a@sha256+b64:" + hex64, "unsupported digest algorithm"},
      {"a@md5:" + std::string(32, '0'), "unsupported digest algorithm"},
      {"validname@invaliddigest:" + hex64, "unsupported digest algorithm"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    EXPECT_EQ(parse_error(c.input), c.message);
  }
}

TEST(reference, normalises_equivalent_names_to_one_reference) {
  const std::vector<std::vector<std::string>> groups = {
      {"busybox", "library/busybox", "docker.io/busybox", "docker.io/library/busybox",
       "index.docker.io/busybox", "index.docker.io/library/busybox"},
      {"busybox:latest", "library/busybox:latest", "docker.io/busybox:latest",
       "docker.io/library/busybox:latest", "index.docker.io/library/busybox:latest"},
      {"dmcgowan/myapp", "docker.io/dmcgowan/myapp", "index.docker.io/dmcgowan/myapp"},
      {"redis@sha256:" + redis_hex, "library/redis@sha256:" + redis_hex,
       "docker.io/library/redis@sha256:" + redis_hex},
  };
  for (const auto& group : groups) {
    auto first = parsed(group.front());
    ASSERT_TRUE(first) << group.front();
    for (const auto& text : group) {
      SCOPED_TRACE(text);
      EXPECT_EQ(parsed(text), first);
    }
  }
  EXPECT_EQ(canonical("busybox"), "docker.io/library/busybox");
  EXPECT_EQ(canonical("index.docker.io/busybox:1"), "docker.io/library/busybox:1");
  // A registry that merely resembles Docker Hub is another registry.
  EXPECT_EQ(canonical("registry-1.docker.io/busybox"), "registry-1.docker.io/busybox");
  EXPECT_EQ(canonical("Docker.io/busybox"), "Docker.io/busybox");
  EXPECT_NE(parsed("localhost/busybox"), parsed("busybox"));
}

TEST(reference, with_default_tag_adds_latest_only_to_bare_names) {
  auto tagged = [](std::string_view text) {
    auto ref = parse_normalized(text);
    return ref ? with_default_tag(*ref).string() : "error: " + error_message(ref.error());
  };
  EXPECT_EQ(tagged("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(tagged("library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(tagged("docker.io/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(tagged("docker.io/library/busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(tagged("gcr.io/library/busybox"), "gcr.io/library/busybox:latest");
  EXPECT_EQ(tagged("busybox:1.36"), "docker.io/library/busybox:1.36");
  EXPECT_EQ(tagged("busybox@" + sha256), "docker.io/library/busybox@" + sha256);
  EXPECT_EQ(tagged("busybox:1@" + sha256), "docker.io/library/busybox:1@" + sha256);
  // busybox = busybox:latest = library/busybox = docker.io/library/busybox:latest, once tagged.
  auto expected = parse_normalized("docker.io/library/busybox:latest");
  ASSERT_TRUE(expected);
  for (auto text : {"busybox", "busybox:latest", "library/busybox", "docker.io/busybox"}) {
    auto ref = parse_normalized(text);
    ASSERT_TRUE(ref) << text;
    EXPECT_EQ(with_default_tag(*ref), *expected) << text;
  }
  EXPECT_EQ(with_default_tag(*expected).familiar_string(), "busybox:latest");
  // A bare digest has no name to tag.
  auto id = parse_any(hex64);
  ASSERT_TRUE(id);
  EXPECT_EQ(with_default_tag(*id), *id);
}

TEST(reference, familiar_form_drops_docker_hub_and_library_only) {
  struct familiar_case {
    std::string input;
    std::string familiar_name;
    std::string full_name;
  };
  const std::vector<familiar_case> cases = {
      {"localhost/fooo", "localhost/fooo", "localhost/fooo"},
      {"localhost/fooo/bar", "localhost/fooo/bar", "localhost/fooo/bar"},
      {"LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo", "LOCALDOMAIN/fooo"},
      {"fooo/bar", "fooo/bar", "docker.io/fooo/bar"},
      {"index.docker.io/fooo/bar", "fooo/bar", "docker.io/fooo/bar"},
      {"library/ubuntu", "ubuntu", "docker.io/library/ubuntu"},
      {"docker.io/foo", "foo", "docker.io/library/foo"},
      {"nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu"},
      {"library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar"},
      {"127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase"},
      {"example.com/library/ubuntu", "example.com/library/ubuntu", "example.com/library/ubuntu"},
      {"example.com:8000/private/moonbase", "example.com:8000/private/moonbase",
       "example.com:8000/private/moonbase"},
      {"Foo/bar", "Foo/bar", "Foo/bar"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto ref = parse_normalized(c.input);
    ASSERT_TRUE(ref) << error_message(ref.error());
    EXPECT_EQ(ref->familiar_name(), c.familiar_name);
    EXPECT_EQ(ref->name(), c.full_name);
    EXPECT_EQ(ref->string(), c.full_name);
  }
  // Docker's quirk, kept: a Docker Hub path whose first component looks like a registry has a
  // familiar form that names that registry instead.
  auto quirk = parse_normalized("docker.io/localhost/x");
  ASSERT_TRUE(quirk);
  EXPECT_EQ(quirk->familiar_string(), "localhost/x");
  EXPECT_EQ(canonical(quirk->familiar_string()), "localhost/x");
}

TEST(reference, parse_any_accepts_ids_and_digests_as_bare_digests) {
  struct any_case {
    std::string input;
    std::string string; ///< what the reference prints as
    bool has_name;
  };
  const std::vector<any_case> cases = {
      {"redis", "docker.io/library/redis", true},
      {"redis:latest", "docker.io/library/redis:latest", true},
      {"docker.io/library/redis:latest", "docker.io/library/redis:latest", true},
      {"redis@sha256:" + redis_hex, "docker.io/library/redis@sha256:" + redis_hex, true},
      {"dmcgowan/myapp@sha256:" + redis_hex, "docker.io/dmcgowan/myapp@sha256:" + redis_hex, true},
      {redis_hex, "sha256:" + redis_hex, false},
      {"sha256:" + redis_hex, "sha256:" + redis_hex, false},
      {"sha512:" + std::string(128, 'a'), "sha512:" + std::string(128, 'a'), false},
      {redis_hex.substr(0, 63), "docker.io/library/" + redis_hex.substr(0, 63), true},
      {"dbcc1", "docker.io/library/dbcc1", true},
      // Not a valid digest, so read as a name with a (64-hex) tag.
      {"sha256:" + std::string(64, 'F'), "docker.io/library/sha256:" + std::string(64, 'F'), true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto ref = parse_any(c.input);
    ASSERT_TRUE(ref) << error_message(ref.error());
    EXPECT_EQ(ref->string(), c.string);
    EXPECT_EQ(ref->has_name(), c.has_name);
    auto again = parse_any(ref->string());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *ref);
    if (!c.has_name) {
      EXPECT_EQ(ref->domain, "");
      EXPECT_EQ(ref->path, "");
      EXPECT_EQ(ref->tag, "");
      EXPECT_EQ(ref->name(), "");
      EXPECT_EQ(ref->familiar_name(), "");
      EXPECT_EQ(ref->familiar_string(), c.string);
    }
  }
  // Errors are parse_normalized's.
  auto bad = parse_any("Busybox");
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()),
            "invalid reference format: repository name (library/Busybox) must be lowercase");
  bad = parse_any("sha256:" + std::string(63, 'a') + "@x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()), "invalid reference format");
  bad = parse_any(std::string(max_reference_length + 1, 'a'));
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_kind(bad.error()), errc::invalid_argument);
}

TEST(reference, validates_tags_on_their_own) {
  for (auto tag : {"latest", "1.36", "v1.0.0-rc1", "_", "A", "9", "a.b-c_d"})
    EXPECT_FALSE(validate_tag(tag)) << tag;
  EXPECT_FALSE(validate_tag(std::string(128, 'x')));
  for (auto tag : {"", "-a", ".a", "a:b", "a/b", "a@b", "a b", "ü"}) {
    auto err = validate_tag(tag);
    ASSERT_TRUE(err) << tag;
    EXPECT_EQ(error_message(err), "invalid tag format");
    EXPECT_EQ(error_kind(err), errc::invalid_argument);
  }
  EXPECT_TRUE(validate_tag(std::string(129, 'x')));
}

TEST(reference, validates_digests_like_go_digest) {
  EXPECT_FALSE(validate_digest(sha256));
  EXPECT_FALSE(validate_digest("sha256:" + busybox_hex));
  EXPECT_FALSE(validate_digest("sha384:" + std::string(96, '1')));
  EXPECT_FALSE(validate_digest("sha512:" + std::string(128, 'e')));
  const std::vector<invalid_case> cases = {
      {"", "invalid checksum digest format"},
      {"sha256", "invalid checksum digest format"},
      {":" + hex64, "invalid checksum digest format"},
      {"sha256:", "invalid checksum digest format"},
      {"sha256:" + std::string(64, 'A'), "invalid checksum digest format"},
      {"sha256:" + std::string(63, 'a') + "g", "invalid checksum digest format"},
      {"sha256:" + std::string(63, 'a'), "invalid checksum digest length"},
      {"sha256:" + std::string(65, 'a'), "invalid checksum digest length"},
      {"sha384:" + hex64, "invalid checksum digest length"},
      {"sha512:" + hex64, "invalid checksum digest length"},
      {"md5:abc", "unsupported digest algorithm"},
      {"sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", "unsupported digest algorithm"},
      {"multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8",
       "unsupported digest algorithm"},
      {"SHA256:" + hex64, "invalid checksum digest format"},
      {"sha-:" + hex64, "invalid checksum digest format"},
      {"a:b/c", "invalid checksum digest format"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto err = validate_digest(c.input);
    ASSERT_TRUE(err);
    EXPECT_EQ(error_message(err), c.message);
    EXPECT_EQ(error_kind(err), errc::invalid_argument);
  }
}

TEST(reference, recognises_full_image_ids_and_prefixes) {
  EXPECT_TRUE(is_full_image_id(redis_hex));
  EXPECT_TRUE(is_full_image_id("sha256:" + redis_hex));
  EXPECT_FALSE(is_full_image_id(redis_hex.substr(0, 63)));
  EXPECT_FALSE(is_full_image_id(redis_hex + "0"));
  EXPECT_FALSE(is_full_image_id("sha512:" + redis_hex));
  EXPECT_FALSE(is_full_image_id("sha256:"));
  EXPECT_FALSE(is_full_image_id(std::string(64, 'A')));
  EXPECT_FALSE(is_full_image_id(std::string(63, 'a') + "g"));
  EXPECT_FALSE(is_full_image_id(""));

  EXPECT_TRUE(looks_like_id_prefix("d"));
  EXPECT_TRUE(looks_like_id_prefix("dbcc1"));
  EXPECT_TRUE(looks_like_id_prefix(redis_hex));
  EXPECT_TRUE(looks_like_id_prefix("sha256:dbcc"));
  EXPECT_TRUE(looks_like_id_prefix("sha256:" + redis_hex));
  EXPECT_FALSE(looks_like_id_prefix(""));
  EXPECT_FALSE(looks_like_id_prefix("sha256:"));
  EXPECT_FALSE(looks_like_id_prefix(redis_hex + "0"));
  EXPECT_FALSE(looks_like_id_prefix("DBCC1"));
  EXPECT_FALSE(looks_like_id_prefix("busybox"));
  EXPECT_FALSE(looks_like_id_prefix("dbcc1:latest"));
  EXPECT_FALSE(looks_like_id_prefix("sha512:dbcc"));
  EXPECT_FALSE(looks_like_id_prefix("sha256:sha256:dbcc"));
}

TEST(reference, handles_long_and_repetitive_input_quickly) {
  // Deep nesting and long runs stay linear: the scanner neither recurses nor backtracks.
  for (const auto& text :
       {std::string(4096, '/'), std::string(4096, '-'), std::string(4096, 'a'),
        std::string(2048, 'a') + std::string(2048, '_'), "a" + std::string(4094, '.') + "a",
        std::string(4096, ':'), "[" + std::string(4094, ':') + "]", std::string(4096, '@')}) {
    auto ref = parse_normalized(text);
    EXPECT_FALSE(ref);
  }
  std::string many_components;
  for (int i = 0; i < 127; ++i)
    many_components += "a/";
  many_components += "a";
  auto ref = parse_normalized(many_components + ":tag-puts-this-over-max");
  ASSERT_TRUE(ref) << error_message(ref.error());
  EXPECT_EQ(ref->domain, "docker.io");
  EXPECT_EQ(ref->path, many_components);
  EXPECT_EQ(ref->tag, "tag-puts-this-over-max");
}

TEST(reference, repo_tag_reference_follows_dockers_commit_rules) {
  EXPECT_EQ(*repo_tag_reference("", ""), "");
  EXPECT_EQ(*repo_tag_reference("", "x"), "");
  EXPECT_EQ(*repo_tag_reference("snap", ""), "docker.io/library/snap:latest");
  EXPECT_EQ(*repo_tag_reference("snap", "1"), "docker.io/library/snap:1");
  EXPECT_EQ(*repo_tag_reference("me/snap:old", ""), "docker.io/me/snap:old");
  EXPECT_EQ(*repo_tag_reference("me/snap:old", "new"), "docker.io/me/snap:new");
  EXPECT_EQ(*repo_tag_reference("localhost:5000/a", "t"), "localhost:5000/a:t");
  auto bad = repo_tag_reference("Snap", "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_kind(bad.error()), errc::invalid_argument);
  EXPECT_NE(error_message(bad.error()).find("invalid reference format"), std::string::npos);
  auto tag = repo_tag_reference("snap", "bad:tag");
  ASSERT_FALSE(tag);
  EXPECT_EQ(error_message(tag.error()), "invalid tag format");
  auto digest = repo_tag_reference("snap@sha256:" + std::string(64, 'a'), "");
  ASSERT_FALSE(digest);
  EXPECT_EQ(error_message(digest.error()), "cannot import digest reference");
}

TEST(reference, familiar_text_shows_references_as_the_cli_does_and_keeps_other_text) {
  EXPECT_EQ(familiar_text("docker.io/library/busybox:latest"), "busybox:latest");
  EXPECT_EQ(familiar_text("me/snap"), "me/snap");
  EXPECT_EQ(familiar_text("localhost:5000/a:t"), "localhost:5000/a:t");
  EXPECT_EQ(familiar_text(""), "");
  EXPECT_EQ(familiar_text("Not A Reference"), "Not A Reference");
}
