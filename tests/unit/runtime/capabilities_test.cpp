// Tests runtime/capabilities: the tables, normalization and the container's effective set.
#include <algorithm>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "runtime/container_config.hpp"

using namespace berth;
using namespace berth::runtime;

TEST(capabilities, tables_and_normalization) {
  EXPECT_EQ(default_capabilities().size(), 14u);
  EXPECT_EQ(all_capabilities().size(), 41u);
  EXPECT_EQ(all_capabilities()[21], "CAP_SYS_ADMIN");
  EXPECT_EQ(all_capabilities()[40], "CAP_CHECKPOINT_RESTORE");
  for (const auto& c : default_capabilities()) {
    EXPECT_NE(std::find(all_capabilities().begin(), all_capabilities().end(), c),
              all_capabilities().end());
  }
  EXPECT_EQ(*normalize_capability("net_admin"), "CAP_NET_ADMIN");
  EXPECT_EQ(*normalize_capability("NET_ADMIN"), "CAP_NET_ADMIN");
  EXPECT_EQ(*normalize_capability("cap_net_admin"), "CAP_NET_ADMIN");
  EXPECT_EQ(*normalize_capability("all"), "ALL");
  auto bad = normalize_capability("CAP_FOO");
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_message(bad.error()), "unknown capability: \"CAP_FOO\"");
}

TEST(capabilities, container_set_follows_tweak_rules) {
  host_config h;
  EXPECT_EQ(*container_capabilities(h), default_capabilities());
  h.cap_add = {"CAP_NET_ADMIN", "CAP_CHOWN"};
  h.cap_drop = {"CAP_MKNOD"};
  auto caps = *container_capabilities(h);
  EXPECT_EQ(caps.size(), 14u); // -MKNOD +NET_ADMIN, CHOWN not repeated
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_NET_ADMIN"), caps.end());
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_MKNOD"), caps.end());
  h.cap_add = {"ALL"};
  h.cap_drop = {"CAP_SYS_ADMIN"};
  EXPECT_EQ(container_capabilities(h, all_capabilities())->size(), 40u);
  h.cap_add = {"CAP_KILL"};
  h.cap_drop = {"ALL"};
  EXPECT_EQ(*container_capabilities(h), (std::vector<std::string>{"CAP_KILL"}));
  h.privileged = true;
  EXPECT_EQ(*container_capabilities(h, all_capabilities()), all_capabilities());
  // Privileged containers get what the daemon has (dockerd's GetAllCapabilities).
  EXPECT_EQ(*container_capabilities(h), available_capabilities());
  EXPECT_FALSE(available_capabilities().empty());
}
