// Shared helpers of the integration tests.
#pragma once

#include "engine_process.hpp"
#include "sim/caller.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace ce::test {

inline sim::caller_options caller_for(const engine_process& e, std::vector<sim::script_line> script) {
  sim::caller_options o;
  o.engine_url = e.url();
  o.script = std::move(script);
  return o;
}

/// The engine's record of a call as it stands now (GET /calls/{sid}), or an empty object.
inline nlohmann::json live_call_record(const engine_process& e, const std::string& sid) {
  auto r = sim::http_get(e.url() + "/calls/" + sid);
  if (r.status != 200) return nlohmann::json::object();
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

/// The engine's record of a call once the engine has ended it (its last turns and end
/// reason are in): the simulated caller returns when the stream closes, which can be a
/// moment before the call's supervisor has finished its bookkeeping. Gives up after 10 s
/// and returns what there is.
inline nlohmann::json call_record(const engine_process& e, const std::string& sid) {
  auto rec = live_call_record(e, sid);
  for (int i = 0; i < 200 && rec.value("state", "") != "ended"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    rec = live_call_record(e, sid);
  }
  return rec;
}

inline std::vector<nlohmann::json> turns_of(const nlohmann::json& record, const std::string& speaker) {
  std::vector<nlohmann::json> out;
  if (!record.contains("turns")) return out;
  for (const auto& t : record["turns"])
    if (t.value("speaker", "") == speaker) out.push_back(t);
  return out;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

} // namespace ce::test
