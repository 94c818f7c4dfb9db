// Tests actors/container_volumes: which volumes a new container gets (-v, --mount, Config.Volumes,
// --volumes-from) as dockerd's registerMountPoints decides, inspect's "Mounts", and the stored
// form.
#include <algorithm>

#include <gtest/gtest.h>

#include "actors/container_volumes.hpp"
#include "base/error.hpp"

using namespace berth;
using namespace berth::actors;

namespace {

runtime::mount_config volume_mount(const std::string& source, const std::string& target) {
  runtime::mount_config m;
  m.type = "volume";
  m.source = source;
  m.target = target;
  return m;
}

runtime::mount_config bind_mount(const std::string& source, const std::string& target,
                                 bool read_only = false) {
  runtime::mount_config m;
  m.type = "bind";
  m.source = source;
  m.target = target;
  m.read_only = read_only;
  return m;
}

runtime::mount_config tmpfs_mount(const std::string& target) {
  runtime::mount_config m;
  m.type = "tmpfs";
  m.target = target;
  return m;
}

container_volume named(const std::string& name, const std::string& destination) {
  container_volume v;
  v.name = name;
  v.destination = destination;
  return v;
}

container_volume bind(const std::string& source, const std::string& destination) {
  container_volume v;
  v.type = "bind";
  v.source = source;
  v.destination = destination;
  return v;
}

// volumes_for_create that must succeed.
std::vector<container_volume> create(const runtime::host_config& host,
                                     const runtime::container_config& config = {},
                                     const std::vector<inherited_mounts>& from = {}) {
  auto out = volumes_for_create(host, config, from);
  EXPECT_TRUE(out) << error_message(out.error());
  return out ? *out : std::vector<container_volume>{};
}

std::string create_error(const runtime::host_config& host,
                         const runtime::container_config& config = {},
                         const std::vector<inherited_mounts>& from = {}) {
  auto out = volumes_for_create(host, config, from);
  if (out) return {};
  EXPECT_EQ(error_kind(out.error()), errc::invalid_argument);
  return error_message(out.error());
}

const container_volume* at(const std::vector<container_volume>& volumes,
                           const std::string& destination) {
  auto i = std::find_if(volumes.begin(), volumes.end(),
                        [&](const container_volume& v) { return v.destination == destination; });
  return i == volumes.end() ? nullptr : &*i;
}

std::vector<std::string> destinations(const std::vector<container_volume>& volumes) {
  std::vector<std::string> out;
  for (const auto& v : volumes)
    out.push_back(v.destination);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

// --- parse_volumes_from ---

TEST(container_volumes, parses_volumes_from_entries) {
  auto plain = parse_volumes_from("c1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, (std::pair<std::string, std::string>{"c1", ""}));
  auto ro = parse_volumes_from("c1:ro");
  ASSERT_TRUE(ro);
  EXPECT_EQ(*ro, (std::pair<std::string, std::string>{"c1", "ro"}));
  auto rw = parse_volumes_from("c1:rw");
  ASSERT_TRUE(rw);
  EXPECT_EQ(*rw, (std::pair<std::string, std::string>{"c1", "rw"}));
}

TEST(container_volumes, refuses_an_unknown_volumes_from_mode) {
  auto bad = parse_volumes_from("c1:xx");
  ASSERT_FALSE(bad);
  EXPECT_EQ(error_kind(bad.error()), errc::invalid_argument);
  EXPECT_EQ(error_message(bad.error()), "invalid mode for volumes-from: xx");
  auto empty = parse_volumes_from("c1:");
  ASSERT_FALSE(empty);
  EXPECT_EQ(error_message(empty.error()), "invalid mode for volumes-from: ");
}

// --- volumes_for_create: -v ---

TEST(container_volumes, named_volume_from_v_gets_mode_z) {
  runtime::host_config host;
  host.binds = {"data:/d"};
  auto volumes = create(host);
  ASSERT_EQ(volumes.size(), 1u);
  const auto& v = volumes[0];
  EXPECT_EQ(v.type, "volume");
  EXPECT_EQ(v.name, "data");
  EXPECT_EQ(v.destination, "/d");
  EXPECT_EQ(v.mode, "z");
  EXPECT_FALSE(v.read_only);
  EXPECT_TRUE(v.copy_data);
  EXPECT_EQ(v.driver, "local");
  EXPECT_TRUE(v.source.empty());
}

TEST(container_volumes, named_volume_modes) {
  runtime::host_config host;
  host.binds = {"ro-vol:/ro:ro", "nocopy-vol:/nc:nocopy", "both:/both:ro,nocopy"};
  auto volumes = create(host);
  ASSERT_EQ(volumes.size(), 3u);
  auto ro = at(volumes, "/ro");
  ASSERT_NE(ro, nullptr);
  EXPECT_EQ(ro->mode, "ro");
  EXPECT_TRUE(ro->read_only);
  EXPECT_TRUE(ro->copy_data);
  auto nc = at(volumes, "/nc");
  ASSERT_NE(nc, nullptr);
  EXPECT_EQ(nc->mode, "nocopy");
  EXPECT_FALSE(nc->read_only);
  EXPECT_FALSE(nc->copy_data);
  auto both = at(volumes, "/both");
  ASSERT_NE(both, nullptr);
  EXPECT_EQ(both->mode, "ro,nocopy");
  EXPECT_TRUE(both->read_only);
  EXPECT_FALSE(both->copy_data);
}

TEST(container_volumes, anonymous_volume_from_v) {
  runtime::host_config host;
  host.binds = {"/anon"};
  auto volumes = create(host);
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_EQ(volumes[0].type, "volume");
  EXPECT_EQ(volumes[0].name, "");
  EXPECT_EQ(volumes[0].destination, "/anon");
  EXPECT_EQ(volumes[0].mode, ""); // no "z": dockerd sets it for named volumes only
}

TEST(container_volumes, bind_from_v_is_not_a_volume_entry) {
  runtime::host_config host;
  host.binds = {"/host:/h", "/srv:/srv:ro"};
  EXPECT_TRUE(create(host).empty());
}

TEST(container_volumes, invalid_bind_spec_is_an_error) {
  runtime::host_config host;
  host.binds = {":/x"};
  EXPECT_NE(create_error(host), "");
}

// --- volumes_for_create: --mount ---

TEST(container_volumes, mount_type_volume_named_and_anonymous) {
  runtime::host_config host;
  auto with_options = volume_mount("vol", "/m");
  with_options.volume_labels = {{"team", "a"}};
  with_options.volume_driver_options = {{"type", "tmpfs"}, {"device", "tmpfs"}};
  with_options.read_only = true;
  host.mounts = {with_options, volume_mount("", "/anon")};
  auto volumes = create(host);
  ASSERT_EQ(volumes.size(), 2u);
  auto m = at(volumes, "/m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->type, "volume");
  EXPECT_EQ(m->name, "vol");
  EXPECT_EQ(m->mode, ""); // --mount shows no mode
  EXPECT_TRUE(m->read_only);
  EXPECT_TRUE(m->copy_data);
  EXPECT_EQ(m->labels, (std::map<std::string, std::string>{{"team", "a"}}));
  EXPECT_EQ(m->options,
            (std::map<std::string, std::string>{{"type", "tmpfs"}, {"device", "tmpfs"}}));
  auto anon = at(volumes, "/anon");
  ASSERT_NE(anon, nullptr);
  EXPECT_EQ(anon->name, "");
  EXPECT_EQ(anon->type, "volume");
}

TEST(container_volumes, volume_nocopy_turns_off_copy_up) {
  runtime::host_config host;
  auto m = volume_mount("vol", "/m");
  m.has_volume_options = true;
  m.volume_no_copy = true;
  host.mounts = {m};
  auto volumes = create(host);
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_FALSE(volumes[0].copy_data);
}

TEST(container_volumes, mount_volume_driver_is_kept) {
  runtime::host_config host;
  auto m = volume_mount("vol", "/m");
  m.volume_driver = "other";
  host.mounts = {m};
  auto volumes = create(host);
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_EQ(volumes[0].driver, "other");
}

TEST(container_volumes, mount_bind_and_tmpfs_are_not_volume_entries) {
  runtime::host_config host;
  host.mounts = {bind_mount("/host", "/b"), tmpfs_mount("/t")};
  host.tmpfs = {{"/run", "size=1m"}};
  EXPECT_TRUE(create(host).empty());
}

// --- volumes_for_create: Config.Volumes ---

TEST(container_volumes, config_volumes_become_anonymous_volumes_unless_covered) {
  runtime::host_config host;
  host.binds = {"/host:/bound", "named:/named"};
  host.mounts = {bind_mount("/x", "/mounted"), volume_mount("mv", "/mount-vol")};
  host.tmpfs = {{"/tmp-fs", ""}};
  runtime::container_config config;
  config.volumes = {"/bound", "/named", "/mounted", "/mount-vol", "/tmp-fs", "/free", "/data"};
  auto volumes = create(host, config);
  EXPECT_EQ(destinations(volumes),
            (std::vector<std::string>{"/data", "/free", "/mount-vol", "/named"}));
  for (const std::string path : {"/data", "/free"}) {
    auto v = at(volumes, path);
    ASSERT_NE(v, nullptr) << path;
    EXPECT_EQ(v->type, "volume");
    EXPECT_EQ(v->name, "") << path;
    EXPECT_TRUE(v->copy_data) << path;
    EXPECT_FALSE(v->read_only) << path;
    EXPECT_EQ(v->mode, "") << path;
  }
  EXPECT_EQ(at(volumes, "/named")->name, "named");
  EXPECT_EQ(at(volumes, "/mount-vol")->name, "mv");
}

TEST(container_volumes, config_volume_paths_are_cleaned) {
  // dockerd: destination := filepath.Clean(spec) for every Config.Volumes entry.
  runtime::host_config host;
  host.binds = {"/host:/bound"};
  runtime::container_config config;
  config.volumes = {"/bound/", "/data/", "/a//b/../c"};
  auto volumes = create(host, config);
  EXPECT_EQ(destinations(volumes), (std::vector<std::string>{"/a/c", "/data"}));
}

TEST(container_volumes, mount_targets_are_cleaned) {
  // dockerd's ParseMountSpec: Destination = path.Clean(Target).
  runtime::host_config host;
  host.mounts = {volume_mount("vol", "/m/"), bind_mount("/h", "/b//")};
  runtime::container_config config;
  config.volumes = {"/m", "/b"};
  auto volumes = create(host, config);
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_EQ(volumes[0].destination, "/m");
  EXPECT_EQ(volumes[0].name, "vol");

  runtime::host_config twice;
  twice.mounts = {volume_mount("a", "/d/"), volume_mount("b", "/d")};
  EXPECT_EQ(create_error(twice), "Duplicate mount point: /d");
}

// --- volumes_for_create: duplicates ---

TEST(container_volumes, duplicate_destination_is_refused) {
  runtime::host_config two_v;
  two_v.binds = {"a:/d", "b:/d"};
  EXPECT_EQ(create_error(two_v), "Duplicate mount point: /d");

  runtime::host_config bind_and_volume;
  bind_and_volume.binds = {"/host:/d", "vol:/d"};
  EXPECT_EQ(create_error(bind_and_volume), "Duplicate mount point: /d");

  runtime::host_config v_and_mount;
  v_and_mount.binds = {"vol:/d"};
  v_and_mount.mounts = {volume_mount("other", "/d")};
  EXPECT_EQ(create_error(v_and_mount), "Duplicate mount point: /d");

  runtime::host_config two_mounts;
  two_mounts.mounts = {bind_mount("/h", "/d"), tmpfs_mount("/d")};
  EXPECT_EQ(create_error(two_mounts), "Duplicate mount point: /d");

  runtime::host_config v_and_tmpfs;
  v_and_tmpfs.binds = {"/host:/d"};
  v_and_tmpfs.tmpfs = {{"/d", ""}};
  EXPECT_EQ(create_error(v_and_tmpfs), "Duplicate mount point: /d");
}

TEST(container_volumes, config_volume_at_a_mounted_destination_is_not_a_duplicate) {
  runtime::host_config host;
  host.binds = {"vol:/d"};
  runtime::container_config config;
  config.volumes = {"/d"};
  auto volumes = create(host, config);
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_EQ(volumes[0].name, "vol");
}

// --- volumes_for_create: --volumes-from ---

namespace {

// A container with a volume at /x, an anonymous one at /anon, a -v bind /srv:ro, a --mount
// bind /m2 and a --mount tmpfs /tm (tmpfs is not inherited).
inherited_mounts other_container(const std::string& mode) {
  inherited_mounts from;
  from.mode = mode;
  auto x = named("xvol", "/x");
  x.mode = "z";
  auto anon = named(std::string(64, 'a'), "/anon");
  from.volumes = {x, anon};
  from.host.binds = {"/srv:/srv:ro", "xvol:/x"};
  from.host.mounts = {bind_mount("/host2", "/m2"), tmpfs_mount("/tm")};
  return from;
}

} // namespace

TEST(container_volumes, volumes_from_inherits_volumes_and_binds) {
  auto volumes = create({}, {}, {other_container("")});
  EXPECT_EQ(destinations(volumes), (std::vector<std::string>{"/anon", "/m2", "/srv", "/x"}));
  auto x = at(volumes, "/x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->type, "volume");
  EXPECT_EQ(x->name, "xvol");
  EXPECT_EQ(x->mode, "z");
  EXPECT_FALSE(x->read_only);
  EXPECT_FALSE(x->copy_data); // never copy-up into a shared volume
  auto anon = at(volumes, "/anon");
  ASSERT_NE(anon, nullptr);
  EXPECT_EQ(anon->name, std::string(64, 'a'));
  EXPECT_FALSE(anon->copy_data);
  auto srv = at(volumes, "/srv");
  ASSERT_NE(srv, nullptr);
  EXPECT_EQ(srv->type, "bind");
  EXPECT_EQ(srv->source, "/srv");
  EXPECT_EQ(srv->mode, "ro");
  EXPECT_TRUE(srv->read_only);
  EXPECT_FALSE(srv->copy_data);
  auto m2 = at(volumes, "/m2");
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->type, "bind");
  EXPECT_EQ(m2->source, "/host2");
  EXPECT_FALSE(m2->read_only);
}

TEST(container_volumes, volumes_from_ro_makes_everything_read_only) {
  auto volumes = create({}, {}, {other_container("ro")});
  ASSERT_EQ(volumes.size(), 4u);
  for (const auto& v : volumes)
    EXPECT_TRUE(v.read_only) << v.destination;
}

TEST(container_volumes, volumes_from_rw_keeps_read_only_mounts_read_only) {
  // dockerd: RW = m.RW && ReadWrite(mode): ":rw" never makes a read-only mount writable.
  auto from = other_container("rw");
  from.volumes[0].read_only = true;
  auto volumes = create({}, {}, {from});
  ASSERT_EQ(volumes.size(), 4u);
  EXPECT_TRUE(at(volumes, "/x")->read_only);
  EXPECT_TRUE(at(volumes, "/srv")->read_only);
  EXPECT_FALSE(at(volumes, "/anon")->read_only);
  EXPECT_FALSE(at(volumes, "/m2")->read_only);
}

TEST(container_volumes, own_v_wins_over_volumes_from) {
  runtime::host_config host;
  host.binds = {"mine:/x", "/host-srv:/srv", "/host-anon:/anon"};
  host.mounts = {volume_mount("mounted", "/m2")};
  auto volumes = create(host, {}, {other_container("")});
  EXPECT_EQ(destinations(volumes), (std::vector<std::string>{"/m2", "/x"}));
  auto x = at(volumes, "/x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->name, "mine");
  EXPECT_TRUE(x->copy_data);
  EXPECT_EQ(x->mode, "z");
  auto m2 = at(volumes, "/m2");
  ASSERT_NE(m2, nullptr);
  EXPECT_EQ(m2->type, "volume");
  EXPECT_EQ(m2->name, "mounted");
}

TEST(container_volumes, own_mount_and_tmpfs_win_over_volumes_from) {
  runtime::host_config host;
  host.mounts = {bind_mount("/h", "/x")};
  host.tmpfs = {{"/anon", ""}};
  auto volumes = create(host, {}, {other_container("")});
  EXPECT_EQ(destinations(volumes), (std::vector<std::string>{"/m2", "/srv"}));
}

TEST(container_volumes, config_volume_inherited_through_volumes_from_is_not_added) {
  runtime::container_config config;
  config.volumes = {"/x", "/new"};
  auto volumes = create({}, config, {other_container("")});
  EXPECT_EQ(destinations(volumes),
            (std::vector<std::string>{"/anon", "/m2", "/new", "/srv", "/x"}));
  EXPECT_EQ(at(volumes, "/x")->name, "xvol");
  EXPECT_EQ(at(volumes, "/new")->name, "");
}

TEST(container_volumes, later_volumes_from_wins_at_the_same_destination) {
  inherited_mounts first;
  first.volumes = {named("first", "/shared")};
  inherited_mounts second;
  second.volumes = {named("second", "/shared")};
  auto volumes = create({}, {}, {first, second});
  ASSERT_EQ(volumes.size(), 1u);
  EXPECT_EQ(volumes[0].name, "second");
}

// --- mounts_json ---

TEST(container_volumes, mounts_json_lists_binds_volumes_and_tmpfs) {
  runtime::host_config host;
  host.binds = {"/host:/h:ro", "/plain:/p", "named:/n"};
  auto mount_bind = bind_mount("/mb", "/mb-target", true);
  mount_bind.bind_propagation = "rshared";
  host.mounts = {mount_bind, tmpfs_mount("/t"), volume_mount("mv", "/mv")};
  host.tmpfs = {{"/run", ""}}; // --tmpfs: not listed (as dockerd)
  auto n = named("named", "/n");
  n.mode = "z";
  auto mv = named("mv", "/mv");
  mv.read_only = true;
  auto inherited = bind("/inh", "/i");
  inherited.mode = "ro";
  inherited.read_only = true;
  auto mounts = mounts_json(host, {n, mv, inherited}, "/var/lib/berth/volumes");
  ASSERT_TRUE(mounts.is_array());
  ASSERT_EQ(mounts.size(), 7u);

  using json = nlohmann::json;
  EXPECT_EQ(mounts[0], (json{{"Type", "bind"},
                             {"Source", "/host"},
                             {"Destination", "/h"},
                             {"Mode", "ro"},
                             {"RW", false},
                             {"Propagation", "rprivate"}}));
  EXPECT_EQ(mounts[1], (json{{"Type", "bind"},
                             {"Source", "/plain"},
                             {"Destination", "/p"},
                             {"Mode", ""},
                             {"RW", true},
                             {"Propagation", "rprivate"}}));
  EXPECT_EQ(mounts[2], (json{{"Type", "bind"},
                             {"Source", "/mb"},
                             {"Destination", "/mb-target"},
                             {"Mode", ""},
                             {"RW", false},
                             {"Propagation", "rshared"}}));
  EXPECT_EQ(mounts[3], (json{{"Type", "tmpfs"},
                             {"Source", ""},
                             {"Destination", "/t"},
                             {"Mode", ""},
                             {"RW", true},
                             {"Propagation", ""}}));
  EXPECT_EQ(mounts[4], (json{{"Type", "volume"},
                             {"Name", "named"},
                             {"Source", "/var/lib/berth/volumes/named/_data"},
                             {"Destination", "/n"},
                             {"Driver", "local"},
                             {"Mode", "z"},
                             {"RW", true},
                             {"Propagation", ""}}));
  EXPECT_EQ(mounts[5], (json{{"Type", "volume"},
                             {"Name", "mv"},
                             {"Source", "/var/lib/berth/volumes/mv/_data"},
                             {"Destination", "/mv"},
                             {"Driver", "local"},
                             {"Mode", ""},
                             {"RW", false},
                             {"Propagation", ""}}));
  EXPECT_EQ(mounts[6], (json{{"Type", "bind"},
                             {"Source", "/inh"},
                             {"Destination", "/i"},
                             {"Mode", "ro"},
                             {"RW", false},
                             {"Propagation", "rprivate"}}));
  // Name and Driver only on volumes.
  for (const auto& m : mounts) {
    bool volume = m["Type"] == "volume";
    EXPECT_EQ(m.contains("Name"), volume) << m.dump();
    EXPECT_EQ(m.contains("Driver"), volume) << m.dump();
  }
}

TEST(container_volumes, mounts_json_of_nothing_is_an_empty_array) {
  auto mounts = mounts_json({}, {}, "/v");
  EXPECT_TRUE(mounts.is_array());
  EXPECT_TRUE(mounts.empty());
}

// --- stored form ---

TEST(container_volumes, json_round_trip) {
  container_volume v;
  v.type = "volume";
  v.name = "data";
  v.destination = "/d";
  v.read_only = true;
  v.copy_data = false;
  v.mode = "ro,nocopy";
  v.driver = "other";
  v.options = {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=1m"}};
  v.labels = {{"a", "1"}};
  EXPECT_EQ(container_volume_from_json(to_json(v)), v);
  // Through text, as the state store keeps it.
  EXPECT_EQ(container_volume_from_json(nlohmann::json::parse(to_json(v).dump())), v);

  auto b = bind("/host", "/h");
  b.mode = "rw";
  EXPECT_EQ(container_volume_from_json(to_json(b)), b);
}

TEST(container_volumes, json_defaults_for_missing_fields) {
  auto v = container_volume_from_json(nlohmann::json::object());
  EXPECT_EQ(v, container_volume{});
  EXPECT_EQ(v.type, "volume");
  EXPECT_EQ(v.driver, "local");
  EXPECT_TRUE(v.copy_data);
  EXPECT_FALSE(v.read_only);
}
