// Tests actors/commit_config: the image config docker commit writes, from the container's Config,
// the request's Config and --change instructions, and the history entry's created_by.
#include <gtest/gtest.h>

#include "actors/commit_config.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

using json = nlohmann::json;

runtime::container_config container() {
  runtime::container_config c;
  c.hostname = "abc123";
  c.image = "busybox";
  c.cmd = std::vector<std::string>{"sh", "-c", "echo hi > /x"};
  c.env = {"PATH=/bin", "B=2"};
  c.labels = {{"tier", "web"}};
  c.working_dir = "/srv";
  c.exposed_ports = {"80/tcp"};
  return c;
}

TEST(commit_config, without_changes_is_the_containers_config) {
  auto cfg = commit_image_config(container(), std::nullopt, {});
  ASSERT_TRUE(cfg) << error_message(cfg.error());
  EXPECT_EQ((*cfg)["Cmd"], json({"sh", "-c", "echo hi > /x"}));
  EXPECT_EQ((*cfg)["Env"], json({"PATH=/bin", "B=2"}));
  EXPECT_EQ((*cfg)["Hostname"], "abc123");
  EXPECT_EQ((*cfg)["Image"], "busybox");
  EXPECT_EQ((*cfg)["WorkingDir"], "/srv");
  EXPECT_TRUE((*cfg)["ExposedPorts"].contains("80/tcp"));
  EXPECT_EQ((*cfg)["Labels"]["tier"], "web");
}

TEST(commit_config, applies_changes_over_the_container_config) {
  auto cfg = commit_image_config(container(), std::nullopt,
                                 {R"(CMD ["cat","/x"])", "ENV A=1", "ENV B=3", "EXPOSE 8080",
                                  "LABEL v=2", "USER 1000", "WORKDIR app"});
  ASSERT_TRUE(cfg) << error_message(cfg.error());
  EXPECT_EQ((*cfg)["Cmd"], json({"cat", "/x"}));
  EXPECT_EQ((*cfg)["Env"], json({"PATH=/bin", "B=3", "A=1"}));
  EXPECT_TRUE((*cfg)["ExposedPorts"].contains("80/tcp"));
  EXPECT_TRUE((*cfg)["ExposedPorts"].contains("8080/tcp"));
  EXPECT_EQ((*cfg)["Labels"], json({{"tier", "web"}, {"v", "2"}}));
  EXPECT_EQ((*cfg)["User"], "1000");
  EXPECT_EQ((*cfg)["WorkingDir"], "/srv/app");
}

TEST(commit_config, an_entrypoint_change_drops_the_containers_cmd) {
  auto cfg = commit_image_config(container(), std::nullopt, {R"(ENTRYPOINT ["cat"])"});
  ASSERT_TRUE(cfg) << error_message(cfg.error());
  EXPECT_EQ((*cfg)["Entrypoint"], json({"cat"}));
  EXPECT_TRUE((*cfg)["Cmd"].is_null());
}

TEST(commit_config, a_requested_config_is_the_base_and_the_container_fills_the_rest) {
  runtime::container_config requested;
  requested.cmd = std::vector<std::string>{"top"};
  requested.env = {"B=9"};
  auto cfg = commit_image_config(container(), requested, {"ENV C=1"});
  ASSERT_TRUE(cfg) << error_message(cfg.error());
  EXPECT_EQ((*cfg)["Cmd"], json({"top"}));
  EXPECT_EQ((*cfg)["Env"], json({"B=9", "C=1", "PATH=/bin"}));
  EXPECT_EQ((*cfg)["WorkingDir"], "/srv");
  EXPECT_EQ((*cfg)["Hostname"], "");
}

TEST(commit_config, refuses_bad_changes_with_dockerds_messages) {
  auto cfg = commit_image_config(container(), std::nullopt, {"FOO bar"});
  ASSERT_FALSE(cfg);
  EXPECT_EQ(error_kind(cfg.error()), errc::invalid_argument);
  EXPECT_EQ(error_message(cfg.error()), "FOO is not a valid change command");
  EXPECT_FALSE(commit_image_config(container(), std::nullopt, {"RUN true"}));
  EXPECT_FALSE(commit_image_config(container(), std::nullopt, {"EXPOSE x"}));
}

TEST(commit_config, created_by_joins_the_cmd_like_dockerd) {
  EXPECT_EQ(commit_created_by(container()), "sh -c echo hi > /x");
  runtime::container_config none;
  EXPECT_EQ(commit_created_by(none), "");
  runtime::container_config gaps;
  gaps.cmd = std::vector<std::string>{"", "a", ""};
  EXPECT_EQ(commit_created_by(gaps), " a ");
}

} // namespace
