// Tests actors/root_supervisor: children registered, a failed manager restarted, budget enforced,
// orderly stop.
#include <cstdlib>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <gtest/gtest.h>

#include "actors/containers_manager.hpp"
#include "actors/directory.hpp"
#include "actors/root_supervisor.hpp"
#include "base/error.hpp"
#include "base/sys.hpp"
#include "metrics/daemon_probes.hpp"
#include "storage/content_store.hpp"
#include "storage/layer_store.hpp"
#include "storage/state_store.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

class root_supervisor_test : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-supervisor-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto store = storage::state_store::open(dir_ + "/state.db");
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    auto ctx = std::make_shared<daemon_context>();
    // Nothing in the host's network: no default bridge, no packet filter, no sysctl.
    ctx->config.bridge = "none";
    ctx->config.iptables = false;
    ctx->config.ip_forward = false;
    ctx->probes = std::make_shared<metrics::daemon_probes>();
    ctx->content = std::move(*storage::content_store::open(dir_ + "/content"));
    ctx->layers = std::move(*storage::layer_store::open(dir_ + "/overlay2"));
    ctx_ = ctx;
  }
  void TearDown() override { (void)sys::remove_all(dir_); }

  // Waits (bounded) until the registry holds a handle different from `old`.
  containers_manager_actor wait_for_new_containers(const containers_manager_actor& old) {
    for (int i = 0; i < 500; ++i) {
      auto h = directory::lookup<containers_manager_actor>(sys_, directory::containers);
      if (h && h != old) return h;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return {};
  }

  std::string dir_;
  std::shared_ptr<storage::state_store> store_;
  std::shared_ptr<const daemon_context> ctx_;
  caf::actor_system_config cfg_;
  caf::actor_system sys_{cfg_};
};

} // namespace

TEST_F(root_supervisor_test, registers_restarts_and_stops_children) {
  auto sup = spawn_root_supervisor(sys_, ctx_, store_);
  auto first = wait_for_new_containers({});
  ASSERT_TRUE(first);
  caf::scoped_actor self{sys_};
  self->request(first, std::chrono::seconds(5), caf::get_atom_v, counts_atom_v)
      .receive([](container_counts c) { EXPECT_EQ(c.total, 0u); },
               [](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
  // A crash of the manager: the supervisor restarts it under the same name.
  self->send_exit(first, caf::exit_reason::kill);
  auto second = wait_for_new_containers(first);
  ASSERT_TRUE(second);
  self->request(second, std::chrono::seconds(5), caf::get_atom_v, counts_atom_v)
      .receive([](container_counts) {}, [](caf::error& e) { ADD_FAILURE() << caf::to_string(e); });
  // Orderly stop removes every registration.
  self->monitor(sup);
  self->send(sup, stop_atom_v);
  self->receive([](const caf::down_msg&) {},
                caf::after(std::chrono::seconds(5)) >> [] { ADD_FAILURE() << "no stop"; });
  EXPECT_FALSE(directory::lookup<containers_manager_actor>(sys_, directory::containers));
}

TEST_F(root_supervisor_test, gives_up_when_a_child_keeps_failing) {
  auto sup = spawn_root_supervisor(sys_, ctx_, store_, restart_budget{2, 60'000'000'000});
  caf::scoped_actor self{sys_};
  self->monitor(sup);
  containers_manager_actor current = wait_for_new_containers({});
  for (int i = 0; i < 3 && current; ++i) {
    self->send_exit(current, caf::exit_reason::kill);
    current = i < 2 ? wait_for_new_containers(current) : containers_manager_actor{};
  }
  bool down = false;
  self->receive(
      [&](const caf::down_msg& msg) {
        down = true;
        EXPECT_TRUE(msg.reason);
      },
      caf::after(std::chrono::seconds(5)) >> [] {});
  EXPECT_TRUE(down);
}
