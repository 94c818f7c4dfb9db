// Tests the stored form of a network actor (record, address pools, endpoints): what a restart
// reads back is what was written, and corrupt rows are refused.
#include <gtest/gtest.h>

#include "actors/network_actor.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

TEST(network_state, the_stored_form_round_trips_with_allocations) {
  network_state_record n;
  n.record.id = std::string(64, 'f');
  n.record.name = "n1";
  n.record.bridge_name = "berth-ffffffff";
  n.record.labels = {{"a", "b"}};
  net::ipam_config config;
  config.subnet = *ipv4_cidr::parse("10.5.0.0/24");
  auto pool = net::ipam_pool::create(config);
  ASSERT_TRUE(pool);
  auto address = pool->allocate();
  ASSERT_TRUE(address);
  n.pools.push_back(*pool);
  endpoint_info e;
  e.network_id = n.record.id;
  e.network_name = "n1";
  e.endpoint_id = std::string(64, 'e');
  e.address = {*address, 24};
  e.container_name = "web";
  n.endpoints[std::string(64, 'c')] = e;

  auto back = network_from_state_json(to_state_json(n));
  ASSERT_TRUE(back) << error_message(back.error());
  EXPECT_EQ(back->record, n.record);
  ASSERT_EQ(back->pools.size(), 1u);
  EXPECT_TRUE(back->pools[0].in_use(*address));
  EXPECT_EQ(back->pools[0].gateway(), pool->gateway());
  ASSERT_EQ(back->endpoints.size(), 1u);
  EXPECT_EQ(back->endpoints.begin()->second.address.to_string(), "10.5.0.2/24");
  // The next address after a restart is not the one already handed out.
  auto next = back->pools[0].allocate();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->to_string(), "10.5.0.3");
}

TEST(network_state, corrupt_rows_are_refused) {
  for (const char* bad : {"", "[]", "{\"Record\":5}", "{\"Record\":{}}"})
    EXPECT_FALSE(network_from_state_json(bad)) << bad;
}
