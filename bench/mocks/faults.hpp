// Choosing which configured faults fire for one operation (a request, a connection, an
// utterance, a flush). Deterministic: probabilities draw from a seeded counter-based
// generator, and `every_nth` counts the operations a rule was eligible for.
#pragma once

#include "mocks/mock_config.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace ce::mocks {

/// splitmix64 over a shared counter: a reproducible stream of 64-bit values.
class random_source {
public:
  explicit random_source(std::uint64_t seed = 1) : seed_(seed) {}
  void reseed(std::uint64_t seed) {
    seed_.store(seed);
    counter_.store(0);
  }
  std::uint64_t next();
  /// Uniform in [0, 1).
  double next_unit();

private:
  std::atomic<std::uint64_t> seed_;
  std::atomic<std::uint64_t> counter_{0};
};

/// The faults that fired for one operation: at most one per kind.
struct fault_set {
  std::vector<const fault_rule*> fired;

  const fault_rule* get(fault_kind k) const {
    for (const auto* f : fired)
      if (f->kind == k) return f;
    return nullptr;
  }
  bool empty() const { return fired.empty(); }
};

/// Evaluates `rules` for `operation`, restricted to `kinds` (empty = every kind). A rule is
/// eligible when its `match` is a substring of `operation` (and `filter`, if given, agrees); it fires when it is the Nth
/// eligible operation (every_nth), wins its probability draw and has firings left. The
/// returned pointers point into `rules`, which must outlive the result (hold the config
/// snapshot).
fault_set select_faults(const std::vector<fault_rule>& rules, std::string_view operation,
                        std::initializer_list<fault_kind> kinds, random_source& rng,
                        const std::function<bool(const fault_rule&)>& filter = nullptr);
/// The same over several lists in order (a vendor's rules, then the global ones).
fault_set select_faults(std::initializer_list<const std::vector<fault_rule>*> lists, std::string_view operation,
                        std::initializer_list<fault_kind> kinds, random_source& rng,
                        const std::function<bool(const fault_rule&)>& filter = nullptr);

/// Rules given for a single request in an `X-Mock-Fault` header (a JSON object or an
/// array of them); they always fire. Empty when the header is absent or malformed (the
/// error is returned through `err`).
std::vector<fault_rule> parse_fault_header(std::string_view header, config_error& err);

/// Adds the header rules to a selection, overriding same-kind entries.
void add_forced(fault_set& set, const std::vector<fault_rule>& forced,
                std::initializer_list<fault_kind> kinds);

} // namespace ce::mocks
