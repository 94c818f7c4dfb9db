// A container's networks: joining them at start (endpoints in its namespace, published ports,
// the embedded DNS server), leaving them at the exit, and docker network connect/disconnect.
#include <boost/asio/io_context.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/blocking_pool.hpp"
#include "actors/container_actor_state.hpp"
#include "actors/container_networks.hpp"
#include "actors/directory.hpp"
#include "actors/networks_manager.hpp"
#include "base/error.hpp"
#include "base/log.hpp"
#include "base/sys.hpp"
#include "net/dns_server.hpp"
#include "net/dns_sockets.hpp"
#include "net/dns_table.hpp"
#include "runtime/container_files.hpp"

namespace berth::actors {

namespace {

constexpr log::logger lg{"containers"};
constexpr auto network_timeout = std::chrono::seconds(60);

networks_manager_actor networks_of(container_pointer self) {
  return directory::lookup<networks_manager_actor>(self->system(), directory::networks);
}

std::vector<const endpoint_info*> endpoints_of(const container_record& rec) {
  std::vector<const endpoint_info*> out;
  for (const auto& n : rec.networks)
    if (n.endpoint) out.push_back(&*n.endpoint);
  return out;
}

bool uses_embedded_dns(const container_record& rec) {
  for (const auto* e : endpoints_of(rec))
    if (e->embedded_dns) return true;
  return false;
}

// eth0, eth1, ...: the lowest name no endpoint of the container uses.
std::string free_ifname(const container_record& rec) {
  for (int i = 0;; ++i) {
    auto name = "eth" + std::to_string(i);
    bool used = false;
    for (const auto* e : endpoints_of(rec))
      used = used || e->ifname == name;
    if (!used) return name;
  }
}

endpoint_request request_for(const container_record& rec, const container_network& n,
                             const std::string& netns) {
  endpoint_request req;
  req.container_id = rec.id;
  req.container_name = rec.name;
  req.network = n.name;
  req.aliases = n.aliases;
  req.ipv4 = n.ipv4;
  req.mac = n.mac;
  req.netns_path = netns;
  req.ifname = free_ifname(rec);
  req.default_route = endpoints_of(rec).empty();
  return req;
}

void update_dns_view(container_pointer self) {
  auto& view = *self->state.dns_view;
  std::lock_guard lock(view.mutex);
  view.ids.clear();
  for (const auto* e : endpoints_of(self->state.rec))
    if (e->embedded_dns) view.ids.push_back(e->network_id);
}

// The servers names the container's networks do not know go to: --dns, the daemon's --dns, or the
// host's resolv.conf (read on the blocking pool).
std::vector<net::dns_upstream> upstreams(const std::vector<std::string>& configured) {
  std::vector<std::string> servers = configured;
  if (servers.empty())
    if (auto text = sys::read_file("/etc/resolv.conf", 1 << 20))
      servers = runtime::resolv_conf_nameservers(*text);
  std::vector<net::dns_upstream> out;
  for (const auto& s : servers)
    if (auto a = ipv4_address::parse(s); a && out.size() < 3) out.push_back({*a, 53});
  return out;
}

// Binds 127.0.0.11:53 in the container's namespace and serves it on the I/O threads.
void start_dns(container_pointer self, std::function<void(caf::error)> then) {
  auto& st = self->state;
  if (!uses_embedded_dns(st.rec) || !st.ctx->io || !st.ctx->dns || st.dns) return then({});
  update_dns_view(self);
  auto pool = blocking_pool_of(self);
  if (!pool) return then(make_error(errc::unavailable, "the blocking pool is not running"));
  auto netns = st.paths.netns;
  auto configured = st.rec.host.dns.empty() ? st.ctx->config.dns : st.rec.host.dns;
  auto view = st.dns_view;
  auto table = st.ctx->dns;
  auto* io = st.ctx->io;
  run_blocking(
      self, pool,
      [netns, configured, view, table, io]() -> caf::expected<std::shared_ptr<net::dns_server>> {
        auto sockets = net::bind_dns_sockets(netns);
        if (!sockets) return sockets.error();
        auto ids = [view] {
          std::lock_guard lock(view->mutex);
          return view->ids;
        };
        net::dns_server_options options;
        options.upstreams = upstreams(configured);
        auto server = net::dns_server::start(
            *io, std::move(*sockets),
            [table, ids](std::string_view name) { return table->lookup(ids(), name); }, options,
            [table, ids](ipv4_address a) { return table->reverse_lookup(ids(), a); });
        if (!server) return server.error();
        return std::shared_ptr<net::dns_server>(std::move(*server));
      },
      [self, then](caf::expected<std::shared_ptr<net::dns_server>> server) {
        if (!server) return then(server.error());
        self->state.dns = std::move(*server);
        then({});
      });
}

void stop_dns(container_pointer self) {
  if (self->state.dns) self->state.dns->stop();
  self->state.dns.reset();
}

// Ports are published on the first endpoint, as the bridge driver does for its gateway network.
void publish_ports(container_pointer self, std::function<void(caf::error)> then) {
  auto& st = self->state;
  auto endpoints = endpoints_of(st.rec);
  auto requests = net::port_requests_from_config(
      st.rec.config.exposed_ports, st.rec.host.port_bindings, st.rec.host.publish_all_ports);
  if (!requests) return then(requests.error());
  if (endpoints.empty() || requests->published.empty()) return then({});
  auto networks = networks_of(self);
  if (!networks) return then(make_error(errc::unavailable, "the networks manager is not running"));
  publish_request req{st.rec.id, *endpoints.front(), *requests};
  self->request(networks, network_timeout, caf::publish_atom_v, std::move(req))
      .then(
          [self, then](std::vector<net::published_port>& ports) {
            self->state.rec.ports = std::move(ports);
            then({});
          },
          [then](caf::error& err) { then(err); });
}

void join_next(container_pointer self, size_t i, std::function<void(caf::error)> then) {
  auto& st = self->state;
  while (i < st.rec.networks.size() &&
         (is_endpointless_network(st.rec.networks[i].name) || st.rec.networks[i].endpoint))
    ++i;
  if (i == st.rec.networks.size()) return then({});
  auto networks = networks_of(self);
  if (!networks) return then(make_error(errc::unavailable, "the networks manager is not running"));
  auto req = request_for(st.rec, st.rec.networks[i], st.paths.netns);
  self->request(networks, network_timeout, join_atom_v, std::move(req))
      .then(
          [self, i, then](endpoint_info& e) {
            self->state.rec.networks[i].endpoint = std::move(e);
            join_next(self, i + 1, then);
          },
          [then](caf::error& err) { then(err); });
}

start_plan plan_from_endpoints(container_pointer self) {
  const auto& st = self->state;
  start_plan plan;
  plan.mode = network_mode::own;
  plan.netns_path = st.paths.netns;
  auto endpoints = endpoints_of(st.rec);
  if (!endpoints.empty()) {
    plan.address = endpoints.front()->address.address.to_string();
    if (endpoints.front()->gateway) plan.gateway = endpoints.front()->gateway->to_string();
  }
  if (uses_embedded_dns(st.rec)) plan.nameservers = {"127.0.0.11"};
  return plan;
}

void leave_next(container_pointer self, std::vector<std::string> network_ids, bool delete_links,
                std::function<void()> then) {
  if (network_ids.empty()) return then();
  auto networks = networks_of(self);
  if (!networks) return then();
  auto id = network_ids.back();
  network_ids.pop_back();
  self->request(networks, network_timeout, leave_atom_v, self->state.rec.id, id, delete_links)
      .then([self, network_ids, delete_links,
             then]() { leave_next(self, network_ids, delete_links, then); },
            [self, network_ids, delete_links, then](caf::error& err) {
              lg.warn("cannot leave a network", {{"error", error_message(err)}});
              leave_next(self, network_ids, delete_links, then);
            });
}

void unpublish_ports(container_pointer self, std::function<void()> then) {
  auto networks = networks_of(self);
  if (self->state.rec.ports.empty() || !networks) return then();
  self->state.rec.ports.clear();
  self->request(networks, network_timeout, unpublish_atom_v, self->state.rec.id)
      .then([then]() { then(); }, [then](caf::error&) { then(); });
}

container_network* find_network(container_record& rec, const std::string& name) {
  for (auto& n : rec.networks)
    if (n.name == name || (n.endpoint && n.endpoint->network_id == name)) return &n;
  return nullptr;
}

} // namespace

void connect_networks(container_pointer self, std::function<void(caf::expected<start_plan>)> then) {
  auto fail = [self, then](caf::error err) {
    release_networks(self, false, [then, err]() { then(err); });
  };
  join_next(self, 0, [self, then, fail](caf::error joined) {
    if (joined) return fail(joined);
    publish_ports(self, [self, then, fail](caf::error published) {
      if (published) return fail(published);
      start_dns(self, [self, then, fail](caf::error dns) {
        if (dns) return fail(dns);
        then(plan_from_endpoints(self));
      });
    });
  });
}

void release_networks(container_pointer self, bool namespace_gone, std::function<void()> then) {
  stop_dns(self);
  std::vector<std::string> joined;
  for (const auto* e : endpoints_of(self->state.rec))
    joined.push_back(e->network_id);
  unpublish_ports(self, [self, joined, namespace_gone, then]() {
    leave_next(self, joined, !namespace_gone, [self, then]() {
      for (auto& n : self->state.rec.networks)
        n.endpoint.reset();
      update_dns_view(self);
      then();
    });
  });
}

void resume_dns(container_pointer self) {
  start_dns(self, [self](caf::error err) {
    if (err)
      lg.warn("cannot restart a container's DNS server",
              {{"id", self->state.rec.id}, {"error", error_message(err)}});
  });
}

void connect_network(container_pointer self, container_network network,
                     caf::response_promise reply) {
  auto& st = self->state;
  auto mode = network_mode_of(st.rec);
  if (mode != network_mode::own ||
      (!st.rec.networks.empty() && is_endpointless_network(st.rec.networks.front().name)))
    return reply.deliver(make_error(errc::forbidden,
                                    "container sharing network namespace with another container "
                                    "or host cannot be connected to any other network"));
  if (find_network(st.rec, network.name))
    return reply.deliver(make_error(errc::forbidden, "endpoint with name " + st.rec.name +
                                                         " already exists in network " +
                                                         network.name));
  st.rec.networks.push_back(std::move(network));
  auto index = st.rec.networks.size() - 1;
  auto save = [self, reply](caf::error failed) mutable {
    if (failed) return reply.deliver(failed);
    persist(self, [self, reply](caf::error err) mutable {
      publish_summary(self);
      if (err) return reply.deliver(err);
      reply.deliver(caf::unit);
    });
  };
  if (!st.rec.running()) return save({});
  join_next(self, index, [self, index, save](caf::error err) mutable {
    if (err) {
      self->state.rec.networks.erase(self->state.rec.networks.begin() +
                                     static_cast<std::ptrdiff_t>(index));
      return save(err);
    }
    update_dns_view(self);
    start_dns(self, [save](caf::error dns) mutable {
      if (dns) lg.warn("cannot start the embedded DNS server", {{"error", error_message(dns)}});
      save({});
    });
  });
}

void disconnect_network(container_pointer self, const std::string& network,
                        caf::response_promise reply) {
  auto& st = self->state;
  auto* n = find_network(st.rec, network);
  if (!n)
    return reply.deliver(make_error(
        errc::forbidden, "container " + st.rec.id + " is not connected to network " + network));
  auto name = n->name;
  auto finish = [self, reply, name]() mutable {
    auto& nets = self->state.rec.networks;
    std::erase_if(nets, [&](const container_network& c) { return c.name == name; });
    update_dns_view(self);
    persist(self, [self, reply](caf::error err) mutable {
      publish_summary(self);
      if (err) return reply.deliver(err);
      reply.deliver(caf::unit);
    });
  };
  if (!n->endpoint) {
    finish();
    return;
  }
  auto endpoint = *n->endpoint;
  bool published_here = !st.rec.ports.empty() && !endpoints_of(st.rec).empty() &&
                        endpoints_of(st.rec).front()->endpoint_id == endpoint.endpoint_id;
  auto leave = [self, endpoint, finish]() mutable {
    leave_next(self, {endpoint.network_id}, true, finish);
  };
  if (published_here)
    unpublish_ports(self, leave);
  else
    leave();
}

} // namespace berth::actors
