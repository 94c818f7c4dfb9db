// What a blob transfer task (a download or an upload on a pool thread) works with, held by
// shared pointers so that it stays alive for as long as the task runs, even past the pull or
// push that started it.
#pragma once

#include <memory>

#include "distribution/progress_output.hpp"
#include "distribution/registry_service.hpp"
#include "registry/repository.hpp"
#include "storage/content_store.hpp"

namespace berth::distribution {

struct transfer_source {
  std::shared_ptr<registry_service> service;
  std::shared_ptr<const registry_snapshot> snapshot; ///< keeps the HTTP client alive
  std::shared_ptr<registry::repository> repository;
  std::shared_ptr<storage::content_store> content;
  std::shared_ptr<progress_reporter> progress;
};

} // namespace berth::distribution
