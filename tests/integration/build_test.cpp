// Integration tests of `docker build` (the classic POST /build builder) with the real docker CLI
// against a real berthd: every instruction, the stream dockerd prints, the build cache, multi-stage
// builds, .dockerignore, ADD of archives, failures and the context's boundaries.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "process.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

class build : public daemon_test {
 protected:
  void SetUp() override {
    daemon_test::SetUp();
    auto dir = fs::temp_directory_path() / ("berth-build-XXXXXX");
    std::string pattern = dir.string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    context_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(context_, ec);
  }

  void write(const std::string& name, const std::string& text) {
    auto path = fs::path(context_) / name;
    fs::create_directories(path.parent_path());
    std::ofstream{path, std::ios::binary} << text;
  }

  // `docker build` of the context with `args`, the classic builder forced or (legacy = false)
  // DOCKER_BUILDKIT unset (the CLI here has no buildx: it uses the classic API either way).
  command_result docker_build(std::vector<std::string> args, bool legacy = true) {
    std::vector<std::string> argv{"build"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back(context_);
    run_options opts;
    opts.timeout = std::chrono::seconds(120);
    if (legacy) opts.env["DOCKER_BUILDKIT"] = "0";
    return docker(argv, opts);
  }

  std::string build_ok(std::vector<std::string> args, bool legacy = true) {
    auto r = docker_build(std::move(args), legacy);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return r.out;
  }

  static size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1))
      ++n;
    return n;
  }

  std::string context_;
};

TEST_F(build, a_run_and_a_copy_make_an_image_with_the_stream_dockerd_prints) {
  write("Dockerfile", "FROM busybox\nRUN echo hi > /x && echo from-run\nCOPY a.txt /a.txt\n");
  write("a.txt", "hello\n");
  auto out = build_ok({"-t", "bb-app"});
  EXPECT_NE(out.find("Step 1/3 : FROM busybox"), std::string::npos) << out;
  EXPECT_NE(out.find("Step 2/3 : RUN echo hi > /x && echo from-run"), std::string::npos) << out;
  EXPECT_NE(out.find(" ---> Running in "), std::string::npos) << out;
  EXPECT_NE(out.find("from-run"), std::string::npos) << out;
  EXPECT_NE(out.find(" ---> Removed intermediate container "), std::string::npos) << out;
  EXPECT_NE(out.find("Successfully built "), std::string::npos) << out;
  EXPECT_NE(out.find("Successfully tagged bb-app:latest"), std::string::npos) << out;
  EXPECT_EQ(ok({"run", "--rm", "bb-app", "cat", "/x", "/a.txt"}), "hi\nhello");
  EXPECT_EQ(ok({"ps", "-a", "-q"}), "");
}

TEST_F(build, every_instruction_lands_in_the_config_and_the_history) {
  write("Dockerfile", R"(# syntax=docker/dockerfile:1
ARG BASE=busybox
FROM ${BASE} AS base
MAINTAINER someone
LABEL org.example.a="one" b=two
ENV APP=/app GREETING="hello world"
ARG VERSION=1.0
WORKDIR $APP
RUN echo "$GREETING $VERSION" > greeting
COPY --chown=1000:1000 a.txt ./
ADD dir /app/dir/
EXPOSE 8080/tcp 53/udp
VOLUME ["/data"]
USER 1000
SHELL ["/bin/sh", "-c"]
HEALTHCHECK --interval=30s --retries=3 CMD true
STOPSIGNAL SIGINT
ONBUILD RUN echo triggered
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat greeting"]
)");
  write("a.txt", "a\n");
  write("dir/inner.txt", "inner\n");
  build_ok({"-t", "every:1", "--build-arg", "VERSION=2.0"}, false);
  auto img = inspect("every:1", "image");
  const auto& c = img["Config"];
  EXPECT_EQ(c["Cmd"], json::array({"cat greeting"}));
  EXPECT_EQ(c["Entrypoint"], json::array({"/bin/sh", "-c"}));
  EXPECT_EQ(c["WorkingDir"], "/app");
  EXPECT_EQ(c["User"], "1000");
  EXPECT_EQ(c["StopSignal"], "SIGINT");
  EXPECT_TRUE(c["ExposedPorts"].contains("8080/tcp"));
  EXPECT_TRUE(c["ExposedPorts"].contains("53/udp"));
  EXPECT_TRUE(c["Volumes"].contains("/data"));
  EXPECT_EQ(c["Labels"]["org.example.a"], "one");
  EXPECT_EQ(c["Labels"]["b"], "two");
  EXPECT_EQ(c["Healthcheck"]["Test"], json::array({"CMD-SHELL", "true"}));
  EXPECT_EQ(c["Healthcheck"]["Retries"], 3);
  EXPECT_EQ(c["OnBuild"], json::array({"RUN echo triggered"}));
  EXPECT_EQ(img["Author"], "someone");
  bool env_found = false;
  for (const auto& e : c["Env"])
    env_found = env_found || e == "GREETING=hello world";
  EXPECT_TRUE(env_found) << c["Env"];
  EXPECT_EQ(ok({"run", "--rm", "every:1"}), "hello world 2.0");
  EXPECT_EQ(ok({"run", "--rm", "--entrypoint", "", "every:1", "stat", "-c", "%u:%g", "/app/a.txt"}),
            "1000:1000");
  EXPECT_EQ(ok({"run", "--rm", "--entrypoint", "", "every:1", "cat", "/app/dir/inner.txt"}),
            "inner");
  auto history = ok({"history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Size}}", "every:1"});
  EXPECT_NE(history.find("/bin/sh -c #(nop)  CMD [\"cat greeting\"]"), std::string::npos)
      << history;
  EXPECT_NE(history.find("|1 VERSION=2.0 /bin/sh -c echo \"$GREETING $VERSION\" > greeting"),
            std::string::npos)
      << history;
  EXPECT_NE(history.find("/bin/sh -c #(nop) WORKDIR /app"), std::string::npos) << history;
  EXPECT_NE(history.find("/bin/sh -c #(nop) COPY --chown=1000:1000 file:"), std::string::npos)
      << history;

  // The ONBUILD trigger runs in a build FROM the image.
  write("Dockerfile", "FROM every:1\n");
  auto out = build_ok({"-t", "child:1"});
  EXPECT_NE(out.find("# Executing 1 build trigger"), std::string::npos) << out;
  EXPECT_NE(out.find("triggered"), std::string::npos) << out;
}

TEST_F(build, a_rebuild_uses_the_cache_and_a_change_invalidates_from_there) {
  write("Dockerfile", "FROM busybox\nARG V=1\nRUN echo run-$V > /r\nCOPY a.txt /a\nCOPY b.txt /b\n"
                      "RUN cat /a /b > /ab\n");
  write("a.txt", "a\n");
  write("b.txt", "b\n");
  auto first = build_ok({"-t", "cached"});
  EXPECT_EQ(count(first, "Using cache"), 0u) << first;
  auto second = build_ok({"-t", "cached"});
  EXPECT_EQ(count(second, "Using cache"), 5u) << second;
  EXPECT_EQ(count(second, "Running in"), 0u) << second;
  EXPECT_EQ(inspect("cached", "image")["Id"], inspect("cached", "image")["Id"]);

  write("b.txt", "B\n");
  auto third = build_ok({"-t", "cached"});
  EXPECT_EQ(count(third, "Using cache"), 3u) << third; // ARG, RUN, COPY a
  EXPECT_EQ(ok({"run", "--rm", "cached", "cat", "/ab"}), "a\nB");

  auto fourth = build_ok({"-t", "cached", "--build-arg", "V=2"});
  EXPECT_EQ(count(fourth, "Using cache"), 1u) << fourth; // only ARG
  EXPECT_EQ(ok({"run", "--rm", "cached", "cat", "/r"}), "run-2");

  auto nocache = build_ok({"-t", "cached", "--no-cache"});
  EXPECT_EQ(count(nocache, "Using cache"), 0u) << nocache;
}

TEST_F(build, multi_stage_copies_from_a_builder_and_target_stops_there) {
  write("Dockerfile", "FROM busybox AS builder\nRUN echo artefact > /out.txt\n"
                      "FROM busybox\nCOPY --from=builder /out.txt /copied.txt\nCMD [\"cat\", "
                      "\"/copied.txt\"]\n");
  build_ok({"-t", "multi"});
  EXPECT_EQ(ok({"run", "--rm", "multi"}), "artefact");
  auto out = build_ok({"-t", "multi-builder", "--target", "builder"});
  // dockerd counts the steps of the stages it builds only.
  EXPECT_NE(out.find("Step 2/2 : RUN echo artefact"), std::string::npos) << out;
  EXPECT_EQ(ok({"run", "--rm", "multi-builder", "cat", "/out.txt"}), "artefact");
  EXPECT_NE(docker({"run", "--rm", "multi-builder", "test", "-e", "/copied.txt"}).exit_code, 0);
  auto bad = docker_build({"--target", "nope"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("target stage \"nope\" could not be found"), std::string::npos) << bad.err;
  // A stage after the target is not built, and COPY --from may not name it either.
  write("Dockerfile", "FROM busybox AS first\nCOPY --from=second /etc/hostname /x\n"
                      "FROM busybox AS second\n");
  auto later = docker_build({"--target", "first"});
  EXPECT_NE(later.exit_code, 0);
  EXPECT_NE(later.err.find("stage cannot refer to itself or a later stage"), std::string::npos)
      << later.err;
}

TEST_F(build, dockerignore_excludes_files_and_add_extracts_archives) {
  write("Dockerfile", "FROM busybox\nCOPY . /ctx/\nADD archive.tar.gz /x/\n");
  write(".dockerignore", "secret*\n*.log\n!keep.log\n");
  write("secret.txt", "s\n");
  write("debug.log", "d\n");
  write("keep.log", "k\n");
  write("plain.txt", "p\n");
  write("arch/one.txt", "one\n");
  ASSERT_EQ(
      run({"tar", "-czf", context_ + "/archive.tar.gz", "-C", context_ + "/arch", "."}).exit_code,
      0);
  build_ok({"-t", "ignored"});
  auto listing = ok({"run", "--rm", "ignored", "ls", "/ctx"});
  EXPECT_NE(listing.find("plain.txt"), std::string::npos) << listing;
  EXPECT_NE(listing.find("keep.log"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("secret.txt"), std::string::npos) << listing;
  EXPECT_EQ(listing.find("debug.log"), std::string::npos) << listing;
  EXPECT_EQ(ok({"run", "--rm", "ignored", "cat", "/x/one.txt"}), "one");
}

TEST_F(build, a_failing_run_reports_the_step_and_leaves_nothing_behind) {
  write("Dockerfile", "FROM busybox\nRUN echo before-failing && exit 3\n");
  auto before = ok({"images", "-a", "-q"});
  auto r = docker_build({"-t", "failing"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("before-failing"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("The command '/bin/sh -c echo before-failing && exit 3' returned a "
                       "non-zero code: 3"),
            std::string::npos)
      << r.err;
  EXPECT_NE(docker({"image", "inspect", "failing"}).exit_code, 0);
  EXPECT_EQ(ok({"ps", "-a", "-q"}), "");
}

TEST_F(build, a_client_that_leaves_cancels_the_build_and_its_run_container_goes) {
  write("Dockerfile", "FROM busybox\nRUN echo run-$((1 + 1)) && sleep 1000\n");
  auto env = daemon_.docker_env();
  env["DOCKER_BUILDKIT"] = "0";
  background_process client({"docker", "build", context_}, env);
  bool running = false;
  while (auto line = client.read_line(std::chrono::seconds(60)))
    if (line->find("run-2") != std::string::npos) {
      running = true;
      break;
    }
  ASSERT_TRUE(running);
  EXPECT_EQ(lines_of(ok({"ps", "-q"})).size(), 1U);
  client.signal(SIGKILL);
  EXPECT_NE(client.wait(std::chrono::seconds(10)), -1);
  // The RUN's container is removed well before its command would end.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!ok({"ps", "-a", "-q"}).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(ok({"ps", "-a", "-q"}), "");
}

TEST_F(build, bad_dockerfiles_and_sources_are_named) {
  write("Dockerfile", "FROM busybox\nRUN true\nFOO bar\n");
  auto syntax = docker_build({});
  EXPECT_NE(syntax.exit_code, 0);
  EXPECT_NE(syntax.err.find("line 3"), std::string::npos) << syntax.err;

  write("Dockerfile", "FROM busybox\nCOPY missing.txt /\n");
  auto missing = docker_build({});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("missing.txt"), std::string::npos) << missing.err;

  write("Dockerfile", "FROM busybox\nCOPY ../outside /\n");
  auto outside = docker_build({});
  EXPECT_NE(outside.exit_code, 0);
  EXPECT_NE(outside.err.find("outside the build context"), std::string::npos) << outside.err;

  write("Dockerfile", "FROM busybox\nCOPY link /leak\n");
  fs::create_symlink("/etc/shadow", fs::path(context_) / "link");
  auto link = docker_build({"-t", "leak"});
  if (link.exit_code == 0) {
    // Followed inside the context only: never the host's file.
    auto leaked = docker({"run", "--rm", "leak", "cat", "/leak"});
    EXPECT_EQ(leaked.out.find("root:"), std::string::npos) << leaked.out;
  }

  // A remote context is refused by the daemon. Asked through the API: the docker CLI would clone
  // a git URL itself, which means a name lookup off this machine.
  auto remote = daemon_.curl({"-s", "-w", "\n%{http_code}", "-X", "POST",
                              "http://d/build?remote=https://example.invalid/context.tar"});
  EXPECT_NE(remote.out.find("building from a remote context"), std::string::npos) << remote.out;
  EXPECT_EQ(remote.out.substr(remote.out.rfind('\n') + 1), "400") << remote.out;
}

TEST_F(build, quiet_prints_the_id_and_a_build_emits_build_and_tag_events) {
  write("Dockerfile", "FROM busybox\nENV A=b\n");
  auto since = unix_now();
  auto id = trim(build_ok({"-q", "-t", "ev:1"}));
  EXPECT_EQ(id.rfind("sha256:", 0), 0u) << id;
  EXPECT_NE(inspect(id, "image")["Config"]["Env"].dump().find("A=b"), std::string::npos);
  auto until = std::to_string(std::stoll(unix_now()) + 1);
  auto events = lines_of(ok({"events", "--since", since, "--until", until, "--filter", "type=image",
                             "--format", "{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}"}));
  auto built = std::find(events.begin(), events.end(), "build " + id + " ev:1");
  auto tagged = std::find(events.begin(), events.end(), "tag " + id + " ev:1");
  EXPECT_NE(built, events.end()) << testing::PrintToString(events);
  EXPECT_NE(tagged, events.end()) << testing::PrintToString(events);
  EXPECT_LT(built, tagged);
}

TEST_F(build, a_failing_quiet_build_shows_the_steps_and_the_run_output) {
  // dockerd holds a quiet build's output and shows it when the build fails (the CLI on stderr).
  write("Dockerfile", "FROM busybox\nENV A=b\nRUN echo out-$((40 + 2)) && exit 2\n");
  auto r = docker_build({"-q"});
  EXPECT_NE(r.exit_code, 0);
  auto all = r.out + r.err;
  EXPECT_NE(all.find("Step 1/3 : FROM busybox"), std::string::npos) << all;
  EXPECT_NE(all.find("Step 3/3 : RUN echo out-$((40 + 2)) && exit 2"), std::string::npos) << all;
  EXPECT_NE(all.find("out-42"), std::string::npos) << all;
  EXPECT_NE(r.err.find("returned a non-zero code: 2"), std::string::npos) << r.err;
}

TEST_F(build, builder_prune_removes_the_cache_and_keeps_tagged_images) {
  write("Dockerfile", "FROM busybox\nRUN echo one > /one\nENV A=b\nCOPY a.txt /a\n");
  write("a.txt", "a\n");
  build_ok({"-t", "pruned:1"});
  auto final_id = inspect("pruned:1", "image")["Id"].get<std::string>();
  auto cached = build_ok({"-t", "pruned:1"});
  EXPECT_EQ(count(cached, "Using cache"), 3u) << cached;

  // Bad filters change nothing.
  auto bad = docker({"builder", "prune", "-f", "--filter", "until=soon"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("\"until\" filter expects a duration (e.g., '24h') or a timestamp"),
            std::string::npos)
      << bad.err;
  // Only cache older than a day: none.
  auto young = ok({"builder", "prune", "-f", "--filter", "until=24h"});
  EXPECT_EQ(young.find("Deleted build cache objects"), std::string::npos) << young;
  EXPECT_EQ(count(build_ok({"-t", "pruned:1"}), "Using cache"), 3u);

  auto df_line = [&] {
    for (const auto& line : lines_of(ok({"system", "df", "--format", "{{.Type}} {{.TotalCount}}"})))
      if (line.rfind("Build Cache", 0) == 0) return line;
    return std::string{};
  };
  EXPECT_EQ(df_line(), "Build Cache 2");
  auto pruned = ok({"builder", "prune", "-f"});
  EXPECT_NE(pruned.find("Deleted build cache objects:"), std::string::npos) << pruned;
  EXPECT_NE(pruned.find("Total reclaimed space:"), std::string::npos) << pruned;
  // RUN and ENV made intermediate images; the tagged COPY image stays.
  EXPECT_EQ(count(pruned, "sha256:"), 2u) << pruned;
  // The tagged image still runs, its history is whole, and it has no local parent any more.
  EXPECT_EQ(ok({"run", "--rm", "pruned:1", "cat", "/one", "/a"}), "one\na");
  EXPECT_EQ(df_line(), "Build Cache 0");
  EXPECT_EQ(inspect("pruned:1", "image")["Id"], final_id);
  EXPECT_EQ(inspect("pruned:1", "image")["Parent"], "");
  EXPECT_NE(ok({"history", "--no-trunc", "pruned:1"}).find("/bin/sh -c echo one > /one"),
            std::string::npos);
  // The cache is gone: every step runs again.
  auto rebuilt = build_ok({"-t", "pruned:1"});
  EXPECT_EQ(count(rebuilt, "Using cache"), 0u) << rebuilt;
  EXPECT_EQ(count(rebuilt, "Running in"), 1u) << rebuilt;

  // docker system prune prunes the build cache too.
  auto system = ok({"system", "prune", "-f"});
  EXPECT_NE(system.find("Total reclaimed space:"), std::string::npos) << system;
  EXPECT_EQ(count(build_ok({"-t", "pruned:1"}), "Using cache"), 0u);
}

TEST_F(build, copy_through_a_symlinked_image_directory_lands_where_it_points) {
  // As on a merged-/usr image: /lib2 is a symlink to usr/lib2. The file lands in /usr/lib2 and
  // /lib2 stays the image's symlink (a real /lib2 directory in the layer would hide /usr/lib2).
  write("Dockerfile", "FROM busybox\nRUN mkdir -p /usr/lib2 && ln -s usr/lib2 /lib2\n"
                      "COPY f /lib2/x/f\nCOPY g /lib2\n");
  write("f", "through the link\n");
  write("g", "into the linked dir\n");
  build_ok({"-t", "copy-symlinked"});
  EXPECT_EQ(ok({"run", "--rm", "copy-symlinked", "sh", "-c",
                "readlink /lib2; cat /usr/lib2/x/f /usr/lib2/g"}),
            "usr/lib2\nthrough the link\ninto the linked dir");
}

TEST_F(build, copy_chown_owns_the_directories_it_creates_only) {
  write("Dockerfile", "FROM busybox\nRUN mkdir -p /srv && chown 42:43 /srv\n"
                      "COPY --chown=1234:5678 f /srv/new/deeper/f\n");
  write("f", "f\n");
  build_ok({"-t", "copy-chown-parents"});
  EXPECT_EQ(ok({"run", "--rm", "copy-chown-parents", "stat", "-c", "%u:%g", "/srv", "/srv/new",
                "/srv/new/deeper", "/srv/new/deeper/f"}),
            "42:43\n1234:5678\n1234:5678\n1234:5678");
}

TEST_F(build, add_keeps_an_archives_owners_and_unpacks_every_compression) {
  auto arch = context_ + "/arch";
  write("arch/owned/file", "owned\n");
  ASSERT_EQ(
      shell("chown -R 1234:5678 " + arch + "/owned && chmod 0750 " + arch + "/owned").exit_code, 0);
  // Streams as people make them: tar's own flags and tar piped into the compressor (a zstd
  // stream then has no content size); `zstd --long=28` declares a 256 MiB window, more than
  // libzstd takes by default and less than dockerd's decoder does.
  ASSERT_EQ(shell("cd " + context_ + " && tar -C arch -cf a.tar owned && tar -C arch -czf " +
                  "a.tar.gz owned && tar -C arch -cjf a.tar.bz2 owned && tar -C arch -cJf " +
                  "a.tar.xz owned && tar -C arch --zstd -cf flag.tar.zst owned && tar -C arch " +
                  "-c owned | zstd -q > pipe.tar.zst && tar -C arch -c owned | pzstd -q > " +
                  "parallel.tar.zst && tar -C arch -c owned | zstd -q --long=28 > long.tar.zst")
                .exit_code,
            0);
  fs::remove_all(arch);
  write("not-an-archive.zst", "plain text\n");
  std::string dockerfile = "FROM busybox\n";
  for (const auto* name : {"a.tar", "a.tar.gz", "a.tar.bz2", "a.tar.xz", "flag.tar.zst",
                           "pipe.tar.zst", "parallel.tar.zst", "long.tar.zst"})
    dockerfile += std::string{"ADD --chown=1:1 "} + name + " /x/" + name + "/\n";
  dockerfile += "ADD not-an-archive.zst /plain/\n";
  write("Dockerfile", dockerfile);
  build_ok({"-t", "add-archives"});
  auto out = ok({"run", "--rm", "add-archives", "sh", "-c",
                 "for d in /x/*; do stat -c \"$d %u:%g %a\" $d/owned; cat $d/owned/file; "
                 "stat -c %u:%g $d/owned/file; done; cat /plain/not-an-archive.zst"});
  std::string expected;
  for (const auto* name : {"a.tar", "a.tar.bz2", "a.tar.gz", "a.tar.xz", "flag.tar.zst",
                           "long.tar.zst", "parallel.tar.zst", "pipe.tar.zst"})
    expected += std::string{"/x/"} + name + " 1234:5678 750\nowned\n1234:5678\n";
  expected += "plain text";
  EXPECT_EQ(out, expected);
}

// A context refused after its first entry, 48 MiB still to come: the daemon stops reading it
// and drops the rest, and the client still reads the error. Over TCP (mutual TLS, as the daemon
// requires): closing with unread data there resets the connection, which loses the answer.
TEST(build_over_tcp, a_context_refused_midway_still_gets_its_error_to_the_client) {
  test_daemon dirs({.metrics = false});
  auto dir = dirs.root + "/tls";
  auto made = make_tls_files(dir);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  made = shell("cd " + dir +
               " && echo x > evil && head -c 48M /dev/zero > big"
               " && tar -P -cf ctx.tar --transform 's,^evil,../evil,' evil big");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto port = std::to_string(free_tcp_port());
  test_daemon d({.extra_args = {"-H", "tcp://127.0.0.1:" + port, "--tlsverify", "--tlscacert",
                                dir + "/ca.pem", "--tlscert", dir + "/cert.pem", "--tlskey",
                                dir + "/key.pem"},
                 .metrics = false});
  ASSERT_TRUE(d.start()) << d.start_error();
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto r = run({"curl", "-sS", "--max-time", "60", "--cacert", dir + "/ca.pem", "--cert",
                  dir + "/client-cert.pem", "--key", dir + "/client-key.pem", "-X", "POST", "-H",
                  "Content-Type: application/x-tar", "--data-binary", "@" + dir + "/ctx.tar",
                  "https://127.0.0.1:" + port + "/build"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find(R"(archive entry \"../evil\" has a \"..\" component)"), std::string::npos)
        << r.out;
  }
}

} // namespace
