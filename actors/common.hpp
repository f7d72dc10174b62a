// Messages several actors receive.
#pragma once

#include <caf/all.hpp>

namespace ce::actors {

/// (std::uint64_t new_generation), sent with message_priority::high on barge-in: drop
/// everything of older generations.
using interrupt_atom = caf::atom_constant<caf::atom("interrupt")>;

/// The reason an operator's fault injection gives a child (trappable, abnormal).
caf::error fault_injected();

} // namespace ce::actors
