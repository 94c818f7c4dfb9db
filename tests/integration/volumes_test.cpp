// Integration tests of volumes and mounts with the real docker CLI against a real berthd, checked
// against what dockerd 28 does (moby v28 daemon/volumes*.go, volume/local, volume/service,
// volume/mounts, api/server/router/volume): named and anonymous volumes and their life across
// container removal and daemon restarts (clean and kill -9), the local driver's options (tmpfs and
// bind devices, mounted while in use), binds and tmpfs mounts seen from inside the container,
// image VOLUME copy-up with ownership, --volumes-from, inspect Mounts, in-use protection, prune,
// ls filters, system df, volume events, symlinks in images that try to redirect mounts onto the
// host, bad input, and what is left on the host afterwards.
//
// Images with particular files (a VOLUME with seeded content, symlinks) are made in the test:
// the busybox rootfs tarball plus extra entries, `docker import`ed with `--change`. There is no
// `docker exec` or `docker cp`: containers are inspected with `docker run ... sh -c`, and volume
// data on the host through the volume's Mountpoint.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "host_cleanup.hpp"
#include "test_images.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

namespace fs = std::filesystem;

// A container that exits 0 on SIGTERM (a shell as pid 1 ignores signals it does not trap).
const std::string polite_loop = "trap 'exit 0' TERM; while :; do sleep 0.1; done";

// What dockerd 28 answers for a local volume name outside [a-zA-Z0-9][a-zA-Z0-9_.-]+ (the store
// wraps the driver's error as "create <name>: ...").
std::string invalid_name_message(const std::string& name) {
  return "create " + name + ": \"" + name +
         "\" includes invalid characters for a local volume name, only "
         "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
         "use absolute path";
}

const std::regex hex64("^[0-9a-f]{64}$");

bool is_hex64(const std::string& s) {
  return std::regex_match(s, hex64);
}

// A JSON string's value; "" for anything else (a missing field fails the comparison that uses
// it, not the whole test with an exception).
std::string str(const json& j) {
  return j.is_string() ? j.get<std::string>() : std::string();
}

// A JSON object with no members: dockerd answers `{}` where the CLI sent an empty map and null
// where nothing was sent; either means "none".
bool empty_map(const json& j) {
  return j.is_null() || (j.is_object() && j.empty());
}

// One entry of an image's extra content, added to the busybox rootfs before `docker import`.
struct tar_entry {
  std::string type; ///< "dir", "file" or "symlink"
  std::string path; ///< relative, e.g. "var/lib/x/file"
  std::string data; ///< file content, or the symlink's target
  int uid = 0;
  int gid = 0;
  int mode = 0755;
};

// Copies the busybox rootfs tarball and appends the entries (python's tarfile keeps the exact
// ownership and modes given).
const char* const derive_rootfs_py = R"PY(
import io, json, sys, tarfile
spec, base, out = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
with tarfile.open(base) as src, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as dst:
    for m in src.getmembers():
        dst.addfile(m, src.extractfile(m) if m.isfile() else None)
    for e in spec:
        t = tarfile.TarInfo(e["path"])
        t.uid, t.gid, t.mode, t.mtime = e["uid"], e["gid"], e["mode"], 1704067200
        if e["type"] == "dir":
            t.type = tarfile.DIRTYPE
            dst.addfile(t)
        elif e["type"] == "symlink":
            t.type = tarfile.SYMTYPE
            t.linkname = e["data"]
            dst.addfile(t)
        else:
            data = e["data"].encode()
            t.size = len(data)
            dst.addfile(t, io.BytesIO(data))
)PY";

// A mount seen in /proc/self/mountinfo (the test's, i.e. the host's, mount namespace).
struct host_mount {
  std::string point;
  std::string fstype;
};

std::vector<host_mount> host_mounts() {
  std::vector<host_mount> out;
  std::ifstream info("/proc/self/mountinfo");
  for (std::string line; std::getline(info, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, word;
    fields >> id >> parent >> dev >> root >> point;
    while (fields >> word && word != "-") {
    }
    std::string fstype;
    fields >> fstype;
    out.push_back({unescape_mount_path(point), fstype});
  }
  return out;
}

// Mount points at or below `dir` (with repeats: stacked mounts count once each).
std::multiset<std::string> mounts_below(const std::string& dir) {
  std::multiset<std::string> out;
  for (const auto& m : host_mounts())
    if (m.point == dir || m.point.rfind(dir + "/", 0) == 0) out.insert(m.point);
  return out;
}

// The file system type mounted at `path` ("" when nothing is).
std::string fstype_at(const std::string& path) {
  std::string type;
  for (const auto& m : host_mounts())
    if (m.point == path) type = m.fstype; // the last one is the visible one
  return type;
}

struct file_info {
  bool exists = false;
  unsigned uid = 0;
  unsigned gid = 0;
  unsigned mode = 0; ///< permission bits, e.g. 0640
  ino_t inode = 0;
};

file_info info_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};
  return {true, st.st_uid, st.st_gid, st.st_mode & 07777u, st.st_ino};
}

std::set<std::string> dir_names(const std::string& dir) {
  std::set<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.insert(name);
    }
    ::closedir(d);
  }
  return names;
}

// The host's /etc as it looks now: its inode and the names in it.
struct etc_snapshot {
  ino_t inode = 0;
  std::set<std::string> names;
  std::multiset<std::string> mounts; ///< mount points at or below /etc
  bool operator==(const etc_snapshot&) const = default;
};

void PrintTo(const etc_snapshot& s, std::ostream* os) {
  *os << "{inode " << s.inode << ", names:";
  for (const auto& n : s.names)
    *os << " " << n;
  *os << "; mounts:";
  for (const auto& m : s.mounts)
    *os << " " << m;
  *os << "}";
}

etc_snapshot snapshot_etc() {
  return {info_of("/etc").inode, dir_names("/etc"), mounts_below("/etc")};
}

// The whitespace-separated fields of the first line of `text` whose first field is `first`.
std::vector<std::string> row_starting_with(const std::string& text, const std::string& first) {
  for (const auto& line : lines_of(text)) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;)
      fields.push_back(f);
    if (!fields.empty() && fields[0] == first) return fields;
  }
  return {};
}

class volumes : public daemon_test {
 protected:
  // Runs a docker command that must fail; returns its stderr.
  std::string fails(const std::vector<std::string>& args) {
    auto r = docker(args);
    EXPECT_NE(r.exit_code, 0) << "docker " << args.front() << " " << args.at(1) << ": " << r.out;
    return r.err;
  }

  // `docker run --rm busybox sh -c script` with extra run options before the image; its output.
  std::string run_sh(const std::vector<std::string>& options, const std::string& script,
                     const std::string& image = "busybox") {
    std::vector<std::string> args{"run", "--rm"};
    args.insert(args.end(), options.begin(), options.end());
    args.insert(args.end(), {image, "sh", "-c", script});
    return ok(args);
  }

  std::string mountpoint(const std::string& volume) {
    return ok({"volume", "inspect", "-f", "{{.Mountpoint}}", volume});
  }

  std::set<std::string> volume_names(const std::vector<std::string>& filters = {}) {
    std::vector<std::string> args{"volume", "ls", "-q"};
    for (const auto& f : filters)
      args.insert(args.end(), {"--filter", f});
    auto names = lines_of(ok(args));
    return {names.begin(), names.end()};
  }

  std::set<std::string> anonymous_volumes() {
    std::set<std::string> out;
    for (const auto& name : volume_names())
      if (is_hex64(name)) out.insert(name);
    return out;
  }

  std::set<std::string> container_ids() {
    auto ids = lines_of(ok({"ps", "-aq", "--no-trunc"}));
    return {ids.begin(), ids.end()};
  }

  // A fresh directory on the host under the test's root (removed with it).
  std::string host_dir(const std::string& name) {
    auto dir = daemon_.root + "/" + name;
    fs::create_directories(dir);
    return dir;
  }

  // The busybox rootfs plus `entries`, imported as `tag` with the Dockerfile `changes`.
  void make_image(const std::string& tag, const std::vector<tar_entry>& entries,
                  const std::vector<std::string>& changes = {}) {
    json spec = json::array();
    for (const auto& e : entries)
      spec.push_back({{"type", e.type},
                      {"path", e.path},
                      {"data", e.data},
                      {"uid", e.uid},
                      {"gid", e.gid},
                      {"mode", e.mode}});
    auto tar = daemon_.root + "/image-" + std::to_string(images_made_++) + ".tar";
    auto made = run(
        {"python3", "-c", derive_rootfs_py, spec.dump(), test_images_dir() + "/rootfs.tar", tar});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    std::vector<std::string> args{"import"};
    for (const auto& c : changes)
      args.insert(args.end(), {"--change", c});
    args.insert(args.end(), {tar, tag});
    auto imported = docker(args);
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  // The image of the copy-up tests: /var/lib/x (1000:1000, 0750) holding `file` ("seed",
  // 1000:1000, 0640) and `sub/deep` (1000:1000), declared as a VOLUME.
  void make_seeded_image(const std::string& tag = "seeded:1") {
    make_image(tag,
               {{.type = "dir", .path = "var/lib/", .mode = 0755},
                {.type = "dir", .path = "var/lib/x/", .uid = 1000, .gid = 1000, .mode = 0750},
                {.type = "file",
                 .path = "var/lib/x/file",
                 .data = "seed",
                 .uid = 1000,
                 .gid = 1000,
                 .mode = 0640},
                {.type = "dir", .path = "var/lib/x/sub/", .uid = 1000, .gid = 1000, .mode = 0700},
                {.type = "file",
                 .path = "var/lib/x/sub/deep",
                 .data = "deep",
                 .uid = 1000,
                 .gid = 1000,
                 .mode = 0600}},
               {"VOLUME /var/lib/x"});
  }

  // The `docker events` between `since` and now (the CLI returns at --until), one line each.
  std::vector<std::string> events_since(const std::string& since,
                                        const std::vector<std::string>& filters,
                                        const std::string& format) {
    auto until = std::to_string(std::stoll(unix_now()) + 1);
    std::vector<std::string> args{"events", "--since", since, "--until", until};
    for (const auto& f : filters)
      args.insert(args.end(), {"--filter", f});
    args.insert(args.end(), {"--format", format});
    auto r = docker(args, {.timeout = 20s});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return lines_of(r.out);
  }

  // Follows a container's logs until a line contains `needle`; false after `timeout`.
  bool wait_for_log(const std::string& name, const std::string& needle,
                    std::chrono::milliseconds timeout = 15s) {
    background_process follow({"docker", "logs", "-f", name}, daemon_.docker_env());
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto line = follow.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!line) return false;
      if (line->find(needle) != std::string::npos) return true;
    }
    return false;
  }

  // The container's Mounts from inspect, by destination.
  std::map<std::string, json> mounts_of(const std::string& container) {
    std::map<std::string, json> out;
    auto c = inspect(container);
    if (c.contains("Mounts") && c["Mounts"].is_array())
      for (const auto& m : c["Mounts"])
        out[str(m.value("Destination", json()))] = m;
    return out;
  }

  int images_made_ = 0;
};

} // namespace

// ---- named volumes ------------------------------------------------------------------------------

TEST_F(volumes, named_volume_round_trip_survives_restarts_and_kill_9) {
  EXPECT_EQ(ok({"volume", "create", "data"}), "data");
  ok({"run", "--rm", "-v", "data:/d", "busybox", "sh", "-c", "echo hi > /d/f"});
  EXPECT_EQ(ok({"run", "--rm", "-v", "data:/d", "busybox", "cat", "/d/f"}), "hi");

  auto v = inspect("data", "volume");
  EXPECT_EQ(str(v["Name"]), "data");
  EXPECT_EQ(str(v["Driver"]), "local");
  EXPECT_EQ(str(v["Scope"]), "local");
  EXPECT_EQ(v["Mountpoint"], daemon_.data_root + "/volumes/data/_data");
  EXPECT_TRUE(std::regex_match(str(v["CreatedAt"]),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d))")))
      << v.dump();
  EXPECT_TRUE(empty_map(v["Labels"])) << v.dump();
  EXPECT_TRUE(empty_map(v["Options"])) << v.dump();
  EXPECT_EQ(read_text(daemon_.data_root + "/volumes/data/_data/f"), "hi");
  EXPECT_EQ(ok({"volume", "ls", "--format", "{{.Driver}} {{.Name}} {{.Scope}}"}),
            "local data local");

  // A container that only references the volume (created, never started) holds it across
  // restarts too.
  auto holder = ok({"create", "--name", "holder", "-v", "data:/d", "busybox", "true"});

  ASSERT_EQ(daemon_.stop(SIGTERM, 30s), 0);
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  EXPECT_EQ(ok({"run", "--rm", "-v", "data:/d", "busybox", "cat", "/d/f"}), "hi");
  auto after_restart = inspect("data", "volume");
  EXPECT_EQ(after_restart["CreatedAt"], v["CreatedAt"]);
  EXPECT_EQ(after_restart["Mountpoint"], v["Mountpoint"]);

  daemon_.kill9();
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  EXPECT_EQ(ok({"run", "--rm", "-v", "data:/d", "busybox", "cat", "/d/f"}), "hi");
  EXPECT_EQ(inspect("data", "volume")["CreatedAt"], v["CreatedAt"]);
  // The reference survived both restarts: the volume is still in use, and no prune takes it.
  EXPECT_THAT(fails({"volume", "rm", "data"}),
              HasSubstr("remove data: volume is in use - [" + holder + "]"));
  ok({"volume", "prune", "-a", "-f"});
  EXPECT_EQ(volume_names(), std::set<std::string>{"data"});
  ok({"rm", "holder"});
  EXPECT_EQ(ok({"volume", "rm", "data"}), "data");
  EXPECT_TRUE(volume_names().empty());
  EXPECT_FALSE(fs::exists(daemon_.data_root + "/volumes/data"));
}

TEST_F(volumes, running_container_keeps_its_volumes_across_kill_9) {
  ok({"volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "--opt", "o=size=4m",
      "tv"});
  auto tv = mountpoint("tv");
  auto id = ok({"run", "-d", "--name", "keeper", "-v", "data:/d", "-v", "tv:/t", "busybox", "sh",
                "-c", "echo kept > /t/f; echo disk > /d/f; echo ready; " + polite_loop});
  ASSERT_TRUE(wait_for_log("keeper", "ready"));
  EXPECT_EQ(fstype_at(tv), "tmpfs");

  daemon_.kill9();
  ASSERT_TRUE(daemon_.start()) << daemon_.start_error();
  ASSERT_TRUE(inspect("keeper")["State"]["Running"].get<bool>());
  // The tmpfs volume is still mounted with the data the container wrote (live restore), and both
  // volumes are still in use.
  EXPECT_EQ(fstype_at(tv), "tmpfs");
  EXPECT_EQ(read_text(tv + "/f"), "kept");
  EXPECT_THAT(fails({"volume", "rm", "-f", "data"}),
              HasSubstr("remove data: volume is in use - [" + id + "]"));
  ok({"volume", "prune", "-a", "-f"});
  EXPECT_EQ(volume_names(), (std::set<std::string>{"data", "tv"}));
  // Stopping the last user unmounts the restored volume.
  ok({"stop", "keeper"});
  EXPECT_EQ(fstype_at(tv), "");
  EXPECT_EQ(read_text(mountpoint("data") + "/f"), "disk");
}

TEST_F(volumes, create_is_idempotent_and_an_unnamed_create_is_anonymous) {
  EXPECT_EQ(ok({"volume", "create", "data"}), "data");
  auto first = inspect("data", "volume");
  EXPECT_EQ(ok({"volume", "create", "data"}), "data");
  EXPECT_EQ(inspect("data", "volume")["CreatedAt"], first["CreatedAt"]);
  EXPECT_EQ(volume_names(), std::set<std::string>{"data"});
  // Through the API as well: 201 with the same volume.
  auto again =
      daemon_.curl({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                    R"({"Name":"data"})", "-w", "\n%{http_code}", "http://d/volumes/create"});
  EXPECT_THAT(again.out, HasSubstr("\n201")) << again.out;
  EXPECT_THAT(again.out, HasSubstr(R"("Name":"data")"));

  // Without a name the daemon picks a random 64-hex one and labels the volume anonymous.
  auto anon = ok({"volume", "create"});
  EXPECT_TRUE(is_hex64(anon)) << anon;
  auto labels = inspect(anon, "volume")["Labels"];
  EXPECT_TRUE(labels.is_object() && labels.contains("com.docker.volume.anonymous"))
      << labels.dump();
  EXPECT_EQ(volume_names(), (std::set<std::string>{"data", anon}));
}

// ---- the local driver's options -----------------------------------------------------------------

TEST_F(volumes, tmpfs_volume_is_mounted_with_its_options_while_in_use) {
  EXPECT_EQ(ok({"volume", "create", "--label", "a=b", "--opt", "type=tmpfs", "--opt",
                "device=tmpfs", "--opt", "o=size=8m,uid=1000", "tv"}),
            "tv");
  auto v = inspect("tv", "volume");
  EXPECT_EQ(v["Labels"], json({{"a", "b"}}));
  EXPECT_EQ(v["Options"],
            json({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=8m,uid=1000"}}));
  auto path = str(v["Mountpoint"]);
  EXPECT_EQ(path, daemon_.data_root + "/volumes/tv/_data");
  EXPECT_EQ(fstype_at(path), ""); // mounted only while a container uses it

  EXPECT_EQ(run_sh({"-v", "tv:/d"}, "df -k /d | tail -n 1 | awk '{print $2}'; stat -c %u /d; "
                                    "grep ' /d ' /proc/mounts | cut -d' ' -f3"),
            "8192\n1000\ntmpfs");
  EXPECT_EQ(fstype_at(path), "") << "unmounted on the host after the container exited";

  ok({"run", "-d", "--name", "user", "-v", "tv:/d", "busybox", "sh", "-c", polite_loop});
  EXPECT_EQ(fstype_at(path), "tmpfs");
  // A second user shares the same mount: what it writes is in the host's view of the volume.
  ok({"run", "--rm", "-v", "tv:/d", "busybox", "sh", "-c", "echo shared > /d/f"});
  EXPECT_EQ(fstype_at(path), "tmpfs") << "still in use by `user`";
  EXPECT_EQ(read_text(path + "/f"), "shared");
  ok({"stop", "user"});
  EXPECT_EQ(fstype_at(path), "");
  EXPECT_FALSE(fs::exists(path + "/f")); // the data lived in the tmpfs
}

TEST_F(volumes, bind_device_volume_writes_into_the_device_directory) {
  auto device = host_dir("device");
  ok({"volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", "device=" + device,
      "bv"});
  auto path = mountpoint("bv");
  ok({"run", "--rm", "-v", "bv:/d", "busybox", "sh", "-c", "echo via-volume > /d/f"});
  EXPECT_EQ(read_text(device + "/f"), "via-volume");
  EXPECT_EQ(mounts_below(path).size(), 0U) << "unmounted after the container exited";
  // Removing the volume leaves the device's data alone.
  EXPECT_EQ(ok({"volume", "rm", "bv"}), "bv");
  EXPECT_EQ(read_text(device + "/f"), "via-volume");
  EXPECT_FALSE(fs::exists(daemon_.data_root + "/volumes/bv"));
}

// ---- anonymous volumes --------------------------------------------------------------------------

TEST_F(volumes, anonymous_volumes_follow_rm_v_and_run_rm) {
  ok({"run", "--name", "first", "-v", "/d", "busybox", "sh", "-c", "echo a > /d/f"});
  auto names = anonymous_volumes();
  ASSERT_EQ(names.size(), 1U);
  auto anon = *names.begin();
  EXPECT_EQ(volume_names(), names);
  auto v = inspect(anon, "volume");
  EXPECT_EQ(v["Mountpoint"], daemon_.data_root + "/volumes/" + anon + "/_data");
  EXPECT_TRUE(v["Labels"].contains("com.docker.volume.anonymous")) << v.dump();
  EXPECT_EQ(read_text(str(v["Mountpoint"]) + "/f"), "a");
  EXPECT_EQ(str(mounts_of("first")["/d"]["Name"]), anon);

  // rm without -v keeps it (now dangling); rm -v removes the anonymous ones only.
  ok({"rm", "first"});
  EXPECT_EQ(volume_names({"dangling=true"}), names);
  ok({"run", "--name", "second", "-v", "/e", "-v", "named:/n", "busybox", "true"});
  EXPECT_EQ(anonymous_volumes().size(), 2U);
  ok({"rm", "-v", "second"});
  EXPECT_EQ(volume_names(), (std::set<std::string>{anon, "named"}));

  // --rm removes the container's anonymous volumes (dockerd's auto-remove uses RemoveVolume),
  // never a named one.
  ok({"run", "--rm", "-v", "/g", "-v", "named:/n", "busybox", "true"});
  EXPECT_EQ(volume_names(), (std::set<std::string>{anon, "named"}));
  // An anonymous --mount volume (no src) is anonymous too.
  ok({"run", "--rm", "--mount", "type=volume,dst=/m", "busybox", "true"});
  EXPECT_EQ(volume_names(), (std::set<std::string>{anon, "named"}));
}

// ---- image VOLUME copy-up -----------------------------------------------------------------------

TEST_F(volumes, image_volume_is_copied_up_with_ownership) {
  ASSERT_NO_FATAL_FAILURE(make_seeded_image());
  EXPECT_EQ(ok({"run", "--rm", "seeded:1", "cat", "/var/lib/x/file"}), "seed");
  EXPECT_TRUE(volume_names().empty()) << "--rm removed the image's anonymous volume";

  ok({"run", "-d", "--name", "seeded", "seeded:1", "sleep", "100"});
  auto mounts = mounts_of("seeded");
  ASSERT_EQ(mounts.count("/var/lib/x"), 1U) << inspect("seeded")["Mounts"].dump();
  auto anon = str(mounts["/var/lib/x"]["Name"]);
  EXPECT_TRUE(is_hex64(anon)) << anon;
  EXPECT_EQ(inspect("seeded")["Config"]["Volumes"], json({{"/var/lib/x", json::object()}}));
  auto path = mountpoint(anon);
  EXPECT_EQ(read_text(path + "/file"), "seed");
  auto file = info_of(path + "/file");
  EXPECT_EQ(file.uid, 1000U);
  EXPECT_EQ(file.gid, 1000U);
  EXPECT_EQ(file.mode, 0640U);
  auto dir = info_of(path);
  EXPECT_EQ(dir.uid, 1000U) << "the directory's ownership is copied too";
  EXPECT_EQ(dir.mode, 0750U);
  EXPECT_EQ(read_text(path + "/sub/deep"), "deep");
  EXPECT_EQ(info_of(path + "/sub").mode, 0700U);

  // A new named volume mounted there gets the copy as well.
  EXPECT_EQ(ok({"run", "--rm", "-v", "fresh:/var/lib/x", "seeded:1", "sh", "-c",
                "cat /var/lib/x/file; echo; stat -c '%u:%g %a' /var/lib/x/file /var/lib/x"}),
            "seed\n1000:1000 640\n1000:1000 750");
  EXPECT_EQ(info_of(mountpoint("fresh") + "/file").uid, 1000U);

  // A named volume that already has content is not overwritten.
  ok({"run", "--rm", "-v", "full:/d", "busybox", "sh", "-c", "echo mine > /d/own"});
  EXPECT_EQ(ok({"run", "--rm", "-v", "full:/var/lib/x", "seeded:1", "ls", "/var/lib/x"}), "own");
  EXPECT_EQ(dir_names(mountpoint("full")), std::set<std::string>{"own"});

  // volume-nocopy: no copy at all.
  EXPECT_EQ(ok({"run", "--rm", "--mount", "type=volume,src=v3,dst=/var/lib/x,volume-nocopy",
                "seeded:1", "ls", "-A", "/var/lib/x"}),
            "");
  EXPECT_TRUE(dir_names(mountpoint("v3")).empty());

  // A bind over the VOLUME path replaces the anonymous volume (and gets no copy).
  auto host = host_dir("over");
  EXPECT_EQ(ok({"run", "--rm", "-v", host + ":/var/lib/x", "seeded:1", "ls", "-A", "/var/lib/x"}),
            "");
  EXPECT_TRUE(dir_names(host).empty());

  ok({"rm", "-f", "-v", "seeded"});
  EXPECT_EQ(volume_names(), (std::set<std::string>{"fresh", "full", "v3"}));
}

// ---- binds and tmpfs ----------------------------------------------------------------------------

TEST_F(volumes, bind_mounts_read_only_created_sources_and_refusals) {
  auto host = host_dir("hostdir");
  std::ofstream(host + "/file") << "from-host\n";
  EXPECT_EQ(run_sh({"-v", host + ":/h:ro"}, "cat /h/file; touch /h/x 2>&1; echo done"),
            "from-host\ntouch: /h/x: Read-only file system\ndone");
  EXPECT_FALSE(fs::exists(host + "/x"));
  // Read-write by default: the write lands on the host.
  run_sh({"-v", host + ":/h"}, "echo from-container > /h/back");
  EXPECT_EQ(read_text(host + "/back"), "from-container");

  // -v creates a missing source directory (dockerd's MountPoint.Setup).
  run_sh({"-v", host + "/new/sub:/h"}, "echo made > /h/f");
  EXPECT_TRUE(fs::is_directory(host + "/new/sub"));
  EXPECT_EQ(read_text(host + "/new/sub/f"), "made");

  // --mount refuses a missing source and a relative one; nothing is created.
  auto missing = host + "/missing";
  EXPECT_THAT(
      fails({"run", "--rm", "--mount", "type=bind,src=" + missing + ",dst=/h", "busybox", "true"}),
      HasSubstr("invalid mount config for type \"bind\": bind source path does not "
                "exist: " +
                missing));
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_THAT(
      fails({"run", "--rm", "--mount", "type=bind,src=relative,dst=/h", "busybox", "true"}),
      HasSubstr("invalid mount config for type \"bind\": invalid mount path: 'relative' mount "
                "path must be absolute"));
  // The API answers 400 for both.
  auto api = daemon_.curl({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                           R"({"Image":"busybox","HostConfig":{"Mounts":[{"Type":"bind",)"
                           R"("Source":"relative","Target":"/h"}]}})",
                           "-w", "\n%{http_code}", "http://d/containers/create"});
  EXPECT_THAT(api.out, HasSubstr("\n400")) << api.out;
  EXPECT_THAT(api.out, HasSubstr("mount path must be absolute")) << api.out;
  EXPECT_TRUE(container_ids().empty());
  EXPECT_TRUE(volume_names().empty());

  // A read-only --mount bind is mounted ro in the container's own mount table.
  auto prop = run_sh({"--mount", "type=bind,src=" + host + ",dst=/b,readonly"},
                     "grep ' /b ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1; cat /b/file");
  EXPECT_EQ(prop, "ro\nfrom-host");
}

TEST_F(volumes, tmpfs_mounts_have_their_size_and_mode) {
  // dockerd mounts every tmpfs noexec,nosuid,nodev plus the user's options (atime flags and
  // inode64 are the kernel's business).
  auto options = std::string(" /proc/mounts | cut -d' ' -f3,4 | tr ', ' '\\n\\n' | grep -v "
                             "-e time -e inode64 -e seclabel");
  EXPECT_EQ(run_sh({"--tmpfs", "/run:size=8m"},
                   "df -k /run | tail -n 1 | awk '{print $2}'; grep ' /run '" + options),
            "8192\ntmpfs\nrw\nnosuid\nnodev\nnoexec\nsize=8192k");
  EXPECT_EQ(run_sh({"--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770"},
                   "df -k /t | tail -n 1 | awk '{print $2}'; stat -c %a /t; echo x > /t/f && "
                   "cat /t/f; grep ' /t '" +
                       options),
            "1024\n1770\nx\ntmpfs\nrw\nnosuid\nnodev\nnoexec\nsize=1024k\nmode=1770");
  // A tmpfs over a path that exists in the image hides the image's content.
  EXPECT_EQ(run_sh({"--tmpfs", "/etc"}, "ls -A /etc | grep -c passwd || true"), "0");
  // Read-only tmpfs through --mount.
  EXPECT_EQ(run_sh({"--mount", "type=tmpfs,dst=/r,readonly"}, "touch /r/x 2>&1; true"),
            "touch: /r/x: Read-only file system");
}

// ---- read-only volumes and --volumes-from -------------------------------------------------------

TEST_F(volumes, readonly_volume_mounts_and_volumes_from) {
  EXPECT_EQ(
      run_sh({"--mount", "type=volume,src=v2,dst=/d,readonly"}, "ls -A /d; touch /d/x 2>&1; true"),
      "touch: /d/x: Read-only file system");
  EXPECT_EQ(volume_names(), std::set<std::string>{"v2"}) << "--mount created the volume";
  EXPECT_EQ(run_sh({"-v", "v2:/d:ro"}, "touch /d/x 2>&1; true"),
            "touch: /d/x: Read-only file system");

  auto host = host_dir("shared");
  ok({"run", "--name", "c1", "-v", "data:/d", "-v", host + ":/h", "-v", "/anon", "busybox", "sh",
      "-c", "echo d > /d/f; echo h > /h/f; echo a > /anon/f"});
  EXPECT_EQ(run_sh({"--volumes-from", "c1"},
                   "cat /d/f /h/f /anon/f; touch /d/w /h/w /anon/w && echo writable"),
            "d\nh\na\nwritable");
  EXPECT_EQ(run_sh({"--volumes-from", "c1:ro"}, "cat /d/f; for p in /d /h /anon; do "
                                                "touch $p/x 2>&1; done; true"),
            "d\ntouch: /d/x: Read-only file system\ntouch: /h/x: Read-only file system\n"
            "touch: /anon/x: Read-only file system");

  // The sharing container lists the same mounts with the same sources; :ro makes them RW=false.
  ok({"create", "--name", "c2", "--volumes-from", "c1:ro", "busybox", "true"});
  auto from = mounts_of("c1");
  auto to = mounts_of("c2");
  ASSERT_EQ(to.size(), 3U) << inspect("c2")["Mounts"].dump();
  for (auto& [dest, m] : from) {
    EXPECT_EQ(to[dest]["Type"], m["Type"]) << dest;
    EXPECT_EQ(to[dest]["Source"], m["Source"]) << dest;
    EXPECT_EQ(to[dest]["Name"], m["Name"]) << dest;
    EXPECT_EQ(to[dest]["RW"], false) << dest;
  }
  // An unknown source container is refused.
  EXPECT_THAT(fails({"run", "--rm", "--volumes-from", "nosuch", "busybox", "true"}),
              HasSubstr("No such container: nosuch"));
}

// ---- inspect ------------------------------------------------------------------------------------

TEST_F(volumes, inspect_lists_mounts_like_dockerd) {
  auto host = host_dir("hostdir");
  ok({"create", "--name", "mounts", "-v", "named:/n", "-v", "/anon", "-v", host + ":/h:ro",
      "--mount", "type=bind,src=" + host + ",dst=/b", "--mount", "type=tmpfs,dst=/t", "--tmpfs",
      "/run", "busybox", "true"});
  auto mounts = mounts_of("mounts");
  // dockerd lists mount points only: a --tmpfs (HostConfig.Tmpfs) is not one.
  EXPECT_EQ(mounts.size(), 5U) << inspect("mounts")["Mounts"].dump();
  EXPECT_EQ(mounts.count("/run"), 0U);
  ASSERT_FALSE(mounts.empty());

  auto named = mounts["/n"];
  EXPECT_EQ(str(named["Type"]), "volume");
  EXPECT_EQ(str(named["Name"]), "named");
  EXPECT_EQ(named["Source"], daemon_.data_root + "/volumes/named/_data");
  EXPECT_EQ(str(named["Driver"]), "local");
  EXPECT_EQ(str(named["Mode"]), "z"); // dockerd's setBindModeIfNull for local named volumes
  EXPECT_EQ(named["RW"], true);
  EXPECT_EQ(named["Propagation"], json(""));

  auto anon = mounts["/anon"];
  EXPECT_EQ(str(anon["Type"]), "volume");
  EXPECT_TRUE(is_hex64(str(anon["Name"]))) << anon.dump();
  EXPECT_EQ(anon["Source"], daemon_.data_root + "/volumes/" + str(anon["Name"]) + "/_data");
  EXPECT_EQ(str(anon["Driver"]), "local");
  EXPECT_EQ(anon["Mode"], json(""));
  EXPECT_EQ(anon["RW"], true);
  EXPECT_EQ(anon["Propagation"], json(""));

  auto ro_bind = mounts["/h"];
  EXPECT_EQ(str(ro_bind["Type"]), "bind");
  EXPECT_EQ(ro_bind["Source"], host);
  EXPECT_EQ(str(ro_bind["Mode"]), "ro");
  EXPECT_EQ(ro_bind["RW"], false);
  EXPECT_EQ(str(ro_bind["Propagation"]), "rprivate");
  EXPECT_FALSE(ro_bind.contains("Name")) << ro_bind.dump(); // omitempty
  EXPECT_FALSE(ro_bind.contains("Driver")) << ro_bind.dump();

  auto bind = mounts["/b"];
  EXPECT_EQ(str(bind["Type"]), "bind");
  EXPECT_EQ(bind["Source"], host);
  EXPECT_EQ(bind["Mode"], json(""));
  EXPECT_EQ(bind["RW"], true);
  EXPECT_EQ(str(bind["Propagation"]), "rprivate");

  auto tmpfs = mounts["/t"];
  EXPECT_EQ(str(tmpfs["Type"]), "tmpfs");
  EXPECT_EQ(tmpfs["Source"], json(""));
  EXPECT_EQ(tmpfs["Mode"], json(""));
  EXPECT_EQ(tmpfs["RW"], true);
  EXPECT_EQ(tmpfs["Propagation"], json(""));

  auto c = inspect("mounts");
  // The CLI collects -v options in a map: their order in Binds is not the command line's.
  auto binds = c["HostConfig"]["Binds"];
  EXPECT_EQ(std::set<std::string>(binds.begin(), binds.end()),
            (std::set<std::string>{"named:/n", host + ":/h:ro"}))
      << binds.dump();
  EXPECT_EQ(c["HostConfig"]["Tmpfs"], json({{"/run", ""}}));
  EXPECT_EQ(c["HostConfig"]["Mounts"].size(), 2U);
  EXPECT_EQ(c["Config"]["Volumes"], json({{"/anon", json::object()}}));
  // `docker ps` shows the volumes too (--filter volume=).
  EXPECT_EQ(ok({"ps", "-a", "--filter", "volume=named", "--format", "{{.Names}}"}), "mounts");
}

// ---- in-use protection and prune ----------------------------------------------------------------

TEST_F(volumes, volume_rm_refuses_volumes_in_use_even_forced) {
  ok({"volume", "create", "data"});
  auto user = ok({"create", "--name", "user", "-v", "data:/d", "busybox", "true"});
  auto message = "remove data: volume is in use - [" + user + "]";
  EXPECT_THAT(fails({"volume", "rm", "data"}), HasSubstr(message));
  // force only ignores "not found" (dockerd's PurgeOnError never overrides the in-use check).
  EXPECT_THAT(fails({"volume", "rm", "-f", "data"}), HasSubstr(message));
  auto api = daemon_.curl({"-X", "DELETE", "-w", "\n%{http_code}", "http://d/volumes/data"});
  EXPECT_THAT(api.out, HasSubstr("\n409")) << api.out;
  EXPECT_THAT(api.out, HasSubstr(message)) << api.out;

  // A running user: the same, naming that container.
  auto runner =
      ok({"run", "-d", "--name", "runner", "-v", "busy:/d", "busybox", "sh", "-c", polite_loop});
  EXPECT_THAT(fails({"volume", "rm", "busy"}),
              HasSubstr("remove busy: volume is in use - [" + runner + "]"));
  ok({"stop", "runner"});
  EXPECT_THAT(fails({"volume", "rm", "busy"}), HasSubstr("volume is in use"))
      << "a stopped container still uses its volumes";

  // Unknown names: 404 without force, nothing to do with force.
  EXPECT_THAT(fails({"volume", "rm", "nope"}), HasSubstr("no such volume"));
  auto gone = daemon_.curl({"-X", "DELETE", "-w", "\n%{http_code}", "http://d/volumes/nope"});
  EXPECT_THAT(gone.out, HasSubstr("\n404")) << gone.out;
  EXPECT_EQ(ok({"volume", "rm", "-f", "nope"}), "nope");

  EXPECT_EQ(volume_names(), (std::set<std::string>{"data", "busy"}));
  ok({"rm", "user", "runner"});
  EXPECT_EQ(ok({"volume", "rm", "data", "busy"}), "data\nbusy");
  EXPECT_TRUE(volume_names().empty());
}

TEST_F(volumes, prune_removes_only_unused_anonymous_volumes_unless_all) {
  ok({"volume", "create", "keep-named"});
  ok({"volume", "create", "--label", "a=b", "lab-named"});
  // Mount options: dockerd's prune skips such volumes even with --all.
  ok({"volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "tmpfs-named"});
  // An unused anonymous volume with 1 MiB in it.
  ok({"run", "--name", "t1", "-v", "/d", "busybox", "dd", "if=/dev/zero", "of=/d/z", "bs=1M",
      "count=1"});
  auto unused = str(mounts_of("t1")["/d"]["Name"]);
  ok({"rm", "t1"});
  // An unused anonymous volume labelled a=b.
  ok({"run", "--name", "t2", "--mount", "type=volume,dst=/l,volume-label=a=b", "busybox", "true"});
  auto labelled = str(mounts_of("t2")["/l"]["Name"]);
  ok({"rm", "t2"});
  // Anonymous and named volumes of a stopped container: in use.
  ok({"run", "--name", "stopped", "-v", "/d", "-v", "used-named:/u", "busybox", "true"});
  auto in_use = str(mounts_of("stopped")["/d"]["Name"]);
  ASSERT_TRUE(is_hex64(unused) && is_hex64(labelled) && is_hex64(in_use));

  // Only anonymous ones with the label.
  auto by_label = ok({"volume", "prune", "-f", "--filter", "label=a=b"});
  EXPECT_EQ(by_label, "Deleted Volumes:\n" + labelled + "\n\nTotal reclaimed space: 0B");
  EXPECT_TRUE(volume_names().count("lab-named"));

  auto pruned = ok({"volume", "prune", "-f"});
  EXPECT_EQ(pruned, "Deleted Volumes:\n" + unused + "\n\nTotal reclaimed space: 1.049MB");
  EXPECT_EQ(volume_names(), (std::set<std::string>{"keep-named", "lab-named", "tmpfs-named",
                                                   "used-named", in_use}));
  EXPECT_EQ(ok({"volume", "prune", "-f"}), "Total reclaimed space: 0B");

  // --all: named ones too, the label filter still applies.
  EXPECT_EQ(ok({"volume", "prune", "-a", "-f", "--filter", "label=a=b"}),
            "Deleted Volumes:\nlab-named\n\nTotal reclaimed space: 0B");
  EXPECT_EQ(ok({"volume", "prune", "-a", "-f"}),
            "Deleted Volumes:\nkeep-named\n\nTotal reclaimed space: 0B");
  EXPECT_EQ(volume_names(), (std::set<std::string>{"tmpfs-named", "used-named", in_use}))
      << "nothing in use is pruned";

  // Once the container is gone its volumes can go too.
  ok({"rm", "stopped"});
  auto rest = lines_of(ok({"volume", "prune", "-a", "-f"}));
  EXPECT_EQ(std::set<std::string>(rest.begin(), rest.end()),
            (std::set<std::string>{"Deleted Volumes:", "used-named", in_use,
                                   "Total reclaimed space: 0B"}));
  EXPECT_EQ(volume_names(), std::set<std::string>{"tmpfs-named"});
  auto bad = docker({"volume", "prune", "-f", "--filter", "dangling=true"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("invalid filter 'dangling'"));
}

// ---- listing and disk usage ---------------------------------------------------------------------

TEST_F(volumes, ls_filters_like_dockerd) {
  ok({"volume", "create", "--label", "a=x", "data"});
  ok({"volume", "create", "--label", "a", "other"});
  ok({"volume", "create", "spare"});
  ok({"create", "--name", "user", "-v", "data:/d", "-v", "/anon", "busybox", "true"});
  auto anon = str(mounts_of("user")["/anon"]["Name"]);
  ASSERT_TRUE(is_hex64(anon));

  EXPECT_EQ(volume_names({"name=dat"}), std::set<std::string>{"data"}); // substring match
  EXPECT_EQ(volume_names({"name=^o"}), std::set<std::string>{"other"}); // a regular expression
  EXPECT_EQ(volume_names({"dangling=true"}), (std::set<std::string>{"other", "spare"}));
  EXPECT_EQ(volume_names({"dangling=false"}), (std::set<std::string>{"data", anon}));
  EXPECT_EQ(volume_names({"driver=local"}).size(), 4U);
  EXPECT_TRUE(volume_names({"driver=nosuch"}).empty());
  EXPECT_EQ(volume_names({"label=a"}), (std::set<std::string>{"data", "other"}));
  EXPECT_EQ(volume_names({"label=a=x"}), std::set<std::string>{"data"});
  EXPECT_EQ(volume_names({"label=com.docker.volume.anonymous"}), std::set<std::string>{anon});
  EXPECT_EQ(volume_names({"dangling=false", "label=a"}), std::set<std::string>{"data"});
  EXPECT_EQ(ok({"volume", "ls", "--format", "{{.Name}} {{.Labels}}", "--filter", "name=spare"}),
            "spare"); // no labels
  auto table = ok({"volume", "ls", "--filter", "name=data"});
  EXPECT_EQ(lines_of(table).size(), 2U) << table;
  EXPECT_EQ(row_starting_with(table, "local"), (std::vector<std::string>{"local", "data"}));
  auto bad = docker({"volume", "ls", "--filter", "colour=red"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err, HasSubstr("invalid filter 'colour'"));
}

TEST_F(volumes, system_df_lists_volumes_with_links_and_sizes) {
  ok({"run", "--name", "writer", "-v", "big:/d", "busybox", "dd", "if=/dev/zero", "of=/d/blob",
      "bs=1M", "count=1"});
  ok({"create", "--name", "w2", "-v", "big:/e", "busybox", "true"});
  ok({"volume", "create", "idle"});

  auto verbose = ok({"system", "df", "-v"});
  EXPECT_THAT(verbose, HasSubstr("Local Volumes space usage:\n\nVOLUME NAME"));
  EXPECT_EQ(row_starting_with(verbose, "big"), (std::vector<std::string>{"big", "2", "1.049MB"}))
      << verbose;
  EXPECT_EQ(row_starting_with(verbose, "idle"), (std::vector<std::string>{"idle", "0", "0B"}))
      << verbose;

  auto df = json::parse(daemon_.curl({"http://d/system/df"}).out, nullptr, false);
  ASSERT_TRUE(df.contains("Volumes") && df["Volumes"].is_array()) << df.dump();
  std::map<std::string, json> usage;
  for (const auto& v : df["Volumes"])
    usage[str(v.value("Name", json()))] = v.value("UsageData", json());
  EXPECT_EQ(usage["big"], json({{"Size", 1 << 20}, {"RefCount", 2}}));
  EXPECT_EQ(usage["idle"], json({{"Size", 0}, {"RefCount", 0}}));
  EXPECT_THAT(ok({"system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}"}),
              HasSubstr("Local Volumes 2 1"));
}

// ---- events -------------------------------------------------------------------------------------

TEST_F(volumes, volume_actions_emit_dockerd_events) {
  auto since = unix_now();
  ok({"volume", "create", "ev"});
  auto id = ok({"run", "-d", "--name", "evc", "-v", "ev:/d", "busybox", "true"});
  EXPECT_EQ(ok({"wait", "evc"}), "0");
  ok({"rm", "evc"});
  ok({"volume", "rm", "ev"});
  ok({"run", "--rm", "-v", "/anon", "busybox", "true"});

  std::vector<json> events;
  for (const auto& line : events_since(since, {"type=volume"}, "{{json .}}")) {
    auto event = json::parse(line, nullptr, false);
    if (event.is_object()) events.push_back(event);
  }
  std::vector<std::string> seen;
  for (auto& e : events)
    seen.push_back(str(e["Type"]) + " " + str(e["Action"]) + " " + str(e["Actor"]["ID"]));
  ASSERT_EQ(seen.size(), 8U) << ::testing::PrintToString(seen);
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + 4),
            (std::vector<std::string>{"volume create ev", "volume mount ev", "volume unmount ev",
                                      "volume destroy ev"}));
  auto anon = seen[4].substr(seen[4].rfind(' ') + 1);
  EXPECT_TRUE(is_hex64(anon)) << seen[4];
  EXPECT_EQ(std::vector<std::string>(seen.begin() + 4, seen.end()),
            (std::vector<std::string>{"volume create " + anon, "volume mount " + anon,
                                      "volume unmount " + anon, "volume destroy " + anon}));

  // The attributes dockerd 28 gives each action.
  EXPECT_EQ(events[0]["Actor"]["Attributes"], json({{"driver", "local"}}));
  EXPECT_EQ(events[1]["Actor"]["Attributes"], json({{"container", id},
                                                    {"destination", "/d"},
                                                    {"driver", "local"},
                                                    {"propagation", ""},
                                                    {"read/write", "true"}}));
  EXPECT_EQ(events[2]["Actor"]["Attributes"], json({{"container", id}, {"driver", "local"}}));
  EXPECT_EQ(events[3]["Actor"]["Attributes"], json({{"driver", "local"}}));
  EXPECT_EQ(str(events[5]["Actor"]["Attributes"]["destination"]), "/anon");
  EXPECT_EQ(str(events[0]["scope"]), "local");

  // A prune reports what it reclaimed (and names no volume).
  auto before_prune = unix_now();
  ok({"volume", "prune", "-f"});
  EXPECT_EQ(events_since(before_prune, {"type=volume", "event=prune"},
                         "{{.Action}} [{{.Actor.ID}}] {{json .Actor.Attributes}}"),
            std::vector<std::string>{R"(prune [] {"reclaimed":"0"})"});
}

// ---- symlinks in images and containers ----------------------------------------------------------

// Mount targets that are symlinks out of the container: in the image, two absolute links to /etc
// and a relative one (layers cannot hold links that climb above their root: dockerd's unpacker
// and Berth's refuse them as breakouts). A runtime that resolved such a target on the host,
// outside the container's root, would mount onto the host's own /etc.
class volumes_with_links : public volumes {
 protected:
  void SetUp() override {
    volumes::SetUp();
    if (HasFatalFailure()) return;
    etc_before_ = snapshot_etc();
    ASSERT_FALSE(etc_before_.names.empty());
    make_image("links:1", {{.type = "symlink", .path = "etc-link", .data = "/etc"},
                           {.type = "symlink", .path = "target", .data = "/etc/"},
                           {.type = "dir", .path = "a/"},
                           {.type = "dir", .path = "a/b/"},
                           {.type = "symlink", .path = "a/b/rel", .data = "../../etc"}});
  }

  void TearDown() override { repair_etc(); }

  // Checks that the host's /etc is as it was; when a mount landed on it, takes it off again (the
  // machine is shared), so that a failure here does not break everything else.
  void expect_etc_untouched(const std::string& where) {
    auto now = snapshot_etc();
    EXPECT_EQ(now, etc_before_) << where << " changed the host's /etc";
    if (now.mounts != etc_before_.mounts) repair_etc();
  }

  void repair_etc() {
    auto now = mounts_below("/etc");
    std::vector<std::string> extra;
    std::set_difference(now.begin(), now.end(), etc_before_.mounts.begin(),
                        etc_before_.mounts.end(), std::back_inserter(extra));
    std::sort(extra.begin(), extra.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& point : extra)
      (void)::umount2(point.c_str(), MNT_DETACH); // the topmost mount there: the new one
  }

  const std::vector<std::string> links_{"/etc-link", "/target", "/a/b/rel"};
  etc_snapshot etc_before_;
};

TEST_F(volumes_with_links, symlinked_targets_never_reach_the_hosts_etc) {
  auto host = host_dir("bindsrc");
  int n = 0;
  for (const auto& link : links_) {
    for (const std::string kind : {"bind", "volume", "tmpfs"}) {
      ++n;
      auto token = "probe-" + daemon_.network_prefix + "-" + std::to_string(n);
      auto volume = "vol" + std::to_string(n);
      std::vector<std::string> args{"run", "--rm"};
      if (kind == "bind") args.insert(args.end(), {"-v", host + ":" + link});
      if (kind == "volume") args.insert(args.end(), {"-v", volume + ":" + link});
      if (kind == "tmpfs") args.insert(args.end(), {"--tmpfs", link});
      args.insert(args.end(),
                  {"links:1", "sh", "-c",
                   "echo " + token + " > " + link + "/" + token + " && cat /etc/" + token});
      auto r = docker(args);
      auto where = kind + " on " + link;
      EXPECT_FALSE(fs::exists("/etc/" + token)) << where << " wrote into the host's /etc";
      (void)::unlink(("/etc/" + token).c_str()); // in case it did
      expect_etc_untouched(where);
      if (r.exit_code != 0) {
        // Refusing the mount is acceptable, as long as it is a clean refusal.
        EXPECT_FALSE(r.err.empty()) << where;
        EXPECT_TRUE(container_ids().empty()) << where;
        continue;
      }
      // dockerd (runc) resolves the target inside the rootfs: the mount covers the container's
      // own /etc, and the write lands in the mount's source.
      EXPECT_EQ(trim(r.out), token) << where;
      if (kind == "bind") {
        EXPECT_EQ(read_text(host + "/" + token), token) << where;
      } else if (kind == "volume") {
        auto data = mountpoint(volume);
        EXPECT_EQ(read_text(data + "/" + token), token) << where;
        // The copy-up read the container's /etc, never the host's.
        auto copied = dir_names(data);
        EXPECT_EQ(copied.count("shadow"), 0U) << where;
        EXPECT_EQ(copied.count("debian_version"), 0U) << where;
        EXPECT_EQ(copied.count("passwd"), 1U) << where << ": the image's /etc was copied";
      }
    }
  }
}

TEST_F(volumes_with_links, no_mount_appears_on_the_hosts_etc_while_containers_run) {
  auto host = host_dir("bindsrc");
  ok({"run", "-d", "--name", "hold-bind", "-v", host + ":/etc-link", "links:1", "sleep", "100"});
  ok({"run", "-d", "--name", "hold-volume", "-v", "vol:/a/b/rel", "links:1", "sleep", "100"});
  ok({"run", "-d", "--name", "hold-tmpfs", "--tmpfs", "/target", "links:1", "sleep", "100"});
  expect_etc_untouched("running containers");
  ok({"rm", "-f", "hold-bind", "hold-volume", "hold-tmpfs"});
  expect_etc_untouched("removed containers");
}

// The container itself swaps a directory on its mount target's path for a symlink to the host's
// /etc (an absolute link climbing above its root, made at run time in its own writable layer),
// then is started again: the mounts are set up anew through that link.
TEST_F(volumes_with_links, symlinks_made_by_the_container_cannot_redirect_its_mounts) {
  auto host = host_dir("bindsrc");
  auto token = "probe-" + daemon_.network_prefix;
  // First start: /m/<token> is the mount; move /m away and leave a link in its place.
  // Second start: write through the link.
  auto script = "if [ -L /m ]; then echo second > /m/" + token + "/f && cat /etc/" + token +
                "/f; else mv /m /m.old && ln -s /../../../../../../../../etc /m && echo first; fi";
  struct variant {
    std::string name;
    std::vector<std::string> mount;
  };
  for (const auto& v : std::vector<variant>{{"bind", {"-v", host + ":/m/" + token}},
                                            {"volume", {"-v", "swapped:/m/" + token}},
                                            {"tmpfs", {"--tmpfs", "/m/" + token}}}) {
    std::vector<std::string> create{"create", "--name", "swap-" + v.name};
    create.insert(create.end(), v.mount.begin(), v.mount.end());
    create.insert(create.end(), {"busybox", "sh", "-c", script});
    ok(create);
    EXPECT_EQ(ok({"start", "-a", "swap-" + v.name}), "first") << v.name;
    auto second = docker({"start", "-a", "swap-" + v.name});
    EXPECT_FALSE(fs::exists("/etc/" + token)) << v.name << " reached the host's /etc";
    expect_etc_untouched(v.name + " after the swap");
    if (fs::exists("/etc/" + token)) (void)fs::remove_all("/etc/" + token); // repaired
    if (second.exit_code == 0) {
      EXPECT_EQ(trim(second.out), "second") << v.name;
      if (v.name == "bind") {
        EXPECT_EQ(read_text(host + "/f"), "second");
      } else if (v.name == "volume") {
        EXPECT_EQ(read_text(mountpoint("swapped") + "/f"), "second");
      }
    } else {
      EXPECT_FALSE(second.err.empty()) << v.name; // a clean refusal is acceptable
    }
    ok({"rm", "-f", "swap-" + v.name});
  }
}

TEST_F(volumes, volume_names_cannot_leave_the_volumes_directory) {
  auto before = snapshot_etc();
  EXPECT_THAT(fails({"volume", "create", "../../etc"}),
              HasSubstr(invalid_name_message("../../etc")));
  // Through the API (the CLI would turn a "./"-relative -v or --mount source into a bind).
  for (const auto& host_config :
       {R"({"Mounts":[{"Type":"volume","Source":"../../etc","Target":"/x"}]})",
        R"({"Binds":["../../etc:/x"]})"}) {
    auto r = daemon_.curl({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                           std::string(R"({"Image":"busybox","HostConfig":)") + host_config + "}",
                           "-w", "\n%{http_code}", "http://d/containers/create"});
    EXPECT_THAT(r.out, HasSubstr("\n400")) << host_config << ": " << r.out;
    EXPECT_THAT(r.out, HasSubstr("includes invalid characters for a local volume name")) << r.out;
  }
  EXPECT_TRUE(volume_names().empty());
  EXPECT_TRUE(container_ids().empty());
  EXPECT_FALSE(fs::exists(daemon_.data_root + "/etc"));
  EXPECT_FALSE(fs::exists(daemon_.root + "/etc"));
  EXPECT_EQ(snapshot_etc(), before);
}

// ---- bad input ----------------------------------------------------------------------------------

TEST_F(volumes, bad_input_is_refused_and_creates_nothing) {
  ok({"volume", "create", "existing"});
  auto listed = ok({"volume", "ls"});
  struct refused {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<refused> cases = {
      {{"volume", "create", "bad/name"}, invalid_name_message("bad/name")},
      {{"volume", "create", "x"},
       "create x: volume name is too short, names should be at least two alphanumeric characters"},
      {{"volume", "create", "-d", "nosuch", "v"},
       "create v: error looking up volume plugin nosuch: plugin \"nosuch\" not found"},
      {{"volume", "create", "--opt", "foo=bar", "v"}, "create v: invalid option: \"foo\""},
      {{"volume", "create", "--opt", "type=tmpfs", "v"},
       "create v: missing required option: \"device\""},
      {{"volume", "inspect", "nope"}, "no such volume"},
      {{"run", "--rm", "--mount", "type=volume,src=bad/name,dst=/x", "busybox", "true"},
       invalid_name_message("bad/name")},
      {{"run", "--rm", "-v", "/etc/passwd", "busybox", "true"},
       "cannot mount volume over existing file, file exists"},
      {{"run", "--rm", "-v", "data:/", "busybox", "true"},
       "invalid specification: destination can't be '/'"},
      {{"run", "--rm", "--volumes-from", "nosuch", "busybox", "true"}, "No such container: nosuch"},
      {{"run", "--rm", "--mount", "type=tmpfs,src=x,dst=/t", "busybox", "true"},
       "invalid mount config for type \"tmpfs\": field Source must not be specified"},
  };
  for (const auto& c : cases) {
    auto r = docker(c.args);
    auto what = c.args.at(0) + " " + c.args.at(1) + " " + c.args.at(2);
    EXPECT_NE(r.exit_code, 0) << what;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << what;
    EXPECT_EQ(ok({"volume", "ls"}), listed) << what;
  }

  auto api = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all{"-w", "\n%{http_code}"};
    all.insert(all.end(), args.begin(), args.end());
    return daemon_.curl(all).out;
  };
  auto missing = api({"http://d/volumes/nope"});
  EXPECT_THAT(missing, HasSubstr("\n404")) << missing;
  EXPECT_THAT(missing, HasSubstr(R"({"message":"get nope: no such volume"})")) << missing;
  auto garbage = api({"-X", "POST", "-H", "Content-Type: application/json", "-d", "{not json",
                      "http://d/volumes/create"});
  EXPECT_THAT(garbage, HasSubstr("\n400")) << garbage;
  EXPECT_THAT(garbage, HasSubstr("\"message\"")) << garbage;
  auto typed = api({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                    R"({"Name":"typed","Labels":"not-a-map"})", "http://d/volumes/create"});
  EXPECT_THAT(typed, HasSubstr("\n400")) << typed;
  auto bad_name = api({"-X", "POST", "-H", "Content-Type: application/json", "-d",
                       R"({"Name":"bad/name"})", "http://d/volumes/create"});
  EXPECT_THAT(bad_name, HasSubstr("\n400")) << bad_name;
  auto bad_filter = api({"http://d/volumes?filters=%7Bnot"});
  EXPECT_THAT(bad_filter, HasSubstr("\n400")) << bad_filter;
  EXPECT_EQ(ok({"volume", "ls"}), listed);
  EXPECT_TRUE(container_ids().empty());
  EXPECT_EQ(dir_names(daemon_.data_root + "/volumes").count("v"), 0U);
}

// ---- what is left on the host -------------------------------------------------------------------

TEST_F(volumes, nothing_is_left_after_containers_and_volumes_are_removed) {
  auto baseline = mounts_below(daemon_.data_root);
  auto device = host_dir("device");
  auto bind = host_dir("bind");
  ok({"volume", "create", "--opt", "type=tmpfs", "--opt", "device=tmpfs", "tv"});
  ok({"volume", "create", "--opt", "type=none", "--opt", "o=bind", "--opt", "device=" + device,
      "bv"});
  auto id = ok({"run",     "-d",
                "--name",  "everything",
                "-v",      "data:/d",
                "-v",      "/anon",
                "-v",      "tv:/t",
                "-v",      "bv:/b",
                "-v",      bind + ":/h",
                "--tmpfs", "/run",
                "--mount", "type=tmpfs,dst=/mt",
                "busybox", "sh",
                "-c",      "echo kept > /b/f; echo ready; " + polite_loop});
  ASSERT_TRUE(wait_for_log("everything", "ready"));
  EXPECT_EQ(fstype_at(mountpoint("tv")), "tmpfs");
  EXPECT_NE(fstype_at(mountpoint("bv")), "");
  ok({"run", "--rm", "--volumes-from", "everything", "busybox", "true"});

  ok({"rm", "-f", "-v", "everything"});
  EXPECT_EQ(volume_names(), (std::set<std::string>{"data", "tv", "bv"}));
  ok({"volume", "rm", "data", "tv", "bv"});
  EXPECT_TRUE(volume_names().empty());

  EXPECT_EQ(mounts_below(daemon_.data_root), baseline);
  for (const auto& m : host_mounts())
    EXPECT_EQ(m.point.find(id), std::string::npos) << m.point;
  // dockerd keeps only its metadata database there once the volumes are gone.
  for (const auto& name : dir_names(daemon_.data_root + "/volumes"))
    EXPECT_FALSE(fs::is_directory(daemon_.data_root + "/volumes/" + name)) << name;
  // Volume removal never reaches into a bind device or a bind source.
  EXPECT_EQ(read_text(device + "/f"), "kept");
  EXPECT_TRUE(fs::is_directory(bind));
}
