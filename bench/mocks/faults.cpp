#include "mocks/faults.hpp"

#include <algorithm>

namespace ce::mocks {
namespace {

bool kind_wanted(fault_kind k, std::initializer_list<fault_kind> kinds) {
  return kinds.size() == 0 || std::find(kinds.begin(), kinds.end(), k) != kinds.end();
}

} // namespace

std::uint64_t random_source::next() {
  std::uint64_t z = seed_.load(std::memory_order_relaxed) +
                    (counter_.fetch_add(1, std::memory_order_relaxed) + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double random_source::next_unit() {
  return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0);
}

fault_set select_faults(const std::vector<fault_rule>& rules, std::string_view operation,
                        std::initializer_list<fault_kind> kinds, random_source& rng,
                        const std::function<bool(const fault_rule&)>& filter) {
  return select_faults({&rules}, operation, kinds, rng, filter);
}

fault_set select_faults(std::initializer_list<const std::vector<fault_rule>*> lists, std::string_view operation,
                        std::initializer_list<fault_kind> kinds, random_source& rng,
                        const std::function<bool(const fault_rule&)>& filter) {
  fault_set out;
  for (const auto* list : lists) {
    for (const auto& rule : *list) {
      if (!kind_wanted(rule.kind, kinds)) continue;
      if (!rule.match.empty() && operation.find(rule.match) == std::string_view::npos) continue;
      if (out.get(rule.kind)) continue;
      if (filter && !filter(rule)) continue;
      const std::uint64_t n = rule.counters->eligible.fetch_add(1) + 1;
      if (rule.every_nth > 1 && n % rule.every_nth != 0) continue;
      if (rule.probability < 1.0 && rng.next_unit() >= rule.probability) continue;
      if (rule.times >= 0) {
        // Claim one of the remaining firings; losing the race means none are left.
        std::int64_t fired = rule.counters->fired.load();
        bool claimed = false;
        while (fired < rule.times) {
          if (rule.counters->fired.compare_exchange_weak(fired, fired + 1)) {
            claimed = true;
            break;
          }
        }
        if (!claimed) continue;
      } else {
        rule.counters->fired.fetch_add(1);
      }
      out.fired.push_back(&rule);
    }
  }
  return out;
}

std::vector<fault_rule> parse_fault_header(std::string_view header, config_error& err) {
  std::vector<fault_rule> out;
  if (header.empty()) return out;
  auto j = nlohmann::json::parse(header, nullptr, false);
  if (j.is_discarded()) {
    err.message = "X-Mock-Fault: not JSON";
    return out;
  }
  if (j.is_object()) j = nlohmann::json::array({j});
  if (!j.is_array()) {
    err.message = "X-Mock-Fault: must be a fault object or an array of them";
    return out;
  }
  for (std::size_t i = 0; i < j.size(); ++i) {
    auto rule = parse_fault(j[i], "X-Mock-Fault[" + std::to_string(i) + "]", err);
    if (!rule) return {};
    out.push_back(std::move(*rule));
  }
  return out;
}

void add_forced(fault_set& set, const std::vector<fault_rule>& forced,
                std::initializer_list<fault_kind> kinds) {
  for (const auto& rule : forced) {
    if (!kind_wanted(rule.kind, kinds)) continue;
    auto& fired = set.fired;
    fired.erase(std::remove_if(fired.begin(), fired.end(),
                               [&](const fault_rule* f) { return f->kind == rule.kind; }),
                fired.end());
    fired.push_back(&rule);
  }
}

} // namespace ce::mocks
