// Integration tests of registries with the real docker CLI against a test berthd and a real
// docker-registry (Debian's distribution 2.8) started by each test on 127.0.0.1 with a port the
// kernel picks, its own storage, killed by PID: push, rmi, pull, run of a missing image, pull by
// digest and RepoDigests, unknown tags, docker login against htpasswd, TLS verified with a CA in
// the daemon's certs.d, a multi-arch index, a registry killed mid-pull, concurrent pulls sharing
// downloads, a daemon killed mid-pull, and the harness's proxy guard (a Docker Hub pull fails at a
// dead proxy on 127.0.0.1:9 without a DNS lookup).
#include <algorithm>
#include <chrono>
#include <csignal>
#include <ctime>
#include <dirent.h>
#include <netdb.h>
#include <regex>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "test_images.hpp"
#include "test_text.hpp"
// The docker-registry process, temp directories and the openssl PKI of the registry client's
// own tests.
#include "../unit/registry/test_registry.hpp"

using namespace berth::test;
using berth::registry::testing::read_file;
using berth::registry::testing::run_checked;
using berth::registry::testing::temp_dir;
using berth::registry::testing::test_pki;
using berth::registry::testing::test_registry;
using berth::registry::testing::write_file;
using json = nlohmann::json;

namespace {

constexpr auto long_timeout = std::chrono::minutes(5);

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

/// What the daemon's stores hold on disk: blobs, ingest files, layer directories.
struct store_listing {
  std::vector<std::string> blobs, ingest, layers;
  friend bool operator==(const store_listing&, const store_listing&) = default;
};

store_listing listing(const test_daemon& d) {
  return {dir_entries(d.data_root + "/content/blobs/sha256"),
          dir_entries(d.data_root + "/content/ingest"), dir_entries(d.data_root + "/overlay2")};
}

/// "sha256:..." from "1: digest: sha256:... size: 123".
std::string pushed_digest(const std::string& output) {
  std::smatch m;
  static const std::regex digest_re{"digest: (sha256:[0-9a-f]{64}) size: ([0-9]+)"};
  return std::regex_search(output, m, digest_re) ? m[1].str() : std::string();
}

/// Waits (bounded) until `predicate` holds.
template <class Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

/// The layer blob digests of a manifest the registry serves (curl, so nothing of Berth's).
std::vector<std::string> layer_digests(const std::string& domain, const std::string& repo,
                                       const std::string& tag) {
  auto r = run({"curl", "-s", "--max-time", "30", "-H",
                "Accept: application/vnd.oci.image.manifest.v1+json, "
                "application/vnd.docker.distribution.manifest.v2+json",
                "http://" + domain + "/v2/" + repo + "/manifests/" + tag});
  auto doc = json::parse(r.out, nullptr, false);
  std::vector<std::string> out;
  if (doc.is_object() && doc.contains("layers"))
    for (const auto& l : doc["layers"])
      out.push_back(l.value("digest", ""));
  return out;
}

daemon_options registry_daemon_options(int downloads = 3) {
  daemon_options o;
  // Two attempts with a 1 s backoff: a registry that is gone fails the pull quickly.
  o.config_json = R"({"max-download-attempts": 2, "max-concurrent-downloads": )" +
                  std::to_string(downloads) + "}";
  return o;
}

class registry_it : public daemon_test {
 protected:
  explicit registry_it(daemon_options o = registry_daemon_options()) : daemon_test(std::move(o)) {}

  void SetUp() override {
    daemon_test::SetUp();
    if (HasFatalFailure()) return;
    registry_ = std::make_unique<test_registry>(dir_);
    domain_ = registry_->domain();
  }

  std::string image(const std::string& name) const { return domain_ + "/" + name; }

  /// docker push with the output of a success.
  std::string push(const std::string& ref) {
    auto r = docker({"push", ref}, {.timeout = long_timeout});
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.out;
  }

  std::string pull(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"pull"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = docker(argv, {.timeout = long_timeout});
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    return r.out;
  }

  std::string image_id(const std::string& ref) {
    return ok({"image", "inspect", "--format", "{{.Id}}", ref});
  }

  /// Loads big.tar (busybox's layer and 4 layers of random data, about `mib` MiB), pushes it as
  /// <registry>/big:1 and removes it locally (busybox stays). Returns the random layers' blob
  /// digests, bottom first.
  std::vector<std::string> push_big_image(int mib) {
    ok({"load", "-q", "-i", big_image(mib)}, {.timeout = long_timeout});
    ok({"tag", "berth-test/big:1", image("big:1")});
    push(image("big:1"));
    ok({"rmi", "berth-test/big:1", image("big:1")});
    auto layers = layer_digests(domain_, "big", "1");
    EXPECT_EQ(layers.size(), 5u);
    if (!layers.empty()) layers.erase(layers.begin());
    return layers;
  }

  /// docker build (classic builder) of a context holding `dockerfile` in `dir_`/<context>.
  command_result build(const std::string& context, const std::string& dockerfile,
                       std::vector<std::string> args) {
    std::filesystem::create_directories(dir_ / context);
    write_file(dir_ / (context + "/Dockerfile"), dockerfile);
    std::vector<std::string> argv{"build"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(dir_ / context);
    return docker(argv, {.env = {{"DOCKER_BUILDKIT", "0"}}, .timeout = long_timeout});
  }

  temp_dir dir_;
  std::unique_ptr<test_registry> registry_;
  std::string domain_;
};

} // namespace

TEST_F(registry_it, push_rmi_pull_and_run_round_trip) {
  auto original = image_id("busybox:latest");
  auto ref = image("busybox:1");
  ok({"tag", "busybox", ref});
  auto pushed = push(ref);
  EXPECT_TRUE(contains(pushed, "The push refers to repository [" + image("busybox") + "]"))
      << pushed;
  EXPECT_TRUE(contains(pushed, ": Pushed")) << pushed;
  auto digest = pushed_digest(pushed);
  ASSERT_FALSE(digest.empty()) << pushed;
  EXPECT_TRUE(contains(pushed, "1: digest: " + digest + " size: ")) << pushed;

  ok({"rmi", ref});
  auto pulled = pull({ref});
  EXPECT_TRUE(contains(pulled, "1: Pulling from busybox")) << pulled;
  // busybox:latest is the same image: nothing to download (dockerd prints no layer either).
  EXPECT_FALSE(contains(pulled, "Pulling fs layer")) << pulled;
  EXPECT_TRUE(contains(pulled, "Digest: " + digest)) << pulled;
  EXPECT_TRUE(contains(pulled, "Status: Downloaded newer image for " + ref)) << pulled;
  // The config went up and came back byte for byte: same image ID.
  EXPECT_EQ(image_id(ref), original);

  // Without any local copy: every layer comes from the registry.
  ok({"rmi", ref, "busybox:latest"});
  pulled = pull({ref});
  EXPECT_TRUE(contains(pulled, ": Pulling fs layer")) << pulled;
  EXPECT_TRUE(contains(pulled, ": Download complete")) << pulled;
  EXPECT_TRUE(contains(pulled, ": Pull complete")) << pulled;
  EXPECT_EQ(image_id(ref), original);
  EXPECT_EQ(ok({"run", "--rm", ref, "echo", "ok"}), "ok");

  auto again = pull({ref});
  EXPECT_TRUE(contains(again, "Status: Image is up to date for " + ref)) << again;

  auto repo_digests = inspect(ref, "image")["RepoDigests"];
  EXPECT_EQ(repo_digests, json::array({image("busybox") + "@" + digest})) << repo_digests;
}

TEST_F(registry_it, the_api_streams_docker_progress_messages) {
  auto since = unix_now();
  auto ref = image("busybox:1");
  ok({"tag", "busybox", ref});
  auto pushed = daemon_.curl({"-X", "POST", "-H", "X-Registry-Auth: e30=",
                              "http://d/v1.47/images/" + image("busybox") + "/push?tag=1"});
  ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
  auto push_lines = lines_of(pushed.out);
  ASSERT_FALSE(push_lines.empty());
  EXPECT_EQ(json::parse(push_lines.front()),
            (json{{"status", "The push refers to repository [" + image("busybox") + "]"}}));
  auto aux = json::parse(push_lines.back(), nullptr, false);
  ASSERT_TRUE(aux.contains("aux")) << pushed.out;
  EXPECT_EQ(aux["aux"]["Tag"], "1");
  EXPECT_EQ(aux["aux"]["Digest"].get<std::string>().substr(0, 7), "sha256:");
  EXPECT_GT(aux["aux"]["Size"].get<int>(), 0);
  ok({"rmi", ref, "busybox:latest"});
  auto r = daemon_.curl(
      {"-X", "POST", "http://d/v1.47/images/create?fromImage=" + image("busybox") + "&tag=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<json> messages;
  for (const auto& line : lines_of(r.out)) {
    auto m = json::parse(line, nullptr, false);
    ASSERT_FALSE(m.is_discarded()) << line;
    messages.push_back(m);
  }
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front(), (json{{"status", "Pulling from busybox"}, {"id", "1"}}));
  bool downloading = false, extracting = false;
  for (const auto& m : messages) {
    if (m.value("status", "") == "Downloading") {
      downloading = true;
      EXPECT_GT(m["progressDetail"].value("total", 0), 0) << m;
      EXPECT_TRUE(contains(m.value("progress", ""), "[")) << m;
    }
    if (m.value("status", "") == "Extracting") extracting = true;
    if (m.value("status", "") == "Pull complete") {
      EXPECT_EQ(m["progressDetail"], json::object());
    }
  }
  EXPECT_TRUE(downloading) << r.out;
  EXPECT_TRUE(extracting) << r.out;
  EXPECT_EQ(messages.back()["status"], "Status: Downloaded newer image for " + image("busybox:1"));

  // The events of the round trip, as dockerd names them.
  auto until = std::to_string(::time(nullptr) + 1);
  auto events = ok({"events", "--since", since, "--until", until, "--filter", "type=image",
                    "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}"});
  EXPECT_TRUE(contains(events, "push " + image("busybox:1") + " " + image("busybox"))) << events;
  EXPECT_TRUE(contains(events, "pull " + image("busybox:1") + " " + image("busybox"))) << events;

  auto metrics = run({"curl", "-s", "--max-time", "30",
                      "http://127.0.0.1:" + std::to_string(daemon_.metrics_port) + "/metrics"});
  EXPECT_TRUE(contains(metrics.out, "engine_daemon_image_actions_seconds_count{action=\"pull\"} 1"))
      << metrics.out;
  EXPECT_TRUE(
      contains(metrics.out, "engine_daemon_image_actions_seconds_count{action=\"push\"} 1"));
  EXPECT_TRUE(contains(metrics.out, "berth_registry_bytes_downloaded_total"));
  EXPECT_FALSE(contains(metrics.out, "berth_registry_bytes_downloaded_total 0\n")) << metrics.out;
  auto lint =
      shell("curl -s --max-time 30 http://127.0.0.1:" + std::to_string(daemon_.metrics_port) +
            "/metrics | promtool check metrics");
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
}

TEST_F(registry_it, pull_by_digest_records_repo_digests) {
  auto ref = image("busybox:1");
  ok({"tag", "busybox", ref});
  auto digest = pushed_digest(push(ref));
  ASSERT_FALSE(digest.empty());
  ok({"rmi", ref});
  auto by_digest = image("busybox") + "@" + digest;
  auto pulled = pull({by_digest});
  EXPECT_TRUE(contains(pulled, by_digest + ": Pulling from busybox")) << pulled;
  EXPECT_TRUE(contains(pulled, "Status: Downloaded newer image for " + by_digest)) << pulled;
  EXPECT_EQ(inspect(by_digest, "image")["RepoDigests"], json::array({by_digest}));
  auto listed = ok({"images", "--digests", "--format", "{{.Repository}} {{.Digest}}"});
  EXPECT_TRUE(contains(listed, image("busybox") + " " + digest)) << listed;
}

TEST_F(registry_it, unknown_tags_and_missing_images_fail_clearly) {
  auto missing = docker({"pull", image("busybox:nope")});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.err, "Error response from daemon: manifest for " +
                                        image("busybox:nope") + " not found: manifest unknown"))
      << missing.err;
  auto nothing = docker({"push", image("nothing:1")});
  EXPECT_NE(nothing.exit_code, 0);
  EXPECT_TRUE(
      contains(nothing.err, "An image does not exist locally with the tag: " + image("nothing")))
      << nothing.err;
  auto bad_platform = daemon_.curl({"-X", "POST", "-w", "%{http_code}",
                                    "http://d/v1.47/images/create?fromImage=" + image("busybox") +
                                        "&tag=1&platform=linux/amd64/v1/x"});
  EXPECT_TRUE(bad_platform.out.ends_with("400")) << bad_platform.out;
}

TEST_F(registry_it, run_pulls_a_missing_image) {
  auto ref = image("busybox:1");
  ok({"tag", "busybox", ref});
  push(ref);
  ok({"rmi", ref, "busybox:latest"});
  auto r = docker({"run", "--rm", ref, "echo", "ok"}, {.timeout = long_timeout});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trim(r.out), "ok");
  EXPECT_TRUE(contains(r.err, "Unable to find image '" + ref + "' locally")) << r.err;
}

TEST_F(registry_it, build_pulls_a_missing_from_image_and_pull_forces_it) {
  auto ref = image("base:1");
  ok({"tag", "busybox", ref});
  push(ref);
  ok({"rmi", ref, "busybox:latest"});
  auto built = build("ctx", "FROM " + ref + "\nRUN echo built > /b\n", {"-t", "built:1"});
  EXPECT_EQ(built.exit_code, 0) << built.err << built.out;
  EXPECT_TRUE(contains(built.out, "1: Pulling from base")) << built.out;
  EXPECT_TRUE(contains(built.out, "Pull complete")) << built.out;
  EXPECT_TRUE(contains(built.out, "Successfully tagged built:1")) << built.out;
  EXPECT_EQ(ok({"run", "--rm", "built:1", "cat", "/b"}), "built");
  EXPECT_FALSE(image_id(ref).empty());

  // Local now: no pull, unless --pull.
  auto again = build("ctx", "FROM " + ref + "\nRUN echo built > /b\n", {"-t", "built:1"});
  EXPECT_FALSE(contains(again.out, "Pulling from")) << again.out;
  auto forced =
      build("ctx", "FROM " + ref + "\nRUN echo built > /b\n", {"--pull", "-t", "built:1"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(contains(forced.out, "Pulling from base")) << forced.out;
  EXPECT_TRUE(contains(forced.out, "Image is up to date")) << forced.out;

  // COPY --from an image that is not local pulls it too.
  ok({"rmi", "built:1", ref});
  auto copied =
      build("copy", "FROM scratch\nCOPY --from=" + ref + " /bin/busybox /busybox\n", {"-t", "c:1"});
  EXPECT_EQ(copied.exit_code, 0) << copied.err << copied.out;
  EXPECT_TRUE(contains(copied.out, "Pulling from base")) << copied.out;

  // A FROM image the registry does not have fails the build with the registry's answer.
  auto missing = build("missing", "FROM " + image("nothing:1") + "\n", {});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_TRUE(contains(missing.err, "manifest unknown") || contains(missing.err, "not found"))
      << missing.err;
}

TEST_F(registry_it, layers_present_locally_are_not_downloaded_and_push_skips_known_blobs) {
  ok({"load", "-q", "-i", test_images_dir() + "/layered.tar"});
  ok({"tag", "berth-test/layered:1", image("layered:1")});
  auto first = push(image("layered:1"));
  EXPECT_EQ(count(first, ": Pushed"), 3u) << first;
  // A second tag of the same image: every layer is there already.
  ok({"tag", "berth-test/layered:1", image("layered:2")});
  auto second = push(image("layered:2"));
  EXPECT_EQ(count(second, ": Layer already exists"), 3u) << second;
  // Another repository of the same registry: the blobs are mounted, not uploaded.
  ok({"tag", "berth-test/layered:1", image("other/layered:1")});
  auto mounted = push(image("other/layered:1"));
  EXPECT_EQ(count(mounted, ": Mounted from layered"), 3u) << mounted;

  ok({"rmi", "berth-test/layered:1", image("layered:1"), image("layered:2"),
      image("other/layered:1")});
  auto pulled = pull({image("layered:1")});
  // busybox's layer is the base of layered: it stays, the two others come down.
  EXPECT_EQ(count(pulled, ": Already exists"), 1u) << pulled;
  EXPECT_EQ(count(pulled, ": Pull complete"), 2u) << pulled;
  EXPECT_EQ(ok({"run", "--rm", image("layered:1"), "cat", "/data/b"}), "b2");
}

TEST_F(registry_it, pull_all_tags) {
  ok({"tag", "busybox", image("busybox:1")});
  ok({"tag", "busybox", image("busybox:2")});
  push(image("busybox:1"));
  push(image("busybox:2"));
  ok({"rmi", image("busybox:1"), image("busybox:2")});
  auto pulled = pull({"-a", image("busybox")});
  EXPECT_TRUE(contains(pulled, "1: Pulling from busybox")) << pulled;
  EXPECT_TRUE(contains(pulled, "2: Pulling from busybox")) << pulled;
  EXPECT_TRUE(contains(pulled, "Status: Downloaded newer image for " + image("busybox"))) << pulled;
  auto tags = ok({"images", image("busybox"), "--format", "{{.Tag}}"});
  EXPECT_EQ(lines_of(tags).size(), 2u) << tags;
}

TEST_F(registry_it, a_multi_arch_index_pulls_the_linux_amd64_image) {
  ok({"load", "-q", "-i", test_images_dir() + "/layered.tar"});
  ok({"tag", "busybox", image("multi:amd64")});
  ok({"tag", "berth-test/layered:1", image("multi:arm64")});
  auto amd64 = pushed_digest(push(image("multi:amd64")));
  auto arm64 = pushed_digest(push(image("multi:arm64")));
  ASSERT_FALSE(amd64.empty());
  ASSERT_FALSE(arm64.empty());
  // The index goes up with curl; its entries name the manifests just pushed.
  auto manifest_size = [&](const std::string& tag) {
    auto r = run({"curl", "-s", "--max-time", "30", "-H",
                  "Accept: application/vnd.oci.image.manifest.v1+json",
                  "http://" + domain_ + "/v2/multi/manifests/" + tag});
    return r.out.size();
  };
  json index{
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.index.v1+json"},
      {"manifests", json::array({{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                  {"digest", arm64},
                                  {"size", manifest_size("arm64")},
                                  {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}},
                                 {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                  {"digest", amd64},
                                  {"size", manifest_size("amd64")},
                                  {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}})}};
  auto put = run({"curl", "-s", "--max-time", "30", "-o", "/dev/null", "-w", "%{http_code}", "-X",
                  "PUT", "-H", "Content-Type: application/vnd.oci.image.index.v1+json",
                  "--data-binary", index.dump(), "http://" + domain_ + "/v2/multi/manifests/all"});
  ASSERT_EQ(put.out, "201") << put.out;

  auto busybox_id = image_id("busybox:latest");
  auto layered_id = image_id("berth-test/layered:1");
  ok({"rmi", image("multi:amd64"), image("multi:arm64")});
  auto pulled = pull({image("multi:all")});
  EXPECT_EQ(image_id(image("multi:all")), busybox_id);
  auto digests = inspect(image("multi:all"), "image")["RepoDigests"];
  ASSERT_EQ(digests.size(), 1u) << digests;
  // The index's digest, as dockerd records it.
  EXPECT_NE(digests[0].get<std::string>(), image("multi") + "@" + amd64);
  EXPECT_TRUE(contains(pulled, "Digest: " +
                                   digests[0].get<std::string>().substr(image("multi").size() + 1)))
      << pulled;

  ok({"rmi", image("multi:all")});
  pull({"--platform", "linux/arm64", image("multi:all")});
  EXPECT_EQ(image_id(image("multi:all")), layered_id);
  auto none = docker({"pull", "--platform", "linux/s390x", image("multi:all")});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_TRUE(contains(none.err, "no matching manifest for linux/s390x")) << none.err;
}

TEST_F(registry_it, concurrent_pulls_download_each_blob_once) {
  auto layers = push_big_image(48);
  ASSERT_EQ(layers.size(), 4u);
  auto log_before = registry_->log();
  background_process a({"docker", "pull", image("big:1")}, daemon_.docker_env());
  background_process b({"docker", "pull", image("big:1")}, daemon_.docker_env());
  EXPECT_EQ(a.wait(long_timeout), 0);
  EXPECT_EQ(b.wait(long_timeout), 0);
  auto log = registry_->log().substr(log_before.size());
  for (const auto& digest : layers)
    EXPECT_EQ(count(log, "GET /v2/big/blobs/" + digest + " "), 1u) << digest << "\n" << log;
  EXPECT_EQ(ok({"run", "--rm", image("big:1"), "ls", "/big"}), "layer1\nlayer2\nlayer3\nlayer4");
}

TEST_F(registry_it, docker_info_shows_the_registry_config_and_a_reload_changes_it) {
  auto info = [&] {
    return json::parse(ok({"info", "--format", "{{json .RegistryConfig}}"}), nullptr, false);
  };
  auto before = info();
  EXPECT_EQ(before["InsecureRegistryCIDRs"], json::array({"::1/128", "127.0.0.0/8"})) << before;
  EXPECT_EQ(before["IndexConfigs"]["docker.io"]["Official"], true) << before;
  daemon_.write_config(R"({"max-download-attempts": 2, "insecure-registries": ["myreg:5000",
      "10.0.0.0/8"], "registry-mirrors": ["https://mirror.example"]})");
  ASSERT_TRUE(daemon_.reload());
  auto after = info();
  EXPECT_EQ(after["InsecureRegistryCIDRs"], json::array({"10.0.0.0/8", "::1/128", "127.0.0.0/8"}))
      << after;
  EXPECT_EQ(after["IndexConfigs"]["myreg:5000"], (json{{"Name", "myreg:5000"},
                                                       {"Mirrors", json::array()},
                                                       {"Secure", false},
                                                       {"Official", false}}))
      << after;
  EXPECT_EQ(after["Mirrors"], json::array({"https://mirror.example/"}));
  EXPECT_EQ(after["IndexConfigs"]["docker.io"]["Mirrors"],
            json::array({"https://mirror.example/"}));
  // Pulls still work after the service was rebuilt.
  ok({"tag", "busybox", image("busybox:1")});
  push(image("busybox:1"));
}

class registry_faults : public registry_it {
 protected:
  // One download at a time: the test stops things between two layers.
  registry_faults() : registry_it(registry_daemon_options(1)) {}

  /// Waits until the registry has served the first layer of big:1.
  bool first_layer_served(const std::string& first_layer, size_t log_offset) {
    return eventually([&] {
      return contains(registry_->log().substr(log_offset), "GET /v2/big/blobs/" + first_layer);
    });
  }

  /// Starts `docker pull` of big:1 (pushed before) and returns once the registry has served its
  /// first layer: the test then interrupts something. The CLI's stderr goes to `err_path`.
  std::unique_ptr<background_process> pull_past_first_layer(const std::vector<std::string>& layers,
                                                            const std::string& err_path = {}) {
    auto offset = registry_->log().size();
    auto pulling = std::make_unique<background_process>(
        std::vector<std::string>{"docker", "pull", image("big:1")}, daemon_.docker_env(),
        std::string(), err_path);
    EXPECT_TRUE(first_layer_served(layers.at(0), offset)) << registry_->log();
    return pulling;
  }
};

TEST_F(registry_faults, a_registry_killed_mid_pull_leaves_nothing_half_stored) {
  // What the store holds with busybox alone (the big image's blobs go once rmi's collection ran).
  auto before = listing(daemon_);
  auto df_before = ok({"system", "df"});
  auto layers = push_big_image(64);
  ASSERT_EQ(layers.size(), 4u);
  auto pulling = pull_past_first_layer(layers, dir_ / "pull.err");
  registry_->kill();
  EXPECT_NE(pulling->wait(long_timeout), 0);
  auto err = read_file(dir_ / "pull.err");
  EXPECT_TRUE(contains(err, "connection refused") || contains(err, "EOF") ||
              contains(err, "connection reset"))
      << err;
  // The failed pull is gone from disk once its cleanup ran.
  EXPECT_TRUE(eventually([&] { return listing(daemon_) == before; }, std::chrono::seconds(30)));
  EXPECT_EQ(ok({"system", "df"}), df_before);
  EXPECT_TRUE(ok({"images", "-q", image("big")}).empty());

  registry_->restart();
  pull({image("big:1")});
  EXPECT_EQ(ok({"run", "--rm", image("big:1"), "ls", "/big"}), "layer1\nlayer2\nlayer3\nlayer4");
}

TEST_F(registry_faults, a_daemon_killed_mid_pull_restarts_with_a_clean_store) {
  auto before = listing(daemon_);
  auto layers = push_big_image(64);
  ASSERT_EQ(layers.size(), 4u);
  {
    auto pulling = pull_past_first_layer(layers);
    daemon_.kill9();
  }
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  // The startup clean-up removes the orphans (ingest files, unregistered layers and blobs).
  EXPECT_TRUE(eventually([&] { return listing(daemon_) == before; }, std::chrono::seconds(30)))
      << "blobs " << listing(daemon_).blobs.size() << " vs " << before.blobs.size() << ", layers "
      << listing(daemon_).layers.size() << " vs " << before.layers.size();
  EXPECT_TRUE(ok({"images", "-q", image("big")}).empty());
  pull({image("big:1")});
  EXPECT_EQ(ok({"run", "--rm", image("big:1"), "ls", "/big"}), "layer1\nlayer2\nlayer3\nlayer4");
}

class registry_htpasswd : public registry_it {
 protected:
  void SetUp() override {
    daemon_test::SetUp();
    if (HasFatalFailure()) return;
    write_file(dir_ / "htpasswd", run_checked({"htpasswd", "-Bbn", "alice", "secret"}));
    registry_ = std::make_unique<test_registry>(
        dir_,
        "auth:\n  htpasswd:\n    realm: berth-realm\n    path: " + (dir_ / "htpasswd") + "\n");
    domain_ = registry_->domain();
  }
};

TEST_F(registry_htpasswd, login_then_push_and_pull) {
  auto ref = image("private/busybox:1");
  ok({"tag", "busybox", ref});
  auto anonymous = docker({"push", ref}, {.timeout = long_timeout});
  EXPECT_NE(anonymous.exit_code, 0);
  EXPECT_TRUE(contains(anonymous.err + anonymous.out, "unauthorized")) << anonymous.err;

  auto wrong = docker({"login", domain_, "-u", "alice", "-p", "wrong"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_TRUE(contains(wrong.err, "Error response from daemon: login attempt to http://" + domain_ +
                                      "/v2/ failed with status: 401 Unauthorized"))
      << wrong.err;
  // The password never reaches the daemon's log.
  EXPECT_FALSE(contains(daemon_.log(), "wrong"));

  auto good = docker({"login", domain_, "-u", "alice", "-p", "secret"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_TRUE(contains(good.out, "Login Succeeded")) << good.out;
  push(ref);
  ok({"rmi", ref, "busybox:latest"});
  pull({ref});
  EXPECT_EQ(ok({"run", "--rm", ref, "echo", "ok"}), "ok");
  EXPECT_FALSE(contains(daemon_.log(), "secret"));

  // Without credentials the daemon answers 401, as dockerd does (the CLI would then prompt for
  // a login, so ask with curl).
  ok({"rmi", ref});
  auto refused = daemon_.curl(
      {"-X", "POST", "-w", "\n%{http_code}",
       "http://d/v1.47/images/create?fromImage=" + image("private/busybox") + "&tag=1"});
  EXPECT_TRUE(refused.out.ends_with("\n401")) << refused.out;
  EXPECT_TRUE(contains(refused.out, "unauthorized: authentication required")) << refused.out;
}

TEST_F(registry_htpasswd, build_pulls_a_private_from_image_with_the_clients_credentials) {
  auto ref = image("private/base:1");
  ok({"tag", "busybox", ref});
  ok({"login", domain_, "-u", "alice", "-p", "secret"});
  push(ref);
  ok({"rmi", ref, "busybox:latest"});
  // The CLI sends its stored credentials as X-Registry-Config.
  auto built = build("ctx", "FROM " + ref + "\nRUN echo private > /p\n", {"-t", "built:1"});
  EXPECT_EQ(built.exit_code, 0) << built.err << built.out;
  EXPECT_EQ(ok({"run", "--rm", "built:1", "cat", "/p"}), "private");
  EXPECT_FALSE(contains(daemon_.log(), "secret"));

  ok({"rmi", "built:1", ref});
  ok({"logout", domain_});
  auto refused = build("ctx", "FROM " + ref + "\nRUN echo private > /p\n", {});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_TRUE(contains(refused.err, "authentication required") ||
              contains(refused.err, "unauthorized") || contains(refused.err, "no basic auth"))
      << refused.err;
}

namespace {

/// A host name that /etc/hosts maps to a loopback address (the machine's own name, usually).
/// Berth checks insecure registries without DNS lookups, so such a name is a secure registry
/// whose TLS is verified, while 127.0.0.1 and localhost are always insecure.
std::string loopback_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return {};
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &found) != 0) return {};
  bool loopback = false;
  for (auto* a = found; a; a = a->ai_next)
    if (a->ai_family == AF_INET) {
      auto ip = ntohl(reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr.s_addr);
      loopback = loopback || (ip >> 24) == 127;
    }
  ::freeaddrinfo(found);
  return loopback ? name : "";
}

} // namespace

class registry_tls : public registry_it {
 protected:
  void SetUp() override {
    host_ = loopback_host_name();
    if (host_.empty()) GTEST_SKIP() << "no host name that /etc/hosts maps to 127.0.0.0/8";
    daemon_test::SetUp();
    if (HasFatalFailure()) return;
    pki_ = std::make_unique<test_pki>(dir_, "DNS:" + host_ + ",IP:127.0.0.1");
    registry_ = std::make_unique<test_registry>(dir_, "",
                                                "  tls:\n    certificate: " + pki_->server_cert +
                                                    "\n    key: " + pki_->server_key + "\n");
    // The registry listens on 127.0.0.1; the daemon reaches it by name.
    domain_ = host_ + ":" + std::to_string(registry_->port());
  }

  std::string host_;
  std::unique_ptr<test_pki> pki_;
};

TEST_F(registry_tls, tls_is_verified_with_the_ca_from_certs_d) {
  auto ref = image("busybox:1");
  ok({"tag", "busybox", ref});
  auto unknown = docker({"push", ref}, {.timeout = long_timeout});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_TRUE(contains(unknown.err + unknown.out, "x509: certificate signed by unknown authority"))
      << unknown.err << unknown.out;

  // <config-dir>/certs.d/<host:port>/ca.crt, the config dir being the config file's.
  auto certs =
      daemon_.config_path.substr(0, daemon_.config_path.rfind('/')) + "/certs.d/" + domain_;
  write_file(certs + "/ca.crt", read_file(pki_->ca_cert));
  push(ref);
  ok({"rmi", ref, "busybox:latest"});
  pull({ref});
  EXPECT_EQ(ok({"run", "--rm", ref, "echo", "ok"}), "ok");
}

TEST_F(registry_faults, a_daemon_stopped_mid_pull_stops_promptly_and_cleanly) {
  auto before = listing(daemon_);
  auto layers = push_big_image(64);
  ASSERT_EQ(layers.size(), 4u);
  auto pulling = pull_past_first_layer(layers, dir_ / "pull.err");
  auto began = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_.stop(SIGTERM, std::chrono::seconds(30)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(10));
  // The client is told: a stream that just ended would read as a successful pull.
  EXPECT_NE(pulling->wait(long_timeout), 0);
  EXPECT_TRUE(contains(read_file(dir_ / "pull.err"), "operation canceled"))
      << read_file(dir_ / "pull.err");
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  EXPECT_TRUE(eventually([&] { return listing(daemon_) == before; }, std::chrono::seconds(30)));
}

TEST_F(registry_faults, a_client_that_leaves_cancels_its_pull_unless_another_pull_shares_it) {
  auto before = listing(daemon_);
  auto layers = push_big_image(64);
  ASSERT_EQ(layers.size(), 4u);

  // Alone: the pull stops where it is and leaves nothing.
  auto offset = registry_->log().size();
  {
    auto alone = pull_past_first_layer(layers);
    alone->signal(SIGKILL);
    alone->wait(std::chrono::seconds(10));
  }
  EXPECT_TRUE(eventually([&] { return listing(daemon_) == before; }, std::chrono::seconds(30)));
  EXPECT_EQ(count(registry_->log().substr(offset), "GET /v2/big/blobs/" + layers[3]), 0u)
      << "the last layer was downloaded after the client left";

  // Shared: the other pull keeps the downloads going; each blob still comes down once.
  offset = registry_->log().size();
  background_process leader({"docker", "pull", image("big:1")}, daemon_.docker_env());
  ASSERT_TRUE(eventually(
      [&] { return contains(registry_->log().substr(offset), "GET /v2/big/manifests/1"); }));
  background_process follower({"docker", "pull", image("big:1")}, daemon_.docker_env());
  // The follower has joined every download once it reports on the top layer past its start.
  auto top = layers[3].substr(7, 12);
  bool joined = false;
  while (auto line = follower.read_line(std::chrono::seconds(60))) {
    if (line->starts_with(top + ": ") && !contains(*line, "Pulling fs layer")) {
      joined = true;
      break;
    }
  }
  ASSERT_TRUE(joined);
  leader.signal(SIGKILL);
  while (follower.read_line(std::chrono::seconds(60))) {
  }
  EXPECT_EQ(follower.wait(long_timeout), 0);
  auto log = registry_->log().substr(offset);
  for (const auto& digest : layers)
    EXPECT_EQ(count(log, "GET /v2/big/blobs/" + digest + " "), 1u) << digest;
  EXPECT_EQ(ok({"run", "--rm", image("big:1"), "ls", "/big"}), "layer1\nlayer2\nlayer3\nlayer4");
}

namespace {

/// strace following every thread of a process, recording its network system calls to a file;
/// stopped by PID with SIGINT (strace then detaches and writes what it saw).
class network_trace {
 public:
  network_trace(pid_t pid, const temp_dir& dir)
      : output_(dir / "strace.out"), log_(dir / "strace.log") {
    process_ = std::make_unique<background_process>(
        std::vector<std::string>{"strace", "-f", "-e", "trace=connect,sendto,sendmsg,sendmmsg",
                                 "-o", output_, "-p", std::to_string(pid)},
        std::map<std::string, std::string>{}, "", log_);
    // strace reports "Process N attached with M threads" once it holds all of them.
    attached_ =
        eventually([&] { return contains(read_file(log_), "attached"); }, std::chrono::seconds(20));
  }

  [[nodiscard]] bool attached() const { return attached_; }

  /// Detaches and returns the recorded calls.
  std::string stop() {
    process_->signal(SIGINT);
    process_->wait(std::chrono::seconds(10));
    return read_file(output_);
  }

 private:
  std::string output_, log_;
  std::unique_ptr<background_process> process_;
  bool attached_ = false;
};

} // namespace

// The harness's guard: every test daemon sends registry traffic to a proxy on 127.0.0.1:9 where
// nothing listens (loopback and the machine's name excepted), so a Docker Hub pull fails at once
// with the proxy's error and the daemon never looks the name up.
TEST_F(registry_it, a_docker_hub_pull_fails_fast_at_the_guard_proxy_without_a_dns_lookup) {
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(ok({"info", "--format", "{{.HTTPProxy}}|{{.HTTPSProxy}}|{{.NoProxy}}"}),
            std::string(guard_proxy_url) + "|" + guard_proxy_url + "|localhost,127.0.0.0/8,::1," +
                host);

  std::unique_ptr<network_trace> trace;
  if (run({"sh", "-c", "command -v strace"}).exit_code == 0) {
    trace = std::make_unique<network_trace>(daemon_.pid(), dir_);
    ASSERT_TRUE(trace->attached()) << read_file(dir_ / "strace.log");
  }
  auto start = std::chrono::steady_clock::now();
  auto pulled = docker({"pull", "busybox-does-not-exist-berth:1"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(pulled.exit_code, 0);
  EXPECT_TRUE(contains(pulled.err, "Get \"https://registry-1.docker.io/v2/\": proxyconnect tcp: "
                                   "dial tcp 127.0.0.1:9: connect: connection refused"))
      << pulled.err << pulled.out;
  EXPECT_LT(took, std::chrono::seconds(10));

  if (!trace) GTEST_SKIP() << "strace is not installed: the absence of DNS lookups is unchecked";
  auto calls = trace->stop();
  // The proxy was dialed; no resolver (UDP/TCP port 53) nor nscd was.
  EXPECT_TRUE(contains(calls, "sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")")) << calls;
  EXPECT_FALSE(contains(calls, "htons(53)")) << calls;
  EXPECT_FALSE(contains(calls, "nscd")) << calls;
}
