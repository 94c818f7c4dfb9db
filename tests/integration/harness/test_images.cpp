// The test images, generated once per test binary.
#include "test_images.hpp"

#include <cstdlib>
#include <map>
#include <stdexcept>

#include "base/sys.hpp"
#include "process.hpp"

namespace berth::test {

namespace {

std::string make_dir(const char* tmpl_prefix) {
  std::string tmpl = std::string("/tmp/") + tmpl_prefix + "-XXXXXX";
  std::string dir = ::mkdtemp(tmpl.data());
  static std::vector<std::string> to_remove;
  if (to_remove.empty())
    std::atexit([] {
      for (const auto& d : to_remove)
        (void) sys::remove_all(d);
    });
  to_remove.push_back(dir);
  return dir;
}

std::string generate(const std::vector<std::string>& args) {
  auto r = run(args, {.timeout = std::chrono::minutes(5)});
  if (r.exit_code != 0)
    throw std::runtime_error("image generation failed: " + r.err);
  return r.out;
}

} // namespace

const std::string& test_images_dir() {
  static const std::string dir = [] {
    auto d = make_dir("berth-test-images");
    generate({"python3", std::string(BERTH_SOURCE_DIR) + "/tests/images/make_images.py", "--out", d});
    return d;
  }();
  return dir;
}

const std::string& bad_images_dir() {
  static const std::string dir = [] {
    auto d = make_dir("berth-bad-images");
    generate({"python3", std::string(BERTH_SOURCE_DIR) + "/tests/images/make_bad_images.py", "--out",
              d, "--good", test_images_dir(), "--outside", d + "/outside"});
    return d;
  }();
  return dir;
}

std::string big_image(int mib) {
  static std::map<int, std::string> made;
  auto& path = made[mib];
  if (path.empty()) {
    auto d = make_dir("berth-big-image");
    generate({"python3", std::string(BERTH_SOURCE_DIR) + "/tests/images/make_images.py", "--out", d,
              "--big-mb", std::to_string(mib)});
    path = d + "/big.tar";
  }
  return path;
}

std::string archive_image_id(const std::string& archive) {
  auto r = shell("tar -xOf '" + archive + "' manifest.json | python3 -c "
                 "'import json,sys; print(json.load(sys.stdin)[0][\"Config\"].split(\"/\")[-1])'");
  auto hex = r.out.substr(0, r.out.find('\n'));
  return "sha256:" + hex;
}

} // namespace berth::test
