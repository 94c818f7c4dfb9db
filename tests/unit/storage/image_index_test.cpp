// Tests storage/image_index and storage/image_delete: lookup by name and ID prefix, and dockerd's
// rules for rmi and prune (untag vs delete, conflicts, layer release, parent pruning).
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/filter_args.hpp"
#include "base/time.hpp"
#include "storage/build_cache.hpp"
#include "storage/digest.hpp"
#include "storage/image_delete.hpp"
#include "storage/image_index.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

// An image whose config names `layers` diff IDs; `salt` makes configs (and IDs) distinct.
image_record make_image(const std::vector<std::string>& layers, const std::string& salt,
                        const std::string& created = "2024-01-01T00:00:00Z") {
  nlohmann::json diffs = nlohmann::json::array();
  for (const auto& l : layers)
    diffs.push_back(sha256_digest(l));
  nlohmann::json cfg{{"architecture", "amd64"},
                     {"os", "linux"},
                     {"created", created},
                     {"config", {{"Labels", {{"salt", salt}}}}},
                     {"rootfs", {{"type", "layers"}, {"diff_ids", diffs}}}};
  return *image_record::from_config(cfg.dump());
}

void add(image_index& index, const image_record& img) {
  index.put_image(img);
  std::string parent;
  for (size_t i = 0; i < img.chain_ids.size(); ++i) {
    layer_record l;
    l.chain_id = img.chain_ids[i];
    l.diff_id = img.diff_ids[i];
    l.parent = parent;
    l.cache_id = l.chain_id.substr(7, 16);
    l.size = 100;
    index.put_layer(l);
    parent = l.chain_id;
  }
}

std::vector<std::string> record_lines(const delete_plan& plan) {
  std::vector<std::string> out;
  for (const auto& r : plan.records)
    out.push_back(r.untagged.empty() ? "Deleted: " + r.deleted : "Untagged: " + r.untagged);
  return out;
}

} // namespace

TEST(image_index, resolves_names_ids_and_prefixes) {
  image_index index;
  auto img = make_image({"base"}, "a");
  add(index, img);
  index.set_reference("docker.io/library/busybox:latest", img.id);
  for (const char* name :
       {"busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox"}) {
    auto r = index.resolve(name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->image->id, img.id);
    EXPECT_EQ(r->reference, "docker.io/library/busybox:latest");
  }
  auto by_id = index.resolve(img.id);
  ASSERT_TRUE(by_id);
  EXPECT_TRUE(by_id->reference.empty());
  EXPECT_TRUE(index.resolve(img.id.substr(7)));
  EXPECT_TRUE(index.resolve(img.id.substr(7, 5)));
  auto missing = index.resolve("nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(error_kind(missing.error()), errc::not_found);
  EXPECT_EQ(error_message(missing.error()), "No such image: nope:latest");
  auto invalid = index.resolve("Bad Name");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(error_kind(invalid.error()), errc::invalid_argument);
}

TEST(image_index, short_id_takes_twelve_hex_digits) {
  EXPECT_EQ(short_id("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            "0123456789ab");
  EXPECT_EQ(short_id("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"),
            "fedcba987654");
  EXPECT_EQ(short_id("abc"), "abc");
  EXPECT_EQ(short_id("sha256:abc"), "abc");
  EXPECT_EQ(short_id(""), "");
}

TEST(image_index, ambiguous_prefixes_are_an_error) {
  image_index index;
  // Find two images whose IDs share a first hex digit.
  std::map<char, std::vector<image_record>> by_first;
  for (int i = 0; i < 40; ++i) {
    auto img = make_image({"l"}, std::to_string(i));
    by_first[img.id[7]].push_back(img);
  }
  for (auto& [c, imgs] : by_first) {
    if (imgs.size() < 2) continue;
    add(index, imgs[0]);
    add(index, imgs[1]);
    auto r = index.resolve(std::string(1, c));
    ASSERT_FALSE(r);
    EXPECT_EQ(error_kind(r.error()), errc::invalid_argument);
    EXPECT_NE(error_message(r.error()).find("ambiguous"), std::string::npos);
    return;
  }
  FAIL() << "no shared prefix among 40 IDs";
}

TEST(image_delete, untag_keeps_an_image_with_other_tags_then_deletes_with_the_last) {
  image_index index;
  auto img = make_image({"base"}, "a");
  add(index, img);
  index.set_reference("docker.io/library/busybox:latest", img.id);
  index.set_reference("docker.io/me/bb:1", img.id);
  auto untag = plan_image_delete(index, "me/bb:1", false, true, {});
  ASSERT_TRUE(untag);
  EXPECT_EQ(record_lines(*untag), std::vector<std::string>{"Untagged: me/bb:1"});
  EXPECT_TRUE(untag->remove_images.empty());
  apply_plan(*untag, index);
  auto last = plan_image_delete(index, "busybox", false, true, {});
  ASSERT_TRUE(last);
  EXPECT_EQ(record_lines(*last),
            (std::vector<std::string>{"Untagged: busybox:latest", "Deleted: " + img.id,
                                      "Deleted: " + img.chain_ids[0]}));
  EXPECT_EQ(last->space_reclaimed, 100u);
  apply_plan(*last, index);
  EXPECT_TRUE(index.images().empty());
  EXPECT_TRUE(index.layers().empty());
}

TEST(image_delete, by_id_with_tags_in_two_repositories_must_be_forced) {
  image_index index;
  auto img = make_image({"base"}, "a");
  add(index, img);
  index.set_reference("docker.io/library/busybox:latest", img.id);
  index.set_reference("docker.io/me/bb:1", img.id);
  auto refused = plan_image_delete(index, img.id.substr(7, 12), false, true, {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(error_kind(refused.error()), errc::conflict);
  EXPECT_EQ(error_message(refused.error()),
            "conflict: unable to delete " + img.id.substr(7, 12) +
                " (must be forced) - image is referenced in multiple repositories");
  auto forced = plan_image_delete(index, img.id.substr(7, 12), true, true, {});
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->remove_images, std::vector<std::string>{img.id});
  EXPECT_EQ(forced->remove_references.size(), 2u);
}

TEST(image_delete, containers_block_deletion_like_dockerd) {
  image_index index;
  auto img = make_image({"base"}, "a");
  add(index, img);
  index.set_reference("docker.io/library/busybox:latest", img.id);
  std::vector<image_user> running{{"c0ffee0123456789", img.id, true}};
  std::vector<image_user> stopped{{"c0ffee0123456789", img.id, false}};
  auto by_name = plan_image_delete(index, "busybox", false, true, stopped);
  ASSERT_FALSE(by_name);
  EXPECT_EQ(error_message(by_name.error()),
            "conflict: unable to remove repository reference \"busybox\" (must force) - container "
            "c0ffee012345 is using its referenced image " +
                img.id.substr(7, 12));
  auto by_id = plan_image_delete(index, img.id, true, true, running);
  ASSERT_FALSE(by_id);
  EXPECT_NE(error_message(by_id.error())
                .find("(cannot be forced) - image is being used by running container c0ffee012345"),
            std::string::npos);
  // Forced with a stopped container: the tag goes, the image (and its layers) stay.
  auto forced = plan_image_delete(index, "busybox", true, true, stopped);
  ASSERT_TRUE(forced);
  EXPECT_EQ(record_lines(*forced), std::vector<std::string>{"Untagged: busybox:latest"});
  EXPECT_TRUE(forced->remove_layers.empty());
}

TEST(image_delete, shared_layers_stay_until_their_last_image_goes) {
  image_index index;
  auto base = make_image({"base"}, "a");
  auto child = make_image({"base", "top"}, "b");
  add(index, base);
  add(index, child);
  index.set_reference("docker.io/library/base:1", base.id);
  index.set_reference("docker.io/library/child:1", child.id);
  auto plan = plan_image_delete(index, "base:1", false, true, {});
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->remove_layers.empty()) << "the child still uses the base layer";
}

TEST(image_prune, dangling_only_by_default_everything_unused_with_dangling_false) {
  image_index index;
  auto tagged = make_image({"a"}, "tagged");
  auto dangling = make_image({"b"}, "dangling");
  auto used = make_image({"c"}, "used");
  for (const auto& i : {tagged, dangling, used})
    add(index, i);
  index.set_reference("docker.io/library/tagged:1", tagged.id);
  std::vector<image_user> users{{"c1", used.id, false}};
  auto dangling_plan = plan_image_prune(index, {}, users, 0);
  ASSERT_TRUE(dangling_plan);
  EXPECT_EQ(dangling_plan->remove_images, std::vector<std::string>{dangling.id});
  auto all = plan_image_prune(index, *filter_args::parse(R"({"dangling":["false"]})"), users, 0);
  ASSERT_TRUE(all);
  std::set<std::string> removed(all->remove_images.begin(), all->remove_images.end());
  EXPECT_EQ(removed, (std::set<std::string>{tagged.id, dangling.id}));
  EXPECT_FALSE(plan_image_prune(index, *filter_args::parse(R"({"colour":["x"]})"), users, 0));
}

namespace {

// base (tagged, pulled) ← step1 ← step2 ← final (tagged); an unused dangling commit on base;
// a cache image a stopped container uses.
struct build_cache_images {
  image_record base = make_image({"base"}, "base", "2024-01-01T00:00:00Z");
  image_record step1 = make_image({"base", "s1"}, "s1", "2024-01-02T00:00:00Z");
  image_record step2 = make_image({"base", "s1"}, "s2", "2024-01-03T00:00:00Z");
  image_record final_image = make_image({"base", "s1", "f"}, "f", "2024-01-04T00:00:00Z");
  image_record commit = make_image({"base", "c"}, "c", "2024-01-05T00:00:00Z");
  image_record used = make_image({"base", "u"}, "u", "2024-01-06T00:00:00Z");
  image_index index;
  std::vector<image_user> users;

  build_cache_images() {
    step1.parent = base.id;
    step2.parent = step1.id;
    final_image.parent = step2.id;
    commit.parent = base.id;
    used.parent = base.id;
    for (const auto& i : {base, step1, step2, final_image, commit, used})
      add(index, i);
    index.set_reference("docker.io/library/base:1", base.id);
    index.set_reference("docker.io/library/app:1", final_image.id);
    users = {{"c1", used.id, false}};
  }
};

std::set<std::string> removed_images(const delete_plan& plan) {
  return {plan.remove_images.begin(), plan.remove_images.end()};
}

} // namespace

TEST(build_cache_prune, removes_untagged_build_images_and_unlinks_their_children) {
  build_cache_images b;
  auto plan = plan_build_cache_prune(b.index, {}, b.users, 0);
  ASSERT_TRUE(plan) << error_message(plan.error());
  EXPECT_EQ(removed_images(*plan), (std::set<std::string>{b.step1.id, b.step2.id, b.commit.id}));
  // The commit's own layer goes; step1's layer stays (the tagged image uses it).
  EXPECT_EQ(plan->remove_layers, std::vector<std::string>{b.commit.chain_ids.back()});
  EXPECT_EQ(plan->space_reclaimed, 100u);
  ASSERT_EQ(plan->reparented.size(), 1u);
  EXPECT_EQ(plan->reparented[0].id, b.final_image.id);
  EXPECT_TRUE(plan->reparented[0].parent.empty());
  // The records name the images only.
  EXPECT_EQ(plan->records.size(), 3u);
  apply_plan(*plan, b.index);
  EXPECT_TRUE(b.index.image(b.final_image.id)->parent.empty());
  EXPECT_TRUE(b.index.image(b.used.id));
  EXPECT_TRUE(b.index.layer(b.final_image.chain_ids[1]));
}

TEST(build_cache_prune, honours_until_id_type_and_the_space_to_keep) {
  build_cache_images b;
  auto now = *parse_rfc3339("2024-01-05T12:00:00Z");
  build_cache_prune_options older;
  older.filters = *filter_args::parse(R"({"until":["60h"]})"); // before 2024-01-03T00:00
  auto plan = plan_build_cache_prune(b.index, older, b.users, now);
  ASSERT_TRUE(plan);
  EXPECT_EQ(removed_images(*plan), (std::set<std::string>{b.step1.id}));

  build_cache_prune_options by_id;
  by_id.filters = *filter_args::parse(R"({"id":[")" + b.commit.id.substr(7, 12) + R"("]})");
  plan = plan_build_cache_prune(b.index, by_id, b.users, now);
  ASSERT_TRUE(plan);
  EXPECT_EQ(removed_images(*plan), (std::set<std::string>{b.commit.id}));

  build_cache_prune_options other_type;
  other_type.filters = *filter_args::parse(R"({"type":["exec.cachemount"]})");
  plan = plan_build_cache_prune(b.index, other_type, b.users, now);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->remove_images.empty());

  // 100 bytes of cache (the commit's layer) fit in 100 reserved bytes: nothing goes.
  build_cache_prune_options keep;
  keep.reserved_space = 100;
  plan = plan_build_cache_prune(b.index, keep, b.users, now);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->space_reclaimed, 0u);
  keep.reserved_space = 99;
  plan = plan_build_cache_prune(b.index, keep, b.users, now);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->space_reclaimed, 100u);
}

TEST(build_cache_prune, refuses_bad_filters_with_dockerds_words) {
  build_cache_images b;
  auto bad = [&](const std::string& filters) {
    build_cache_prune_options o;
    o.filters = *filter_args::parse(filters);
    auto plan = plan_build_cache_prune(b.index, o, b.users, 0);
    return plan ? std::string{} : error_message(plan.error());
  };
  EXPECT_EQ(bad(R"({"until":["24h"],"unused-for":["1h"]})"),
            "conflicting filters: \"until\" and \"unused-for\"");
  EXPECT_EQ(bad(R"({"until":["soon"]})"),
            "\"until\" filter expects a duration (e.g., '24h') or a timestamp");
  EXPECT_EQ(bad(R"({"until":["1h","2h"]})"), "filters expect only one value");
  EXPECT_NE(bad(R"({"colour":["x"]})"), "");
}

TEST(build_cache_prune, records_count_each_freed_layer_once) {
  build_cache_images b;
  auto records = build_cache_records(b.index);
  ASSERT_EQ(records.size(), 4u); // step1, step2, the commit and the used image, oldest first
  EXPECT_EQ(records[0].id, b.step1.id);
  EXPECT_EQ(records[0].parent, b.base.id);
  EXPECT_EQ(records[0].size, 0u); // its layer is the tagged image's too
  EXPECT_EQ(records[1].id, b.step2.id);
  EXPECT_EQ(records[2].id, b.commit.id);
  EXPECT_EQ(records[2].size, 100u);
  EXPECT_EQ(records[3].id, b.used.id);
  EXPECT_FALSE(is_build_cache_image(b.index, b.final_image));
  EXPECT_FALSE(is_build_cache_image(b.index, b.base));
}
