// Tests runtime/seccomp_profile: the default policy's shape and its capability-gated rules.
#include <gtest/gtest.h>

#include "runtime/container_config.hpp"
#include "runtime/seccomp_profile.hpp"

using namespace berth::runtime;
using json = nlohmann::json;

namespace {

const json* rule_for(const json& profile, const std::string& name) {
  for (const auto& r : profile["syscalls"])
    for (const auto& n : r["names"])
      if (n == name) return &r;
  return nullptr;
}

} // namespace

TEST(seccomp_profile, default_shape) {
  auto p = default_seccomp_profile(default_capabilities());
  EXPECT_EQ(p["defaultAction"], "SCMP_ACT_ERRNO");
  EXPECT_EQ(p["defaultErrnoRet"], 1);
#if defined(__x86_64__)
  EXPECT_EQ(p["architectures"], json({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
#endif
  EXPECT_GT(p["syscalls"][0]["names"].size(), 300u);
  // No name is listed twice among the unconditional allows.
  std::set<std::string> seen;
  for (const auto& n : p["syscalls"][0]["names"])
    EXPECT_TRUE(seen.insert(n).second) << n;
}

TEST(seccomp_profile, argument_conditions) {
  auto p = default_seccomp_profile(default_capabilities());
  int personalities = 0;
  for (const auto& r : p["syscalls"])
    if (r["names"][0] == "personality") {
      ++personalities;
      EXPECT_EQ(r["args"][0]["op"], "SCMP_CMP_EQ");
    }
  EXPECT_EQ(personalities, 5);
  const auto* clone = rule_for(p, "clone");
  ASSERT_NE(clone, nullptr);
  EXPECT_EQ(
      (*clone)["args"][0],
      json({{"index", 0}, {"value", 2114060288}, {"valueTwo", 0}, {"op", "SCMP_CMP_MASKED_EQ"}}));
  const auto* clone3 = rule_for(p, "clone3");
  ASSERT_NE(clone3, nullptr);
  EXPECT_EQ((*clone3)["action"], "SCMP_ACT_ERRNO");
  EXPECT_EQ((*clone3)["errnoRet"], 38);
  const auto* socket = rule_for(p, "socket");
  ASSERT_NE(socket, nullptr);
  EXPECT_EQ((*socket)["args"][0],
            json({{"index", 0}, {"value", 40}, {"valueTwo", 0}, {"op", "SCMP_CMP_NE"}}));
  for (const char* blocked : {"keyctl", "add_key", "request_key", "mount", "unshare", "reboot",
                              "setns", "io_uring_setup", "userfaultfd", "vm86"})
    EXPECT_EQ(rule_for(p, blocked), nullptr) << blocked;
}

TEST(seccomp_profile, capabilities_unlock_system_calls) {
  auto caps = default_capabilities();
  caps.push_back("CAP_SYS_ADMIN");
  caps.push_back("CAP_SYS_BOOT");
  caps.push_back("CAP_SYS_MODULE");
  auto p = default_seccomp_profile(caps);
  for (const char* opened :
       {"mount", "umount2", "unshare", "setns", "reboot", "init_module", "pivot_root", "bpf"})
    EXPECT_NE(rule_for(p, opened), nullptr) << opened;
  const auto* clone = rule_for(p, "clone");
  ASSERT_NE(clone, nullptr);
  EXPECT_FALSE(clone->contains("args"));
  EXPECT_EQ((*rule_for(p, "clone3"))["action"], "SCMP_ACT_ALLOW");
  EXPECT_EQ(rule_for(p, "keyctl"), nullptr); // no capability opens the keyring
  auto no_chroot = default_seccomp_profile({"CAP_KILL"});
  EXPECT_EQ(rule_for(no_chroot, "chroot"), nullptr);
}

TEST(seccomp_profile, docker_format_conversion) {
  auto disabled = seccomp_from_docker_profile(json::object(), {});
  ASSERT_TRUE(disabled);
  EXPECT_TRUE(disabled->is_null());
  auto both = seccomp_from_docker_profile(
      json::parse(R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],
                     "action":"SCMP_ACT_ERRNO"}]})"),
      {});
  ASSERT_FALSE(both);
  auto p = seccomp_from_docker_profile(
      json::parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,
                     "architectures":["SCMP_ARCH_X86_64"],"flags":["SECCOMP_FILTER_FLAG_LOG"],
                     "syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","comment":"x"},
                                 {"names":["amd"],"action":"SCMP_ACT_ALLOW",
                                  "excludes":{"arches":["arm64"]}}]})"),
      {});
  ASSERT_TRUE(p);
  EXPECT_EQ((*p)["architectures"], json({"SCMP_ARCH_X86_64"}));
  EXPECT_EQ((*p)["flags"], json({"SECCOMP_FILTER_FLAG_LOG"}));
  EXPECT_EQ((*p)["syscalls"][0], json({{"names", {"read"}}, {"action", "SCMP_ACT_ALLOW"}}));
  EXPECT_FALSE(seccomp_from_docker_profile(json::array(), {}));
}
