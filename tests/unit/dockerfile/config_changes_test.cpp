// Tests dockerfile/instruction and dockerfile/config_changes: the --change instructions.
#include <gtest/gtest.h>

#include "base/error.hpp"
#include "dockerfile/config_changes.hpp"
#include "dockerfile/instruction.hpp"

using namespace berth;
using namespace berth::dockerfile;
using json = nlohmann::json;

TEST(instruction, splits_words_with_quotes_and_escapes) {
  auto w = split_words(R"(a "b c" 'd e' f\ g)");
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, (std::vector<std::string>{"a", "b c", "d e", "f g"}));
  EXPECT_FALSE(split_words(R"(a "unterminated)"));
}

TEST(instruction, key_values_in_both_forms) {
  auto kv = parse_key_values("ENV", R"(A=1 B="two words" C=)");
  ASSERT_TRUE(kv);
  ASSERT_EQ(kv->size(), 3u);
  EXPECT_EQ((*kv)[1], (std::pair<std::string, std::string>{"B", "two words"}));
  EXPECT_EQ((*kv)[2].second, "");
  auto legacy = parse_key_values("ENV", "GREETING hello there");
  ASSERT_TRUE(legacy);
  EXPECT_EQ((*legacy)[0], (std::pair<std::string, std::string>{"GREETING", "hello there"}));
  EXPECT_FALSE(parse_key_values("ENV", "A=1 B"));
}

TEST(instruction, ports_expand_ranges) {
  auto p = parse_ports({"80", "53/udp", "8000-8002/tcp"});
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (std::vector<std::string>{"80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"}));
  EXPECT_FALSE(parse_ports({"0"}));
  EXPECT_FALSE(parse_ports({"70000"}));
  EXPECT_FALSE(parse_ports({"80/icmp"}));
}

TEST(config_changes, applies_the_allowed_instructions) {
  json cfg = json::object();
  ASSERT_FALSE(apply_changes(cfg, {R"(CMD ["sh", "-c", "echo hi"])", "ENTRYPOINT /init",
                                   "ENV A=1 B=2", "ENV A=3", "EXPOSE 80 443/tcp", "LABEL x=y",
                                   "USER 1000:1000", "WORKDIR /srv", "WORKDIR app",
                                   R"(VOLUME ["/data"])", "ONBUILD RUN true"}));
  EXPECT_EQ(cfg["Cmd"], json({"sh", "-c", "echo hi"}));
  EXPECT_EQ(cfg["Entrypoint"], json({"/bin/sh", "-c", "/init"}));
  EXPECT_EQ(cfg["Env"], json({"A=3", "B=2"}));
  EXPECT_TRUE(cfg["ExposedPorts"].contains("443/tcp"));
  EXPECT_EQ(cfg["Labels"]["x"], "y");
  EXPECT_EQ(cfg["User"], "1000:1000");
  EXPECT_EQ(cfg["WorkingDir"], "/srv/app");
  EXPECT_TRUE(cfg["Volumes"].contains("/data"));
  EXPECT_EQ(cfg["OnBuild"], json({"RUN true"}));
}

TEST(config_changes, refuses_other_instructions_like_dockerd) {
  json cfg = json::object();
  auto err = apply_changes(cfg, {"RUN rm -rf /"});
  ASSERT_TRUE(err);
  EXPECT_EQ(error_message(err), "RUN is not a valid change command");
  EXPECT_TRUE(apply_changes(cfg, {"FROB x"}));
  EXPECT_TRUE(apply_changes(cfg, {"EXPOSE notaport"}));
}

TEST(config_changes, an_entrypoint_clears_the_cmd_unless_a_cmd_came_first) {
  // As dockerd's builder (docker commit --change on a container that has a Cmd).
  json cfg{{"Cmd", {"sh", "-c", "echo hi"}}};
  ASSERT_FALSE(apply_changes(cfg, {R"(ENTRYPOINT ["cat"])"}));
  EXPECT_TRUE(cfg["Cmd"].is_null());
  EXPECT_EQ(cfg["Entrypoint"], json({"cat"}));
  json both{{"Cmd", {"sh"}}};
  ASSERT_FALSE(apply_changes(both, {R"(CMD ["/x"])", R"(ENTRYPOINT ["cat"])"}));
  EXPECT_EQ(both["Cmd"], json({"/x"}));
}
