// The test images (tests/images/*.py), generated once per test binary into a temp directory.
#pragma once

#include <string>

namespace berth::test {

/// Directory with busybox.tar, busybox-oci.tar, layered.tar, rootfs.tar (generated on first use).
[[nodiscard]] const std::string& test_images_dir();

/// Directory with the malicious and broken archives of make_bad_images.py.
[[nodiscard]] const std::string& bad_images_dir();

/// Path of big.tar with about `mib` MiB of layer data (generated on first use).
[[nodiscard]] std::string big_image(int mib);

/// The image ID recorded in a docker-save archive's first manifest.json entry.
[[nodiscard]] std::string archive_image_id(const std::string& archive);

} // namespace berth::test
