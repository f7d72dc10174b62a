// Messages several actors receive.
#pragma once

#include <caf/all.hpp>

#include <string>

namespace ce::actors {

/// (std::uint64_t new_generation), sent with message_priority::high on barge-in: drop
/// everything of older generations.
using interrupt_atom = caf::atom_constant<caf::atom("interrupt")>;

/// The reason an operator's fault injection gives a child (trappable, abnormal).
caf::error fault_injected();

/// This engine process among the nodes sharing a database and Redis ("host:pid"): the
/// scheduler's claims and the AMD relay's messages carry it.
std::string node_name();

} // namespace ce::actors
