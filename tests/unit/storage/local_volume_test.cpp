// Tests storage/local_volume: dockerd's local volume names and the driver options (type, device,
// o) with dockerd's messages.
#include <sys/mount.h>

#include <gtest/gtest.h>

#include "base/error.hpp"
#include "storage/local_volume.hpp"

using namespace berth;
using namespace berth::storage;

namespace {

std::string invalid_characters_message(const std::string& name) {
  return "create " + name + ": \"" + name +
         "\" includes invalid characters for a local volume name, only "
         "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
         "use absolute path";
}

// The message of parse_local_options' error ("" when it succeeded).
std::string options_error(const std::map<std::string, std::string>& options) {
  auto parsed = parse_local_options(options);
  if (parsed) return {};
  EXPECT_EQ(error_kind(parsed.error()), errc::invalid_argument);
  return error_message(parsed.error());
}

} // namespace

TEST(local_volume, accepts_dockerd_volume_names) {
  for (const std::string name :
       {"ab", "data", "my-volume", "my_volume", "v1.2", "0abc", "A-b_c.d", "x.", "9-"}) {
    EXPECT_FALSE(validate_volume_name(name)) << name;
  }
  // 64 hex characters: the anonymous volumes' names.
  EXPECT_FALSE(validate_volume_name(std::string(64, 'f')));
}

TEST(local_volume, one_character_is_too_short) {
  auto err = validate_volume_name("x");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::invalid_argument);
  EXPECT_EQ(error_message(err), "create x: volume name is too short, names should be at least two "
                                "alphanumeric characters");
  // Even an invalid single character gets the length message, as dockerd does.
  EXPECT_EQ(error_message(validate_volume_name("/")),
            "create /: volume name is too short, names should be at least two alphanumeric "
            "characters");
}

TEST(local_volume, invalid_characters_have_dockerd_message) {
  auto err = validate_volume_name("x/y");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::invalid_argument);
  // The exact text of the header comment.
  EXPECT_EQ(error_message(err),
            "create x/y: \"x/y\" includes invalid characters for a local volume name, only "
            "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
            "directory, use absolute path");
  for (const std::string name :
       {"..", "../etc", "a/..", ".hidden", "-dash", "_under", "a b", "a:b", "a\\b", "/abs", "é1"}) {
    auto e = validate_volume_name(name);
    ASSERT_TRUE(e) << name;
    EXPECT_EQ(error_message(e), invalid_characters_message(name)) << name;
  }
}

TEST(local_volume, empty_name_is_refused) {
  auto err = validate_volume_name("");
  ASSERT_TRUE(err);
  EXPECT_EQ(error_kind(err), errc::invalid_argument);
  EXPECT_EQ(error_message(err), invalid_characters_message(""));
}

TEST(local_volume, no_options_is_a_plain_directory) {
  auto parsed = parse_local_options({});
  ASSERT_TRUE(parsed) << error_message(parsed.error());
  EXPECT_FALSE(parsed->has_value());
}

TEST(local_volume, type_device_and_o_become_flags_and_data) {
  auto parsed =
      parse_local_options({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=64m,uid=1000"}});
  ASSERT_TRUE(parsed) << error_message(parsed.error());
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ(**parsed, (local_mount{"tmpfs", "tmpfs", 0, "size=64m,uid=1000"}));

  parsed = parse_local_options(
      {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=64m,uid=1000,ro,nosuid"}});
  ASSERT_TRUE(parsed) << error_message(parsed.error());
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->type, "tmpfs");
  EXPECT_EQ((*parsed)->device, "tmpfs");
  EXPECT_EQ((*parsed)->flags, static_cast<unsigned long>(MS_RDONLY | MS_NOSUID));
  EXPECT_EQ((*parsed)->data, "size=64m,uid=1000");
}

TEST(local_volume, flag_words_set_and_clear) {
  auto flags_of = [](const std::string& o) {
    auto parsed = parse_local_options({{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", o}});
    EXPECT_TRUE(parsed && parsed->has_value()) << o;
    return parsed && parsed->has_value() ? (*parsed)->flags : ~0UL;
  };
  EXPECT_EQ(flags_of("nodev,noexec,sync,noatime"),
            static_cast<unsigned long>(MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS | MS_NOATIME));
  // A later word undoes an earlier one, as in mount(8).
  EXPECT_EQ(flags_of("ro,rw"), 0UL);
  EXPECT_EQ(flags_of("nosuid,suid,nodev"), static_cast<unsigned long>(MS_NODEV));
  EXPECT_EQ(flags_of("defaults"), 0UL);
  // Empty words are skipped.
  EXPECT_EQ(flags_of(",ro,,"), static_cast<unsigned long>(MS_RDONLY));
}

TEST(local_volume, bind_and_rbind) {
  auto bind = parse_local_options({{"type", "none"}, {"device", "/srv/x"}, {"o", "bind"}});
  ASSERT_TRUE(bind) << error_message(bind.error());
  ASSERT_TRUE(bind->has_value());
  EXPECT_EQ(**bind, (local_mount{"none", "/srv/x", MS_BIND, ""}));

  auto rbind = parse_local_options({{"type", "none"}, {"device", "/srv/x"}, {"o", "rbind,ro"}});
  ASSERT_TRUE(rbind) << error_message(rbind.error());
  ASSERT_TRUE(rbind->has_value());
  EXPECT_EQ((*rbind)->flags, static_cast<unsigned long>(MS_BIND | MS_REC | MS_RDONLY));
  EXPECT_EQ((*rbind)->data, "");
}

TEST(local_volume, unknown_option_is_refused) {
  EXPECT_EQ(options_error({{"foo", "bar"}}), "invalid option: \"foo\"");
  EXPECT_EQ(options_error({{"type", "tmpfs"}, {"device", "tmpfs"}, {"foo", "1"}}),
            "invalid option: \"foo\"");
}

TEST(local_volume, type_and_device_go_together) {
  EXPECT_EQ(options_error({{"type", "tmpfs"}}), "missing required option: \"device\"");
  EXPECT_EQ(options_error({{"type", "tmpfs"}, {"o", "size=1m"}}),
            "missing required option: \"device\"");
  EXPECT_EQ(options_error({{"device", "tmpfs"}}), "missing required option: \"type\"");
  EXPECT_EQ(options_error({{"o", "size=1m"}}), "missing required option: \"type\"");
}

TEST(local_volume, size_is_refused_without_quota_support) {
  auto message = options_error({{"size", "10m"}});
  EXPECT_FALSE(message.empty());
  EXPECT_NE(message.find("quota"), std::string::npos) << message;
  message = options_error({{"type", "tmpfs"}, {"device", "tmpfs"}, {"size", "10m"}});
  EXPECT_NE(message.find("quota"), std::string::npos) << message;
}
