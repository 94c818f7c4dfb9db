// Integration tests of docker commit with the real docker CLI against a real berthd: a container's
// changes (files, deletions) become a layer on its image, --change / -m / -a, history, pausing a
// running container (or not), empty commits, events and metrics, and bad input.
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon_test.hpp"
#include "process.hpp"
#include "test_text.hpp"

using namespace berth::test;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

class commit : public daemon_test {
 protected:
  size_t layers_of(const std::string& image) {
    return inspect(image, "image")["RootFS"]["Layers"].size();
  }

  size_t image_count() { return lines_of(ok({"images", "-a", "-q", "--no-trunc"})).size(); }

  // Polls (bounded) until `docker exec name test -e path` succeeds.
  bool wait_for_file(const std::string& name, const std::string& path) {
    for (int i = 0; i < 100; ++i) {
      if (docker({"exec", name, "test", "-e", path}).exit_code == 0) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  // The pause, commit, image create / tag and unpause events of `events` up to `last` (bounded):
  // what happened before (the image load, the container's create, start, exec) is left out.
  static std::vector<std::string> commit_events(background_process& events,
                                                const std::string& last) {
    std::vector<std::string> seen;
    for (int i = 0; i < 40; ++i) {
      auto line = trim(events.read_line(15s).value_or("<none>"));
      bool wanted = line.find("pause") != std::string::npos ||
                    line.find("commit") != std::string::npos || line == "image create" ||
                    line == "image tag" || line == "<none>";
      if (wanted) seen.push_back(line);
      if (line == last || line == "<none>") break;
    }
    return seen;
  }

  std::string metrics() {
    return run({"curl", "-s",
                "http://127.0.0.1:" + std::to_string(daemon_.metrics_port) + "/metrics"})
        .out;
  }
};

TEST_F(commit, a_containers_changes_become_a_layer_on_its_image) {
  ok({"run", "--name", "web", "busybox", "sh", "-c", "echo hi > /x; rm /bin/ls"});
  auto id = ok({"commit", "web", "snap:1"});
  EXPECT_EQ(id.rfind("sha256:", 0), 0u) << id;
  auto image = inspect("snap:1", "image");
  EXPECT_EQ(image["Id"], id);
  EXPECT_EQ(image["RepoTags"], json({"snap:1"}));
  EXPECT_EQ(image["Parent"], inspect("busybox", "image")["Id"]);
  EXPECT_EQ(layers_of("snap:1"), layers_of("busybox") + 1);
  EXPECT_EQ(image["Config"]["Cmd"], json({"sh", "-c", "echo hi > /x; rm /bin/ls"}));
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:1", "cat", "/x"})), "hi");
  // The deletion is a whiteout in the new layer: ls is gone, the rest of busybox is there.
  EXPECT_EQ(
      trim(ok({"run", "--rm", "snap:1", "sh", "-c",
               "test -e /bin/ls && echo present || echo gone; test -e /bin/cat && echo cat"})),
      "gone\ncat");
  EXPECT_EQ(docker({"run", "--rm", "snap:1", "ls", "/"}).exit_code, 127);
  // A container of the new image starts from it: the committed file is no change of its own.
  ok({"run", "--name", "child", "snap:1", "true"});
  EXPECT_EQ(ok({"diff", "child"}).find("/x"), std::string::npos);
  // The new history entry is on top, with the container's command.
  auto history = lines_of(
      ok({"history", "--no-trunc", "--format", "{{.ID}}|{{.CreatedBy}}|{{.Size}}", "snap:1"}));
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history[0].rfind(id + "|sh -c echo hi > /x; rm /bin/ls|", 0), 0u) << history[0];
  EXPECT_NE(history[0].substr(history[0].rfind('|') + 1), "0B");
  // The entries below belong to the parent, busybox, as dockerd attributes them.
  EXPECT_EQ(history[1].substr(0, history[1].find('|')), image["Parent"].get<std::string>());
  EXPECT_NE(metrics().find("engine_daemon_container_actions_seconds_count{action=\"commit\"} 1"),
            std::string::npos);
  // The image does not depend on the container, and goes like any other.
  ok({"rm", "web", "child"});
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:1", "cat", "/x"})), "hi");
  auto removed = ok({"rmi", "snap:1"});
  EXPECT_NE(removed.find("Deleted: " + id), std::string::npos) << removed;
  EXPECT_EQ(trim(ok({"run", "--rm", "busybox", "sh", "-c", "test -e /bin/ls && echo ok"})), "ok");
}

TEST_F(commit, changes_message_and_author_go_into_the_image) {
  ok({"run", "--name", "web", "busybox", "sh", "-c", "echo hi > /x"});
  ok({"commit", "--change", R"(CMD ["cat","/x"])", "--change", "ENV A=1", "--change", "EXPOSE 8080",
      "-m", "msg", "-a", "me", "web", "snap:2"});
  auto image = inspect("snap:2", "image");
  EXPECT_EQ(image["Config"]["Cmd"], json({"cat", "/x"}));
  auto env = image["Config"]["Env"];
  EXPECT_NE(std::find(env.begin(), env.end(), "A=1"), env.end()) << env;
  EXPECT_TRUE(image["Config"]["ExposedPorts"].contains("8080/tcp")) << image["Config"];
  EXPECT_EQ(image["Comment"], "msg");
  EXPECT_EQ(image["Author"], "me");
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:2"})), "hi");
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:2", "sh", "-c", "echo $A"})), "1");
  auto top = lines_of(ok({"history", "--no-trunc", "--format", "{{.Comment}}", "snap:2"}));
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0], "msg");
  // Without a tag the image has none; without a repository too.
  auto untagged = ok({"commit", "web"});
  EXPECT_EQ(inspect(untagged, "image")["RepoTags"], json::array());
  ok({"commit", "web", "snap"});
  EXPECT_EQ(inspect("snap:latest", "image")["RepoTags"], json({"snap:latest"}));
}

TEST_F(commit, a_running_container_is_paused_during_the_commit) {
  ok({"run", "-d", "--name", "runner", "busybox", "sh", "-c", "echo a > /a; sleep 1000"});
  ASSERT_TRUE(wait_for_file("runner", "/a"));
  {
    background_process events({"docker", "events", "--since", unix_now(), "--filter",
                               "type=container", "--filter", "type=image", "--format",
                               "{{.Type}} {{.Action}}"},
                              daemon_.docker_env());
    ok({"commit", "runner", "snap:3"});
    EXPECT_EQ(commit_events(events, "container unpause"),
              (std::vector<std::string>{"container pause", "image create", "image tag",
                                        "container commit", "container unpause"}));
  }
  auto state = inspect("runner")["State"];
  EXPECT_TRUE(state["Running"].get<bool>());
  EXPECT_FALSE(state["Paused"].get<bool>());
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:3", "cat", "/a"})), "a");
  {
    background_process events({"docker", "events", "--since", unix_now(), "--filter", "event=pause",
                               "--filter", "event=commit", "--format",
                               "{{.Action}} {{.Actor.Attributes.imageRef}}"},
                              daemon_.docker_env());
    ok({"exec", "runner", "sh", "-c", "echo b > /b"});
    ok({"commit", "--pause=false", "runner", "snap:4"});
    auto seen = commit_events(events, "commit snap:4");
    // The first commit may fall in the same second: what counts is what follows it.
    auto first = std::find(seen.begin(), seen.end(), "commit snap:3");
    if (first != seen.end()) seen.erase(seen.begin(), first + 1);
    EXPECT_EQ(seen, std::vector<std::string>{"commit snap:4"}); // no pause
  }
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:4", "cat", "/b"})), "b");
  // A container paused by its user stays paused.
  ok({"pause", "runner"});
  ok({"commit", "runner", "snap:5"});
  EXPECT_TRUE(inspect("runner")["State"]["Paused"].get<bool>());
  ok({"unpause", "runner"});
  ok({"rm", "-f", "runner"});
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:5", "cat", "/b"})), "b");
}

TEST_F(commit, a_container_that_changed_nothing_adds_an_empty_layer) {
  // runc's mount targets (/etc/hosts, /etc/hostname, /etc/resolv.conf) are no change, as the
  // init layer keeps them out of dockerd's commits.
  ok({"run", "--name", "same", "busybox", "true"});
  ok({"create", "--name", "fresh", "busybox", "true"});
  for (const auto* name : {"same", "fresh"}) {
    auto image = std::string("empty-") + name;
    ok({"commit", name, image});
    EXPECT_EQ(layers_of(image), layers_of("busybox")) << name;
    auto top = lines_of(ok({"history", "--format", "{{.Size}}", image}));
    ASSERT_FALSE(top.empty());
    EXPECT_EQ(top[0], "0B");
    EXPECT_EQ(trim(ok({"run", "--rm", image, "sh", "-c", "echo ok"})), "ok");
  }
}

TEST_F(commit, bad_input_is_refused_and_stores_nothing) {
  ok({"run", "--name", "web", "busybox", "sh", "-c", "echo hi > /x"});
  auto before = image_count();
  auto missing = docker({"commit", "nosuch", "snap:x"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("No such container: nosuch"), std::string::npos) << missing.err;
  auto change = docker({"commit", "--change", "FOO bar", "web", "snap:x"});
  EXPECT_NE(change.exit_code, 0);
  EXPECT_NE(change.err.find("FOO is not a valid change command"), std::string::npos) << change.err;
  auto run_change = docker({"commit", "--change", "RUN true", "web", "snap:x"});
  EXPECT_NE(run_change.err.find("RUN is not a valid change command"), std::string::npos);
  auto api = [&](const std::string& query) {
    auto r = daemon_.curl({"-s", "-w", "\n%{http_code}", "-X", "POST", "http://d/commit?" + query});
    return lines_of(r.out);
  };
  auto upper = api("container=web&repo=Snap");
  ASSERT_EQ(upper.size(), 2u);
  EXPECT_EQ(upper[1], "400");
  EXPECT_NE(upper[0].find("must be lowercase"), std::string::npos) << upper[0];
  auto tag = api("container=web&repo=snap&tag=bad:tag");
  ASSERT_EQ(tag.size(), 2u);
  EXPECT_EQ(tag[1], "400");
  EXPECT_NE(tag[0].find("invalid tag format"), std::string::npos) << tag[0];
  auto digest = api("container=web&repo=snap@sha256:" + std::string(64, 'a'));
  ASSERT_EQ(digest.size(), 2u);
  EXPECT_EQ(digest[1], "400");
  auto unknown = api("container=nosuch");
  ASSERT_EQ(unknown.size(), 2u);
  EXPECT_EQ(unknown[1], "404");
  EXPECT_EQ(image_count(), before);
  EXPECT_NE(docker({"image", "inspect", "snap:x"}).exit_code, 0);
  // The body's Config is the base of the image config, as dockerd takes it.
  auto body = daemon_.curl({"-s", "-w", "\n%{http_code}", "-X", "POST", "-H",
                            "Content-Type: application/json", "-d", R"({"Cmd":["cat","/x"]})",
                            "http://d/commit?container=web&repo=snap&tag=body"});
  auto reply = lines_of(body.out);
  ASSERT_EQ(reply.size(), 2u) << body.out;
  EXPECT_EQ(reply[1], "201");
  EXPECT_EQ(json::parse(reply[0])["Id"], inspect("snap:body", "image")["Id"]);
  EXPECT_EQ(trim(ok({"run", "--rm", "snap:body"})), "hi");
  // A null body is no Config (the container's own is the base); a body that is no object is
  // refused.
  auto with_body = [&](const std::string& data, const std::string& image_tag) {
    auto r = daemon_.curl({"-s", "-w", "\n%{http_code}", "-X", "POST", "-H",
                           "Content-Type: application/json", "-d", data,
                           "http://d/commit?container=web&repo=snap&tag=" + image_tag});
    return lines_of(r.out);
  };
  auto null_body = with_body(" null ", "null");
  ASSERT_EQ(null_body.size(), 2u);
  EXPECT_EQ(null_body[1], "201");
  EXPECT_EQ(inspect("snap:null", "image")["Config"]["Cmd"], json({"sh", "-c", "echo hi > /x"}));
  auto list_body = with_body("[1]", "list");
  ASSERT_EQ(list_body.size(), 2u);
  EXPECT_EQ(list_body[1], "400");
  EXPECT_NE(list_body[0].find("invalid JSON"), std::string::npos) << list_body[0];
}

} // namespace
