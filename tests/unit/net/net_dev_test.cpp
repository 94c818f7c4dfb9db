// Tests net/net_dev: interface counters from /proc/<pid>/net/dev.
#include <algorithm>
#include <unistd.h>

#include <gtest/gtest.h>

#include "net/net_dev.hpp"

using namespace berth::net;

namespace {

const char* sample =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n"
    "    lo:     840      10    0    0    0     0          0         0      840      10    0    "
    "0    0     0       0          0\n"
    "  eth0: 18446744073709551615 16 1 2 0 0 0 0 656 8 3 4 0 0 0 0\n"
    "  bad: 1 2 3\n";

TEST(net_dev, parses_each_interfaces_counters) {
  auto list = parse_net_dev(sample);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "lo");
  EXPECT_EQ(list[0].counters.rx_bytes, 840u);
  EXPECT_EQ(list[1].name, "eth0");
  const auto& c = list[1].counters;
  EXPECT_EQ(c.rx_bytes, 18446744073709551615u); // 64-bit counters
  EXPECT_EQ(c.rx_packets, 16u);
  EXPECT_EQ(c.rx_errors, 1u);
  EXPECT_EQ(c.rx_dropped, 2u);
  EXPECT_EQ(c.tx_bytes, 656u);
  EXPECT_EQ(c.tx_packets, 8u);
  EXPECT_EQ(c.tx_errors, 3u);
  EXPECT_EQ(c.tx_dropped, 4u);
}

TEST(net_dev, reads_the_namespace_of_a_process) {
  auto list = read_net_dev(static_cast<int>(::getpid()));
  ASSERT_TRUE(list);
  EXPECT_TRUE(std::any_of(list->begin(), list->end(),
                          [](const interface_statistics& i) { return i.name == "lo"; }));
  EXPECT_FALSE(read_net_dev(0)); // no such process
}

} // namespace
