// Integration tests of docker cp with the real docker CLI against a real berthd: files,
// directories (with and without a trailing "/."), symlinks (-L), archive mode (-a), running and
// stopped containers (with a volume), `docker cp web:/etc/passwd -`, the /out -> / escape of
// CVE-2018-15664 (the copy stays in the container), bad input, and the archive events.
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "process.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

class cp : public daemon_test {
 protected:
  void SetUp() override {
    daemon_test::SetUp();
    char tmpl[] = "/tmp/berth-cp-it-XXXXXX";
    host_ = ::mkdtemp(tmpl);
    write(host_ + "/f.txt", "hello\n");
    fs::create_directories(host_ + "/d/sub");
    write(host_ + "/d/a", "A\n");
    write(host_ + "/d/sub/b", "B\n");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(host_, ec);
    daemon_test::TearDown();
  }

  static void write(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good()) << path;
  }

  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  void run_web(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"run", "-d", "--name", "web"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"busybox", "sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"});
    ok(args);
  }

  std::string in(const std::string& container, const std::string& script) {
    return ok({"exec", container, "sh", "-c", script});
  }

  /// HTTP status and body of a curl to the daemon.
  std::pair<std::string, std::string> http(std::vector<std::string> args) {
    args.insert(args.begin(), {"-s", "-w", "\n%{http_code}"});
    auto r = daemon_.curl(args);
    auto cut = r.out.rfind('\n');
    if (cut == std::string::npos) return {r.out, ""};
    return {r.out.substr(cut + 1), r.out.substr(0, cut)};
  }

  std::string host_;
};

} // namespace

TEST_F(cp, files_and_directories_both_ways_on_a_running_container) {
  run_web({"-v", "webvol:/vol"});
  ok({"cp", host_ + "/f.txt", "web:/tmp/"});
  EXPECT_EQ(in("web", "cat /tmp/f.txt"), "hello");
  ok({"cp", host_ + "/f.txt", "web:/tmp/renamed"});
  EXPECT_EQ(in("web", "cat /tmp/renamed"), "hello");
  // A directory: copied under its name, or as the new name when the target does not exist.
  ok({"cp", host_ + "/d", "web:/tmp/"});
  EXPECT_EQ(in("web", "cat /tmp/d/a /tmp/d/sub/b"), "A\nB");
  ok({"cp", host_ + "/d", "web:/tmp/newd"});
  EXPECT_EQ(in("web", "cat /tmp/newd/sub/b"), "B");
  // dir/. copies the contents into an existing directory.
  in("web", "mkdir /tmp/existing");
  ok({"cp", host_ + "/d/.", "web:/tmp/existing"});
  EXPECT_EQ(in("web", "ls /tmp/existing"), "a\nsub");

  // Back out: a file, a directory, a directory's contents.
  ok({"cp", "web:/tmp/f.txt", host_ + "/back.txt"});
  EXPECT_EQ(read(host_ + "/back.txt"), "hello\n");
  ok({"cp", "web:/tmp/d", host_ + "/out1"});
  EXPECT_EQ(read(host_ + "/out1/sub/b"), "B\n");
  fs::create_directories(host_ + "/out2");
  ok({"cp", "web:/tmp/d/.", host_ + "/out2"});
  EXPECT_EQ(read(host_ + "/out2/a"), "A\n");
  EXPECT_FALSE(fs::exists(host_ + "/out2/d"));
  ok({"cp", "web:/tmp/d", host_ + "/out2"});
  EXPECT_EQ(read(host_ + "/out2/d/a"), "A\n");
  ok({"cp", "web:/etc/passwd", host_ + "/passwd"});
  EXPECT_NE(read(host_ + "/passwd").find("root:x:0:0"), std::string::npos);
  // A volume of the running container, seen through its own mounts.
  ok({"cp", host_ + "/f.txt", "web:/vol/"});
  EXPECT_EQ(ok({"run", "--rm", "-v", "webvol:/v", "busybox", "cat", "/v/f.txt"}), "hello");
  ok({"cp", "web:/vol/f.txt", host_ + "/from-vol"});
  EXPECT_EQ(read(host_ + "/from-vol"), "hello\n");
}

TEST_F(cp, symlinks_are_copied_as_symlinks_and_followed_with_L) {
  run_web();
  in("web", "ln -s /etc/passwd /tmp/lnk");
  ok({"cp", "web:/tmp/lnk", host_ + "/l1"});
  EXPECT_TRUE(fs::is_symlink(host_ + "/l1"));
  EXPECT_EQ(fs::read_symlink(host_ + "/l1"), "/etc/passwd");
  ok({"cp", "-L", "web:/tmp/lnk", host_ + "/l2"});
  EXPECT_FALSE(fs::is_symlink(host_ + "/l2"));
  EXPECT_NE(read(host_ + "/l2").find("root:x:0:0"), std::string::npos);
  // Host to container: the link itself, or (-L) what it points at.
  fs::create_symlink("f.txt", host_ + "/s");
  ok({"cp", host_ + "/s", "web:/tmp/"});
  EXPECT_EQ(in("web", "readlink /tmp/s"), "f.txt");
  ok({"cp", "-L", host_ + "/s", "web:/tmp/sfollowed"});
  EXPECT_EQ(in("web", "cat /tmp/sfollowed"), "hello");
}

TEST_F(cp, archive_mode_gives_the_containers_user) {
  ASSERT_EQ(::chown((host_ + "/f.txt").c_str(), 4242, 4343), 0);
  run_web();
  ok({"run", "-d", "--name", "asuser", "--user", "user", "busybox", "sleep", "1000"});
  // Without -a the tar's owners stay; with -a on a container running as `user`, that user owns
  // the files (dockerd's copyUIDGID); without a configured user, -a keeps the tar's owners.
  ok({"cp", host_ + "/f.txt", "asuser:/tmp/plain"});
  EXPECT_EQ(in("asuser", "stat -c %u:%g /tmp/plain"), "4242:4343");
  ok({"cp", "-a", host_ + "/f.txt", "asuser:/tmp/archived"});
  EXPECT_EQ(in("asuser", "stat -c %u:%g /tmp/archived"), "1000:1000");
  ok({"cp", "-a", host_ + "/f.txt", "web:/tmp/archived"});
  EXPECT_EQ(in("web", "stat -c %u:%g /tmp/archived"), "4242:4343");
}

TEST_F(cp, stopped_containers_with_a_volume) {
  ok({"create", "--name", "st", "-v", "cpvol:/data", "busybox", "cat", "/tmp/f.txt", "/data/a"});
  ok({"cp", host_ + "/f.txt", "st:/tmp/"});
  ok({"cp", host_ + "/d/a", "st:/data/"});
  auto started = docker({"start", "-a", "st"});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  EXPECT_EQ(started.out, "hello\nA\n");
  // Exited: out again, from the layer and from the volume.
  ok({"cp", "st:/tmp/f.txt", host_ + "/from-stopped"});
  EXPECT_EQ(read(host_ + "/from-stopped"), "hello\n");
  ok({"cp", "st:/data/a", host_ + "/from-volume"});
  EXPECT_EQ(read(host_ + "/from-volume"), "A\n");
  // The view was private and is gone: the container starts again, and removes cleanly.
  auto again = docker({"start", "-a", "st"});
  EXPECT_EQ(again.out, "hello\nA\n") << again.err;
  ok({"rm", "st"});
  ok({"volume", "rm", "cpvol"});
}

TEST_F(cp, a_stopped_containers_binds_mount_parents_first) {
  // The --mount target "/data/" is the parent of -v's "/data/sub": it is mounted first, or it
  // would hide the child (dockerd counts the depth of the cleaned path).
  fs::create_directories(host_ + "/parent");
  fs::create_directories(host_ + "/child");
  write(host_ + "/child/c.txt", "child\n");
  ok({"create", "--name", "nested", "-v", host_ + "/child:/data/sub", "--mount",
      "type=bind,source=" + host_ + "/parent,target=/data/", "busybox", "true"});
  ok({"cp", "nested:/data/sub/c.txt", host_ + "/out.txt"});
  EXPECT_EQ(read(host_ + "/out.txt"), "child\n");
  ok({"rm", "nested"});
}

TEST_F(cp, to_stdout_is_a_tar) {
  run_web();
  auto r = berth::test::run({"sh", "-c", "docker cp web:/etc/passwd - | tar t"},
                            {.env = daemon_.docker_env()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(trim(r.out), "passwd");
  auto tree =
      berth::test::run({"sh", "-c", "docker cp web:/etc - | tar t"}, {.env = daemon_.docker_env()});
  auto names = lines_of(tree.out);
  EXPECT_NE(std::find(names.begin(), names.end(), "etc/passwd"), names.end()) << tree.out;
}

TEST_F(cp, a_symlink_to_the_root_keeps_the_copy_in_the_container) {
  // CVE-2018-15664's shape: the container makes /out point at "/"; the copy must land in the
  // container's own root, never in the host's.
  auto name =
      "berth-cp-escape-" + std::to_string(::getpid()) + "-" + std::to_string(::time(nullptr));
  write(host_ + "/" + name, "escaped?\n");
  ASSERT_FALSE(fs::exists("/" + name));
  run_web();
  in("web", "ln -s / /out");
  ok({"cp", host_ + "/" + name, "web:/out/"});
  EXPECT_FALSE(fs::exists("/" + name)) << "docker cp wrote on the host";
  EXPECT_EQ(in("web", "cat /" + name), "escaped?");
  // Out through the link: the container's files, not the host's.
  ok({"cp", "web:/out/etc/os-release", host_ + "/os-release"});
  EXPECT_NE(read(host_ + "/os-release").find("Berth test busybox"), std::string::npos);
  // The same on a stopped container.
  ok({"stop", "-t", "1", "web"});
  auto second = name + "-stopped";
  write(host_ + "/" + second, "stopped\n");
  ok({"cp", host_ + "/" + second, "web:/out/"});
  EXPECT_FALSE(fs::exists("/" + second)) << "docker cp wrote on the host";
  ok({"cp", "web:/" + second, host_ + "/back"});
  EXPECT_EQ(read(host_ + "/back"), "stopped\n");
  std::error_code ec;
  fs::remove("/" + name, ec);
  fs::remove("/" + second, ec);
}

TEST_F(cp, stat_header_and_errors_like_dockerd) {
  run_web();
  auto head = daemon_.curl({"-s", "-I", "http://d/containers/web/archive?path=/etc/passwd"});
  EXPECT_NE(head.out.find("200"), std::string::npos) << head.out;
  auto header_at = head.out.find("X-Docker-Container-Path-Stat: ");
  ASSERT_NE(header_at, std::string::npos) << head.out;
  auto value =
      trim(head.out.substr(header_at + 30, head.out.find('\n', header_at) - header_at - 30));
  auto decoded = berth::test::run({"base64", "-d"}, {.stdin_data = value});
  auto stat = json::parse(decoded.out);
  EXPECT_EQ(stat["name"], "passwd");
  EXPECT_EQ(stat["mode"], 0644);
  EXPECT_GT(stat["size"].get<int64_t>(), 0);
  EXPECT_EQ(stat["linkTarget"], "");
  auto dir = daemon_.curl({"-s", "-I", "http://d/containers/web/archive?path=/tmp"});
  auto dir_value = dir.out.substr(dir.out.find("X-Docker-Container-Path-Stat: ") + 30);
  dir_value = trim(dir_value.substr(0, dir_value.find('\n')));
  auto dir_stat = json::parse(berth::test::run({"base64", "-d"}, {.stdin_data = dir_value}).out);
  EXPECT_EQ(dir_stat["mode"].get<uint32_t>(), (1u << 31) | (1u << 20) | 0777u);

  // A missing path: 404 with dockerd's message, also through the CLI.
  auto [missing_status, missing_body] = http({"http://d/containers/web/archive?path=/nope"});
  EXPECT_EQ(missing_status, "404");
  EXPECT_EQ(json::parse(missing_body)["message"], "Could not find the file /nope in container web");
  auto [head_status, head_body] = http({"-I", "http://d/containers/web/archive?path=/nope"});
  EXPECT_NE(head_body.find("404"), std::string::npos) << head_body;
  auto cli = docker({"cp", "web:/nope", host_ + "/x"});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE(cli.err.find("/nope"), std::string::npos) << cli.err;
  auto into_missing = docker({"cp", host_ + "/f.txt", "web:/no/such/dir/"});
  EXPECT_NE(into_missing.exit_code, 0);
  // No path; an unknown container.
  auto [no_path, no_path_body] = http({"http://d/containers/web/archive"});
  EXPECT_EQ(no_path, "400");
  auto [unknown, unknown_body] = http({"http://d/containers/nosuch/archive?path=/"});
  EXPECT_EQ(unknown, "404");
  EXPECT_NE(unknown_body.find("No such container: nosuch"), std::string::npos) << unknown_body;
  auto cli_unknown = docker({"cp", host_ + "/f.txt", "nosuch:/tmp/f.txt"});
  EXPECT_NE(cli_unknown.exit_code, 0);
  EXPECT_NE(cli_unknown.err.find("No such container"), std::string::npos) << cli_unknown.err;
  auto cli_unknown_out = docker({"cp", "nosuch:/etc/passwd", host_ + "/pw"});
  EXPECT_NE(cli_unknown_out.exit_code, 0);
  EXPECT_NE(cli_unknown_out.err.find("No such container"), std::string::npos)
      << cli_unknown_out.err;
}

TEST_F(cp, a_malformed_tar_is_refused_and_changes_nothing) {
  run_web();
  auto before = in("web", "ls -a /tmp");
  write(host_ + "/garbage", std::string(10000, 'G'));
  auto [status, body] =
      http({"-X", "PUT", "-H", "Content-Type: application/x-tar", "--data-binary",
            "@" + host_ + "/garbage", "http://d/containers/web/archive?path=/tmp"});
  EXPECT_EQ(status, "400") << body;
  EXPECT_EQ(in("web", "ls -a /tmp"), before);
  // Not a directory; a read-only root filesystem.
  auto [file_status, file_body] = http({"-X", "PUT", "--data-binary", "@" + host_ + "/garbage",
                                        "http://d/containers/web/archive?path=/etc/passwd"});
  EXPECT_EQ(file_status, "400");
  EXPECT_EQ(json::parse(file_body)["message"], "extraction point is not a directory");
  ok({"run", "-d", "--name", "ro", "--read-only", "busybox", "sleep", "1000"});
  auto ro = docker({"cp", host_ + "/f.txt", "ro:/tmp/"});
  EXPECT_NE(ro.exit_code, 0);
  EXPECT_NE(ro.err.find("container rootfs is marked read-only"), std::string::npos) << ro.err;
}

TEST_F(cp, copies_emit_dockerds_events) {
  auto since = unix_now();
  run_web();
  ok({"cp", host_ + "/f.txt", "web:/tmp/"});
  ok({"cp", "web:/tmp/f.txt", host_ + "/again"});
  auto until = std::to_string(std::stoll(unix_now()) + 1);
  auto events = ok({"events", "--since", since, "--until", until, "--filter", "container=web",
                    "--format", "{{.Action}}"});
  auto actions = lines_of(events);
  EXPECT_NE(std::find(actions.begin(), actions.end(), "extract-to-dir"), actions.end()) << events;
  EXPECT_NE(std::find(actions.begin(), actions.end(), "archive-path"), actions.end()) << events;
}

TEST_F(cp, a_start_waits_for_a_copy_out_of_the_stopped_container) {
  // The stopped container's layer is mounted for the copy: its start (which mounts the layer
  // again) waits until the copy is done, as dockerd's container lock makes it wait.
  ok({"create", "--name", "slow", "busybox", "sleep", "1000"});
  auto big = host_ + "/big";
  auto made = berth::test::run({"dd", "if=/dev/urandom", "of=" + big, "bs=1M", "count=40"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ok({"cp", big, "slow:/big"});
  auto tar = host_ + "/big.tar";
  background_process download({"curl", "-s", "--limit-rate", "8M", "--unix-socket",
                               daemon_.socket_path, "-o", tar,
                               "http://d/containers/slow/archive?path=/big"});
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!(fs::exists(tar) && fs::file_size(tar) > 0) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms); // curl's progress has no event to wait on
  ASSERT_TRUE(fs::exists(tar) && fs::file_size(tar) > 0);
  background_process start({"docker", "start", "slow"}, daemon_.docker_env());
  std::this_thread::sleep_for(1500ms); // at 8 MB/s, 32 MB of the copy are still to go
  EXPECT_TRUE(download.running());
  EXPECT_NE(inspect("slow")["State"]["Status"], "running");
  EXPECT_EQ(download.wait(60s), 0);
  EXPECT_EQ(start.wait(60s), 0);
  EXPECT_EQ(inspect("slow")["State"]["Status"], "running");
  auto listed = berth::test::run({"tar", "tvf", tar});
  EXPECT_NE(listed.out.find(std::to_string(40 << 20)), std::string::npos) << listed.out;
  ok({"rm", "-f", "slow"});
}

TEST_F(cp, slow_copies_do_not_hold_the_daemons_workers) {
  // More uploads than the blocking pool has workers (16), each at a crawl: every one is under
  // way at once, and the daemon still starts a container meanwhile.
  constexpr int uploads = 20;
  run_web();
  std::string dirs;
  for (int i = 0; i < uploads; ++i)
    dirs += " /tmp/u" + std::to_string(i);
  in("web", "mkdir" + dirs);
  auto upper = inspect("web")["GraphDriver"]["Data"]["UpperDir"].get<std::string>();
  auto made =
      berth::test::run({"dd", "if=/dev/urandom", "of=" + host_ + "/big", "bs=1M", "count=2"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto tarred = berth::test::run({"tar", "cf", host_ + "/big.tar", "-C", host_, "big"});
  ASSERT_EQ(tarred.exit_code, 0) << tarred.err;
  std::vector<std::unique_ptr<background_process>> running;
  for (int i = 0; i < uploads; ++i)
    running.push_back(std::make_unique<background_process>(std::vector<std::string>{
        "curl", "-s", "-o", "/dev/null", "--limit-rate", "16k", "-H", "Expect:", "-X", "PUT", "-T",
        host_ + "/big.tar", "--unix-socket", daemon_.socket_path,
        "http://d/containers/web/archive?path=/tmp/u" + std::to_string(i)}));
  // Each extraction has created its file (2 MiB at 16 kB/s take two minutes to arrive).
  auto under_way = [&] {
    for (int i = 0; i < uploads; ++i)
      if (!fs::exists(upper + "/tmp/u" + std::to_string(i) + "/big")) return false;
    return true;
  };
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (!under_way() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms); // the upper directory has no event to wait on
  ASSERT_TRUE(under_way());
  auto started = docker({"run", "--rm", "busybox", "true"}, {.timeout = 30s});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  for (auto& upload : running)
    EXPECT_TRUE(upload->running());
  running.clear(); // the clients go away: their extractions end with an error
  ok({"rm", "-f", "web"});
}
