#include "actors/common.hpp"

namespace ce::actors {

caf::error fault_injected() { return caf::make_error(caf::sec::runtime_error, "killed by operator fault injection"); }

} // namespace ce::actors
