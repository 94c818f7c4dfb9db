// Local-only message payloads that CAF may carry without serialization support. Nothing in Berth
// is sent over the network, so these never need to be serializable.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <nlohmann/json.hpp>

#include "base/filter_args.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(berth::filter_args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nlohmann::json)
