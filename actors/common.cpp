#include "actors/common.hpp"

#include <unistd.h>

namespace ce::actors {

caf::error fault_injected() { return caf::make_error(caf::sec::runtime_error, "killed by operator fault injection"); }

std::string node_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string{host} + ":" + std::to_string(getpid());
}

} // namespace ce::actors
