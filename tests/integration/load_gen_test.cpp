// The load generator (bench/load/load_gen) against the real engine binary: two phone lines
// calling again and again, on the mock cloud providers (bench/mocks' mock_providers, the load
// benchmark's configuration) and on the embedded providers. Checks that the tool works end to
// end (greeting, turns, barge-ins into a reply and into the last reply, hang-up and the next
// call on the same line) and that its report is complete; the figures themselves are the
// benchmark's.
#include "helpers.hpp"
#include "mock_process.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>

using namespace ce;
using namespace ce::test;
using nlohmann::json;

namespace {

struct load_run {
  int status = -1;
  std::string output;
  json report;
};

/// Runs load_gen with `args` against `engine`; its JSON report and what it printed.
load_run run_load_gen(const engine_process& engine, const std::string& args) {
  auto dir = std::filesystem::temp_directory_path() / ("ce-load-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto report_path = (dir / "report.json").string();
  auto out_path = (dir / "out.txt").string();
  std::filesystem::remove(report_path);
  std::ostringstream cmd;
  cmd << CE_BINARY_DIR << "/bench/load_gen --url " << engine.url() << " --engine-pid " << engine.pid() << " " << args
      << " --json " << report_path << " --quiet > " << out_path << " 2>&1";
  load_run r;
  r.status = std::system(cmd.str().c_str());
  std::ifstream out_file(out_path);
  r.output.assign((std::istreambuf_iterator<char>(out_file)), std::istreambuf_iterator<char>());
  std::ifstream in(report_path);
  if (in.good()) r.report = json::parse(in, nullptr, false);
  std::filesystem::remove_all(dir);
  return r;
}

/// The load benchmark's mocks (bench/load/load_bench.py mock-config) with a shorter reply and
/// greeting, so that a call of 2 turns fits a short test.
json bench_mocks() {
  json lines = json::array();
  for (int i = 0; i < 50; ++i)
    for (const char* l : {"how much are new tires", "what are your hours on saturday",
                          "can I bring my car in tomorrow morning", "could you tell me what an oil change costs",
                          "okay thanks that is all I needed"})
      lines.push_back(l);
  return {{"deepgram",
           {{"stt", {{"script", lines}, {"min_silence_ms", 100}, {"idle_timeout_ms", 30000}}},
            {"tts", {{"ttfb_ms", 150}, {"ms_per_char", 65}, {"speed", 3.0}}}}},
          {"openai",
           {{"ttft_ms", 250},
            {"tokens_per_second", 50},
            {"default_text", "We can help you. We are open until six today."},
            {"rules", json::array({{{"when", {{"last_role", "system"}}}, {"say", "Service desk, how can I help?"}}})}}}};
}

} // namespace

TEST_CASE("load_gen: two lines call the engine on the mock providers again and again, with barge-ins",
          "[integration][load]") {
  mock_process mocks{bench_mocks()};
  engine_process engine{json::object(),
                        {{"DEEPGRAM_API_KEY", "test-key"},
                         {"DEEPGRAM_BASE_URL", mocks.deepgram_base_url()},
                         {"OPENAI_API_KEY", "test-key"},
                         {"OPENAI_BASE_URL", mocks.openai_base_url()}}};
  // seed 9 at a share of 0.5: line 0 barges into the reply to its first turn (its second turn
  // is the barge-in), line 1 into the reply to its last turn (its closing words, then the
  // hang-up); a call is the greeting and 2 turns, so each line calls more than once
  auto r = run_load_gen(engine, "--calls 2 --ramp-s 0.5 --settle-s 1 --window-s 26 --turns 2 --barge-share 0.5 "
                                "--seed 9 --mock-delay-ms 780 --barge-detect-ms 60");
  INFO("load_gen output:\n" << r.output);
  INFO(engine.log());
  REQUIRE(WIFEXITED(r.status));
  CHECK(WEXITSTATUS(r.status) == 0);
  const auto& rep = r.report;
  REQUIRE(rep.is_object());
  INFO(rep.dump(2));
  CHECK(rep["calls"] == 2);
  CHECK(rep["failed"] == 0);
  CHECK(rep["failures"].empty());
  CHECK(rep["violations"] == 0);
  CHECK(rep["frames_dropped"] == 0);
  // every line hung up after its last turn and called again
  CHECK(rep["calls_with_all_turns"].get<int>() >= 2);
  CHECK(rep["calls_placed"].get<int>() >= 4);
  CHECK(rep["ok"].get<int>() == rep["calls_placed"].get<int>());
  CHECK(rep["greeting_ms"]["n"].get<int>() >= 4);
  // every turn answered, within the mocks' floor plus what the engine adds
  CHECK(rep["turns"].get<int>() >= 4);
  CHECK(rep["turns_no_reply"] == 0);
  CHECK(rep["turn_ms"]["n"].get<int>() >= 4);
  CHECK(rep["tool_turn_ms"]["n"] == 0);
  CHECK(rep["turn_ms"]["p50"].get<double>() > 700);
  CHECK(rep["engine_added_ms"]["p50"].get<double>() > -60);
  CHECK(rep["engine_added_ms"]["p50"].get<double>() < 1000);
  CHECK(rep["engine_added_ms"]["p99"].get<double>() >= rep["engine_added_ms"]["p50"].get<double>());
  // barge-ins: into a reply (the next turn) and into the last reply (the closing words)
  CHECK(rep["barge_ins"].get<int>() >= 2);
  CHECK(rep["barge_missed"] == 0);
  CHECK(rep["barge_clear_ms"]["n"].get<int>() >= 2);
  CHECK(rep["barge_clear_ms"]["p50"].get<double>() > 0);
  CHECK(rep["barge_clear_ms"]["p95"].get<double>() < 2000);
  CHECK(rep["clears"].get<int>() >= 2);
  CHECK(rep["marks_echoed"].get<int>() > 0);
  // the steady window: engine CPU, RSS and threads from /proc, mailboxes from /metrics, the machine
  REQUIRE(rep["steady"].is_object());
  CHECK(rep["steady"]["live_calls_mean"].get<double>() > 1.5);
  CHECK(rep["steady"]["engine_cpu_s_per_call_minute"].get<double>() > 0);
  CHECK(rep["steady"]["engine_rss_kb"].get<double>() > 0);
  CHECK_FALSE(rep["steady"]["engine_threads"].empty());
  CHECK(rep["steady"]["machine_busy"].get<double>() > 0);
  CHECK(rep["steady"]["machine_busy"].get<double>() <= 1);
  REQUIRE(rep["steady"]["mailbox"].contains("call_session"));
  CHECK(rep["steady"]["mailbox"]["call_session"]["messages"].get<double>() > 0);
  // the generator measured itself
  CHECK(rep["generator"]["cpu_share_window"].get<double>() > 0);
  CHECK(rep["generator"]["tick_late_ms"]["ticks"].get<int>() > 100);
  CHECK(rep["generator"]["tick_late_ms"]["p99"].get<double>() >= 0);
  // the caller's lines: 1.2-2.4 s of speech each
  REQUIRE(rep["config"]["lines"].size() == 5);
  for (const auto& l : rep["config"]["lines"]) {
    CHECK(l["speech_s"].get<double>() >= 1.2);
    CHECK(l["speech_s"].get<double>() <= 2.4);
  }
}

TEST_CASE("load_gen: two lines on the embedded providers get greeted and answered", "[integration][load]") {
  engine_process engine;
  auto r = run_load_gen(engine, "--calls 2 --ramp-s 0.5 --settle-s 1 --window-s 14 --turns 2 --barge-share 0");
  INFO("load_gen output:\n" << r.output);
  INFO(engine.log());
  REQUIRE(WIFEXITED(r.status));
  CHECK(WEXITSTATUS(r.status) == 0);
  const auto& rep = r.report;
  REQUIRE(rep.is_object());
  INFO(rep.dump(2));
  CHECK(rep["failed"] == 0);
  CHECK(rep["violations"] == 0);
  CHECK(rep["greeting_ms"]["n"].get<int>() >= 2);
  CHECK(rep["turns"].get<int>() >= 2);
  CHECK(rep["turns_no_reply"] == 0);
  CHECK(rep["barge_ins"] == 0);
  REQUIRE(rep["steady"].is_object());
  CHECK(rep["steady"]["engine_cpu_s_per_call_minute"].get<double>() > 0);
}

TEST_CASE("load_gen refuses bad arguments and an engine that is not there", "[integration][load]") {
  auto bin = std::string(CE_BINARY_DIR) + "/bench/load_gen";
  auto run = [](const std::string& c) {
    int s = std::system((c + " > /dev/null 2>&1").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  CHECK(run(bin + " --calls 3") == 64);                                       // no --url
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 0") == 64);              // no calls
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 2 --slot-ms 7") == 64);  // slot must divide 20
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 2 --turns 0") == 64);
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 2 --tool-line 9") == 64);  // no such line
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 2 --bogus") == 64);
  CHECK(run(bin + " --list-lines") == 0);
  auto port = free_port();
  CHECK(run(bin + " --url http://127.0.0.1:" + std::to_string(port) + " --calls 2") == 2);  // nothing listening
}
