// sim_caller: one simulated phone call against a running engine, printed as a
// conversation (both sides, with per-turn latency). The caller's lines are spoken with
// espeak-ng; what the engine recognised and answered comes from GET /calls/{sid}.
//
//   sim_caller [--url http://127.0.0.1:8080] [--scenario demo|barge|hours|transfer|silent]
//              [--say "text"]... [--barge "text"] [--wav out.wav] [--token TOKEN] [--json]
#include "sim/caller.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <map>

namespace {

using ce::sim::script_line;

std::vector<script_line> scenario(const std::string& name) {
  if (name == "demo" || name == "questions")
    return {{"what are your hours on saturday"}, {"how much is an oil change"}, {"thank you goodbye"}};
  if (name == "barge")
    return {{"what services do you offer"}, {"how much is an oil change", 0, true, 1500}, {"thank you goodbye"}};
  if (name == "hours") return {{"what are your hours"}};
  if (name == "transfer") return {{"i want to talk to a person"}};
  if (name == "silent") return {};
  return {};
}

struct args {
  ce::sim::caller_options opt;
  std::string scenario = "demo";
  bool json = false;
  bool custom = false;
};

bool parse(int argc, char** argv, args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string{}; };
    if (k == "--url") a.opt.engine_url = val();
    else if (k == "--public-url") a.opt.public_base_url = val();
    else if (k == "--scenario") a.scenario = val();
    else if (k == "--say") { a.custom = true; a.opt.script.push_back({val()}); }
    else if (k == "--barge") { a.custom = true; a.opt.script.push_back({val(), 0, true, 1500}); }
    else if (k == "--wav") a.opt.wav_path = val();
    else if (k == "--token") a.opt.auth_token = val();
    else if (k == "--from") a.opt.from = val();
    else if (k == "--hangup-after-ms") a.opt.hangup_after_ms = std::stoi(val());
    else if (k == "--max-call-ms") a.opt.max_call_ms = std::stoi(val());
    else if (k == "--json") a.json = true;
    else {
      std::cerr << "sim_caller: unknown argument " << k << "\n";
      return false;
    }
  }
  if (!a.custom) a.opt.script = scenario(a.scenario);
  if (a.scenario == "silent") a.opt.hangup_after_ms = -1;
  return true;
}

std::string fmt_time(std::int64_t ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%6.1fs", static_cast<double>(ms) / 1000.0);
  return b;
}

void print_conversation(const ce::sim::call_result& r, const nlohmann::json& record) {
  std::cout << "\n=== call " << r.call_sid << " ===\n";
  std::size_t caller_i = 0;
  if (record.contains("turns")) {
    for (const auto& t : record["turns"]) {
      auto at = t.value("at_ms", 0LL);
      if (t.value("speaker", "") == "caller") {
        std::string said = caller_i < r.turns.size() ? r.turns[caller_i].said : "";
        if (said.rfind("dtmf:", 0) == 0) said = "(types " + said.substr(5) + " on the keypad)";
        std::cout << "[" << fmt_time(at) << "] caller : " << said << "\n";
        std::cout << "           engine heard: \"" << t.value("text", "") << "\"\n";
        ++caller_i;
      } else {
        std::cout << "[" << fmt_time(at) << "] agent  : " << t.value("text", "");
        if (t.value("interrupted", false)) std::cout << "  [interrupted; heard: \"" << t.value("heard", "") << "\"]";
        std::cout << "\n";
        if (t.contains("latency_ms")) {
          std::cout << "           turn latency: " << t["latency_ms"].get<long>() << " ms (engine: end of caller speech -> first audio sent)";
          if (caller_i > 0 && caller_i <= r.turns.size() && r.turns[caller_i - 1].answer_latency_ms >= 0)
            std::cout << "; " << r.turns[caller_i - 1].answer_latency_ms << " ms heard by the caller";
          std::cout << "\n";
        }
      }
    }
  }
  for (const auto& t : r.turns)
    if (t.barge_in)
      std::cout << "barge-in: \"" << t.said << "\" -> clear after " << t.clear_after_onset_ms << " ms from speech onset\n";
  std::cout << "ended: " << record.value("end_reason", nlohmann::json("?")).dump() << ", " << r.duration_ms
            << " ms, greeting after " << r.greeting_latency_ms << " ms, " << r.clears << " clear(s), "
            << r.marks_echoed << " marks echoed";
  if (!r.after_stream_twiml.empty()) std::cout << ", after-stream TwiML: " << r.after_stream_twiml.size() << " bytes";
  std::cout << "\n";
  if (!r.protocol_violations.empty()) std::cout << "protocol violations by the engine: " << r.protocol_violations.size() << "\n";
  if (!r.error.empty()) std::cout << "caller error: " << r.error << "\n";
}

} // namespace

int main(int argc, char** argv) {
  args a;
  if (!parse(argc, argv, a)) return 64;
  auto r = ce::sim::run_call(a.opt);
  nlohmann::json record = nlohmann::json::object();
  auto rec = ce::sim::http_get(a.opt.engine_url + "/calls/" + r.call_sid);
  if (rec.status == 200) record = nlohmann::json::parse(rec.body, nullptr, false);
  if (record.is_discarded()) record = nlohmann::json::object();
  if (a.json) {
    nlohmann::json out{{"ok", r.ok}, {"error", r.error}, {"call_sid", r.call_sid}, {"clears", r.clears},
                       {"greeting_latency_ms", r.greeting_latency_ms}, {"engine_closed", r.engine_closed},
                       {"after_stream_twiml", r.after_stream_twiml}, {"violations", r.protocol_violations},
                       {"engine_record", record}};
    auto turns = nlohmann::json::array();
    for (const auto& t : r.turns)
      turns.push_back({{"said", t.said}, {"barge_in", t.barge_in}, {"answer_latency_ms", t.answer_latency_ms},
                       {"clear_after_onset_ms", t.clear_after_onset_ms}});
    out["turns"] = turns;
    std::cout << out.dump(2) << "\n";
  } else {
    print_conversation(r, record);
  }
  return r.ok ? 0 : 1;
}
