// One layer blob of a pull on its way into the content store (internal to image_pull): already
// there, downloaded by this pull (it leads the shared download and runs it on the download
// pool), or downloaded by another pull it waits for.
#pragma once

#include <memory>
#include <stop_token>
#include <string>

#include <caf/error.hpp>

#include "distribution/blob_downloads.hpp"
#include "distribution/progress_output.hpp"
#include "distribution/registry_service.hpp"
#include "distribution/transfer_source.hpp"
#include "registry/manifest.hpp"
#include "registry/repository.hpp"
#include "storage/content_store.hpp"

namespace berth::distribution {

class layer_download {
 public:
  /// Starts getting `layer` (ID `id` in the progress stream): nothing to do when the content
  /// store has it (then it joins `lease` at once), else joins or leads a shared download.
  static layer_download start(const transfer_source& source, const registry::descriptor& layer,
                              const std::string& id, storage::content_store::lease& lease);

  /// Waits until the blob is in the content store and in `lease`; "Download complete" is
  /// reported for blobs this pull did not download itself.
  [[nodiscard]] caf::error wait(storage::content_store::lease& lease, std::stop_token stop);

 private:
  std::shared_ptr<progress_reporter> progress_;
  std::string id_;
  std::string digest_;
  download_interest interest_; ///< empty when the blob was local
  bool leader_ = false;
};

} // namespace berth::distribution
