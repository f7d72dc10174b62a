// The actor side of the two-world bridge: implements ce::call_gateway for the network
// edge. Every method only sends a message (anon_send), so edge threads never block.
#pragma once

#include "actors/services.hpp"
#include "callengine/media_port.hpp"

#include <caf/all.hpp>

#include <memory>

namespace ce::actors {

class amd_relay;
/// `relay` (may be null): tells the other nodes the AMD verdicts this node receives.
std::unique_ptr<call_gateway> make_gateway(caf::actor_system& sys, engine_services services,
                                           std::shared_ptr<amd_relay> relay = nullptr);

} // namespace ce::actors
