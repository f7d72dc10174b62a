// Messages several actors receive.
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <mutex>

namespace ce::actors {

/// One immutable T per configuration object, built on first use and shared by every call
/// (compiled phrase tables, parsed tool schemas: tens of KB that would otherwise be built
/// again for each call). Keyed by the configuration's ownership, so a new configuration
/// object gets its own T; `build(cfg)` returns std::shared_ptr<const T>.
template <class T, class Config, class Build>
std::shared_ptr<const T> per_config(const std::shared_ptr<const Config>& cfg, Build build) {
  static std::mutex mutex;
  static std::weak_ptr<const Config> key;
  static std::shared_ptr<const T> value;
  std::lock_guard<std::mutex> guard{mutex};
  const bool same = !key.expired() && !key.owner_before(cfg) && !cfg.owner_before(key);
  if (!same || !value) {
    value = build(*cfg);
    key = cfg;
  }
  return value;
}

/// (std::uint64_t new_generation), sent with message_priority::high on barge-in: drop
/// everything of older generations.
using interrupt_atom = caf::atom_constant<caf::atom("interrupt")>;

/// The reason an operator's fault injection gives a child (trappable, abnormal).
caf::error fault_injected();

} // namespace ce::actors
