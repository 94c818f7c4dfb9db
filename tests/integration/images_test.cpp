// Integration tests of the local image store with the real docker CLI: load (docker-save and OCI
// archives), images, inspect, tag, history, save (and reload elsewhere), import, rmi, prune,
// layer sharing, events, malicious archives, and a crash in the middle of a load.
#include <csignal>
#include <dirent.h>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_daemon.hpp"
#include "test_images.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;

namespace {

// Layer directories of the daemon's overlay2 store ("l" holds the short links).
size_t layer_dirs(const test_daemon& d) {
  auto entries = dir_entries(d.data_root + "/overlay2");
  return static_cast<size_t>(
      std::count_if(entries.begin(), entries.end(), [](const std::string& n) { return n != "l"; }));
}

size_t blobs(const test_daemon& d) {
  return dir_entries(d.data_root + "/content/blobs/sha256").size();
}

class images : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.start()) << daemon_.start_error(); }

  command_result load(const std::string& archive) {
    return daemon_.docker({"load", "-i", test_images_dir() + "/" + archive},
                          {.timeout = std::chrono::minutes(5)});
  }

  json inspect(const std::string& name) {
    auto r = daemon_.docker({"image", "inspect", name});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = json::parse(r.out, nullptr, false);
    return doc.is_array() && !doc.empty() ? doc[0] : json();
  }

  std::vector<std::string> image_lines() {
    auto r = daemon_.docker({"images", "--format", "{{.Repository}}:{{.Tag}}"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    std::string line;
    for (char c : r.out) {
      if (c == '\n') {
        out.push_back(line);
        line.clear();
      } else {
        line += c;
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  test_daemon daemon_;
};

} // namespace

TEST_F(images, load_list_inspect_and_history) {
  auto r = load("busybox.tar");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Loaded image: busybox:latest\n");
  EXPECT_EQ(image_lines(), std::vector<std::string>{"busybox:latest"});
  auto expected_id = archive_image_id(test_images_dir() + "/busybox.tar");
  auto img = inspect("busybox");
  EXPECT_EQ(img["Id"], expected_id);
  EXPECT_EQ(img["RepoTags"], json({"busybox:latest"}));
  EXPECT_EQ(img["Architecture"], "amd64");
  EXPECT_EQ(img["Os"], "linux");
  EXPECT_EQ(img["Config"]["Cmd"], json({"sh"}));
  EXPECT_EQ(img["GraphDriver"]["Name"], "overlay2");
  EXPECT_EQ(img["RootFS"]["Type"], "layers");
  EXPECT_EQ(img["RootFS"]["Layers"].size(), 1u);
  EXPECT_GT(img["Size"].get<int64_t>(), 1'000'000);
  EXPECT_EQ(img["Created"], "2024-01-01T00:00:00Z");
  // The same image under every spelling of its name, and by short ID.
  for (const std::string& name : std::vector<std::string>{"busybox:latest", "library/busybox",
                                                          "docker.io/library/busybox:latest",
                                                          expected_id.substr(7, 12), expected_id})
    EXPECT_EQ(inspect(name)["Id"], expected_id) << name;
  auto history =
      daemon_.docker({"history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}", "busybox"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(history.out.substr(0, expected_id.size()), expected_id);
  auto info = daemon_.docker({"info", "--format", "{{.Images}}"});
  EXPECT_EQ(info.out, "1\n");
}

TEST_F(images, tag_untag_and_events) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  auto since = std::to_string(::time(nullptr) - 1);
  auto tag = daemon_.docker({"tag", "busybox", "me/bb:1"});
  ASSERT_EQ(tag.exit_code, 0) << tag.err;
  EXPECT_EQ(image_lines(), (std::vector<std::string>{"busybox:latest", "me/bb:1"}));
  auto rmi = daemon_.docker({"rmi", "me/bb:1"});
  ASSERT_EQ(rmi.exit_code, 0) << rmi.err;
  EXPECT_EQ(rmi.out, "Untagged: me/bb:1\n");
  EXPECT_EQ(image_lines(), std::vector<std::string>{"busybox:latest"});
  auto until = std::to_string(::time(nullptr) + 1);
  auto events = daemon_.docker({"events", "--since", since, "--until", until, "--format",
                                "{{.Type}} {{.Action}} {{.Actor.Attributes.name}}"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  EXPECT_NE(events.out.find("image tag me/bb:1"), std::string::npos) << events.out;
  EXPECT_NE(events.out.find("image untag"), std::string::npos) << events.out;
}

TEST_F(images, save_then_load_into_a_fresh_daemon_keeps_the_image_id) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  ASSERT_EQ(daemon_.docker({"tag", "busybox", "me/bb:1"}).exit_code, 0);
  auto out = daemon_.root + "/out.tar";
  auto save = daemon_.docker({"save", "busybox", "me/bb:1", "-o", out});
  ASSERT_EQ(save.exit_code, 0) << save.err;
  auto listing = shell("tar -tf " + out + " | sort");
  EXPECT_NE(listing.out.find("manifest.json"), std::string::npos);
  EXPECT_NE(listing.out.find("index.json"), std::string::npos);
  EXPECT_NE(listing.out.find("oci-layout"), std::string::npos);
  auto manifest = json::parse(shell("tar -xOf " + out + " manifest.json").out);
  ASSERT_EQ(manifest.size(), 1u);
  EXPECT_EQ(manifest[0]["RepoTags"], json({"busybox:latest", "me/bb:1"}));

  test_daemon fresh;
  ASSERT_TRUE(fresh.start()) << fresh.start_error();
  auto loaded = fresh.docker({"load", "-i", out});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_EQ(loaded.out, "Loaded image: busybox:latest\nLoaded image: me/bb:1\n");
  auto id = fresh.docker({"image", "inspect", "--format", "{{.Id}}", "me/bb:1"});
  EXPECT_EQ(id.out, archive_image_id(test_images_dir() + "/busybox.tar") + "\n");
  // Saving to stdout streams a tar too.
  auto piped = shell("DOCKER_HOST=unix://" + fresh.socket_path +
                     " DOCKER_CONFIG=" + fresh.docker_config_dir +
                     " docker save busybox | tar -t | grep -c blobs/sha256/");
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(piped.out, "4\n"); // layer, config, manifest + the blobs/sha256/ directory
}

TEST_F(images, oci_archives_with_gzip_layers_load_to_the_same_image) {
  auto r = load("busybox-oci.tar");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Loaded image: busybox:oci\n");
  EXPECT_EQ(inspect("busybox:oci")["Id"], archive_image_id(test_images_dir() + "/busybox.tar"));
}

TEST_F(images, shared_layers_are_stored_once) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  EXPECT_EQ(layer_dirs(daemon_), 1u);
  auto blobs_after_first = blobs(daemon_);
  // Loading the same archive again stores nothing new.
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  EXPECT_EQ(layer_dirs(daemon_), 1u);
  EXPECT_EQ(blobs(daemon_), blobs_after_first);
  // layered.tar = the busybox layer + 2 more: only 2 new layer directories.
  auto r = load("layered.tar");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(layer_dirs(daemon_), 3u);
  auto layered = inspect("berth-test/layered:1");
  EXPECT_EQ(layered["RootFS"]["Layers"].size(), 3u);
  EXPECT_EQ(layered["RootFS"]["Layers"][0], inspect("busybox")["RootFS"]["Layers"][0]);
  EXPECT_EQ(layered["Config"]["WorkingDir"], "/data");
  EXPECT_EQ(layered["Config"]["Labels"]["org.berth.test"], "layered");
  // The whiteout of data/a became an overlayfs whiteout (a 0:0 character device) in layer 3.
  auto whiteouts = shell("find " + daemon_.data_root + "/overlay2 -name a -type c | wc -l");
  EXPECT_EQ(whiteouts.out, "1\n");
  auto df = daemon_.docker({"system", "df", "--format", "{{.Type}} {{.TotalCount}}"});
  EXPECT_NE(df.out.find("Images 2"), std::string::npos) << df.out;
}

TEST_F(images, import_with_changes) {
  auto r = daemon_.docker({"import", test_images_dir() + "/rootfs.tar", "x:1", "--change",
                           R"(CMD ["sh"])", "--change", "ENV A=1", "-m", "from a test"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("sha256:", 0), 0u) << r.out;
  auto img = inspect("x:1");
  EXPECT_EQ(img["Id"].get<std::string>() + "\n", r.out);
  EXPECT_EQ(img["Config"]["Cmd"], json({"sh"}));
  EXPECT_EQ(img["Config"]["Env"], json({"A=1"}));
  EXPECT_EQ(img["Comment"], "from a test");
  // The imported rootfs is the busybox layer: shared with a later load.
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  EXPECT_EQ(layer_dirs(daemon_), 1u);
  // Piped from stdin too, untagged.
  auto piped = shell("DOCKER_HOST=unix://" + daemon_.socket_path +
                     " DOCKER_CONFIG=" + daemon_.docker_config_dir + " docker import - < " +
                     test_images_dir() + "/rootfs.tar");
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  auto bad =
      daemon_.docker({"import", test_images_dir() + "/rootfs.tar", "y:1", "--change", "RUN true"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("RUN is not a valid change command"), std::string::npos) << bad.err;
}

TEST_F(images, rmi_and_prune_follow_dockerd) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  ASSERT_EQ(load("layered.tar").exit_code, 0);
  ASSERT_EQ(daemon_.docker({"tag", "busybox", "other/bb:2"}).exit_code, 0);
  // By ID with tags in two repositories: refused unless forced.
  auto id = inspect("busybox")["Id"].get<std::string>();
  auto refused = daemon_.docker({"rmi", id.substr(7, 12)});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("must be forced"), std::string::npos) << refused.err;
  // Untagging the last tag deletes the image; its layer stays (layered uses it).
  ASSERT_EQ(daemon_.docker({"rmi", "other/bb:2"}).exit_code, 0);
  auto rmi = daemon_.docker({"rmi", "busybox"});
  ASSERT_EQ(rmi.exit_code, 0) << rmi.err;
  EXPECT_EQ(rmi.out, "Untagged: busybox:latest\nDeleted: " + id + "\n");
  EXPECT_EQ(layer_dirs(daemon_), 3u);
  // prune -a removes everything unused, layers and blobs included.
  auto prune = daemon_.docker({"image", "prune", "-a", "-f"});
  ASSERT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_NE(prune.out.find("Deleted Images:"), std::string::npos) << prune.out;
  EXPECT_NE(prune.out.find("Total reclaimed space:"), std::string::npos);
  EXPECT_TRUE(image_lines().empty());
  EXPECT_EQ(layer_dirs(daemon_), 0u);
  // Blob collection runs after the prune's removal job: wait for it, bounded.
  for (int i = 0; i < 200 && blobs(daemon_) != 0; ++i)
    ::usleep(10'000);
  EXPECT_EQ(blobs(daemon_), 0u);
}

TEST_F(images, bad_names_and_missing_images_get_dockers_errors) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  auto missing = daemon_.docker({"image", "inspect", "nope"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("No such image: nope"), std::string::npos) << missing.err;
  auto rmi = daemon_.docker({"rmi", "nope"});
  EXPECT_NE(rmi.err.find("No such image: nope:latest"), std::string::npos) << rmi.err;
  auto bad_tag = daemon_.curl({"-X", "POST", "-w", "\n%{http_code}",
                               "http://berth/v1.50/images/busybox/tag?repo=Bad/Name&tag=1"});
  EXPECT_EQ(bad_tag.out.substr(bad_tag.out.size() - 3), "400") << bad_tag.out;
  EXPECT_NE(bad_tag.out.find("invalid reference format"), std::string::npos) << bad_tag.out;
  auto bad_tag2 = daemon_.docker({"tag", "busybox", "ok:bad tag"});
  EXPECT_NE(bad_tag2.exit_code, 0);
  auto save_missing = daemon_.docker({"save", "nope", "-o", daemon_.root + "/x.tar"});
  EXPECT_NE(save_missing.exit_code, 0);
  EXPECT_NE(save_missing.err.find("No such image"), std::string::npos) << save_missing.err;
  auto bad_filter = daemon_.curl({"-w", "\n%{http_code}", "-G", "http://berth/images/json",
                                  "--data-urlencode", "filters={\"colour\":[\"x\"]}"});
  EXPECT_EQ(bad_filter.out.substr(bad_filter.out.size() - 3), "400");
  auto not_a_tar = daemon_.docker({"load"}, {.stdin_data = "this is not an archive"});
  EXPECT_NE(not_a_tar.exit_code, 0);
  EXPECT_EQ(image_lines(), std::vector<std::string>{"busybox:latest"});
}

TEST_F(images, malicious_archives_are_refused_and_leave_nothing) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  auto layers_before = layer_dirs(daemon_);
  auto blobs_before = blobs(daemon_);
  const auto& bad = bad_images_dir();
  std::map<std::string, std::string> cases = {
      {"bad-traversal.tar", ".."}, {"bad-symlink.tar", ""},           {"bad-symlink-rel.tar", ""},
      {"bad-hardlink.tar", ""},    {"bad-bomb.tar", "decompression"}, {"bad-digest.tar", "digest"},
      {"truncated.tar", ""},
  };
  for (const auto& [archive, hint] : cases) {
    auto r =
        daemon_.docker({"load", "-i", bad + "/" + archive}, {.timeout = std::chrono::minutes(2)});
    EXPECT_NE(r.exit_code, 0) << archive << " was accepted";
    EXPECT_NE(r.err.find("Error response from daemon"), std::string::npos)
        << archive << ": " << r.err;
    if (!hint.empty()) {
      EXPECT_NE(r.err.find(hint), std::string::npos) << archive << ": " << r.err;
    }
    EXPECT_EQ(image_lines(), std::vector<std::string>{"busybox:latest"}) << archive;
    EXPECT_EQ(layer_dirs(daemon_), layers_before) << archive;
  }
  // Nothing was written outside the layers.
  EXPECT_FALSE(access((bad + "/outside/evil").c_str(), F_OK) == 0);
  EXPECT_FALSE(access("/tmp/berth-evil-rel", F_OK) == 0);
  EXPECT_FALSE(access((daemon_.data_root + "/escaped").c_str(), F_OK) == 0);
  // Blobs the failed loads stored are collected.
  for (int i = 0; i < 200 && blobs(daemon_) != blobs_before; ++i)
    ::usleep(10'000);
  EXPECT_EQ(blobs(daemon_), blobs_before);
  EXPECT_TRUE(daemon_.running());
  // An absolute path inside a layer is neutralised: it lands inside the layer, not on the host.
  auto abs = daemon_.docker({"load", "-i", bad + "/bad-absolute.tar"});
  EXPECT_EQ(abs.exit_code, 0) << abs.err;
  EXPECT_FALSE(access("/etc/berth-abs", F_OK) == 0);
  EXPECT_EQ(
      shell("find " + daemon_.data_root + "/overlay2 -path '*diff/etc/berth-abs' | wc -l").out,
      "1\n");
}

TEST_F(images, a_crash_in_the_middle_of_a_load_leaves_a_clean_store) {
  ASSERT_EQ(load("busybox.tar").exit_code, 0);
  auto big = big_image(120);
  background_process loader({"docker", "load", "-i", big}, daemon_.docker_env());
  // Wait until the upload is being stored (a file in content/ingest), then crash the daemon.
  bool ingesting = false;
  for (int i = 0; i < 2000 && !ingesting; ++i) {
    ingesting = !dir_entries(daemon_.data_root + "/content/ingest").empty();
    if (!ingesting) ::usleep(2'000);
  }
  ASSERT_TRUE(ingesting) << "the load never started storing blobs";
  daemon_.kill9();
  EXPECT_GE(loader.wait(std::chrono::seconds(30)), 0);
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  EXPECT_EQ(image_lines(), std::vector<std::string>{"busybox:latest"});
  EXPECT_TRUE(dir_entries(daemon_.data_root + "/content/ingest").empty());
  EXPECT_EQ(layer_dirs(daemon_), 1u);
  for (int i = 0; i < 200 && blobs(daemon_) > 2; ++i)
    ::usleep(10'000);
  EXPECT_EQ(blobs(daemon_), 2u); // busybox's config and layer blob
  // And a retry succeeds.
  auto retry = daemon_.docker({"load", "-i", big}, {.timeout = std::chrono::minutes(5)});
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(image_lines(), (std::vector<std::string>{"berth-test/big:1", "busybox:latest"}));
}

TEST_F(images, the_store_survives_a_restart) {
  ASSERT_EQ(load("layered.tar").exit_code, 0);
  ASSERT_EQ(daemon_.docker({"tag", "berth-test/layered:1", "keep:me"}).exit_code, 0);
  auto before = inspect("keep:me");
  ASSERT_EQ(daemon_.stop(), 0);
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  auto after = inspect("keep:me");
  EXPECT_EQ(after["Id"], before["Id"]);
  EXPECT_EQ(after["RepoTags"], before["RepoTags"]);
  EXPECT_EQ(after["Size"], before["Size"]);
  EXPECT_EQ(layer_dirs(daemon_), 3u);
}
