// Matching of events against /events filters, with moby's rules for each filter name.
#pragma once

#include <caf/error.hpp>

#include "actors/event.hpp"
#include "base/filter_args.hpp"

namespace berth::actors {

/// Fails with "invalid filter 'x'" for names /events does not know.
[[nodiscard]] caf::error validate_event_filters(const filter_args& filters);

/// True when `ev` passes every filter.
[[nodiscard]] bool event_matches(const filter_args& filters, const event& ev);

} // namespace berth::actors
