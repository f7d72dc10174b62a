// The load generator (bench/load/load_gen) against the real engine binary: three concurrent
// calls, one of them barging in, on the embedded providers. Checks that the tool works end
// to end and that its report is complete; the figures themselves are the benchmark's.
#include "helpers.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <sys/wait.h>

using namespace ce;
using namespace ce::test;

TEST_CASE("load_gen runs three concurrent calls against the engine and reports every call ok",
          "[integration][load]") {
  engine_process engine;
  auto dir = std::filesystem::temp_directory_path() / ("ce-load-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto report_path = (dir / "report.json").string();
  auto out_path = (dir / "out.txt").string();
  std::ostringstream cmd;
  cmd << CE_BINARY_DIR << "/bench/load_gen --url " << engine.url() << " --calls 3 --ramp-s 1 --call-s 14"
      << " --barge-share 0.34 --engine-pid " << engine.pid() << " --json " << report_path << " --quiet > " << out_path
      << " 2>&1";
  int status = std::system(cmd.str().c_str());
  std::ifstream out_file(out_path);
  std::string out((std::istreambuf_iterator<char>(out_file)), std::istreambuf_iterator<char>());
  INFO("load_gen output:\n" << out);
  INFO(engine.log());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  std::ifstream in(report_path);
  REQUIRE(in.good());
  auto rep = nlohmann::json::parse(in, nullptr, false);
  REQUIRE_FALSE(rep.is_discarded());
  INFO(rep.dump(2));
  CHECK(rep["calls"] == 3);
  CHECK(rep["ok"] == 3);
  CHECK(rep["failed"] == 0);
  CHECK(rep["failures"].empty());
  CHECK(rep["violations"] == 0);
  CHECK(rep["frames_dropped"] == 0);
  // every call was answered at least once after its first line; latencies are real numbers
  REQUIRE(rep["turn_ms"]["n"].get<int>() >= 3);
  CHECK(rep["turn_ms"]["p50"].get<double>() > 0);
  CHECK(rep["turn_ms"]["p99"].get<double>() >= rep["turn_ms"]["p50"].get<double>());
  CHECK(rep["greeting_ms"]["n"] == 3);
  // call 0 barges into the answer to its first line: the engine clears the playback
  CHECK(rep["barge_clear_ms"]["n"] == 1);
  CHECK(rep["clears"].get<int>() >= 1);
  CHECK(rep["marks_echoed"].get<int>() > 0);
  // the steady window: engine CPU and RSS from /proc, mailbox depths from /metrics
  REQUIRE(rep["steady"].is_object());
  CHECK(rep["steady"]["live_calls_mean"].get<double>() == Approx(3.0));
  CHECK(rep["steady"]["engine_cpu_s_per_call_minute"].get<double>() > 0);
  CHECK(rep["steady"]["engine_rss_kb"].get<double>() > 0);
  REQUIRE(rep["steady"]["mailbox"].contains("call_session"));
  CHECK(rep["steady"]["mailbox"]["call_session"]["messages"].get<double>() > 0);
  // the generator measured itself
  CHECK(rep["generator"]["tick_late_ms"]["ticks"].get<int>() > 100);
  CHECK(rep["generator"]["tick_late_ms"]["p99"].get<double>() >= 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("load_gen refuses bad arguments and an engine that is not there", "[integration][load]") {
  auto bin = std::string(CE_BINARY_DIR) + "/bench/load_gen";
  auto run = [](const std::string& c) {
    int s = std::system((c + " > /dev/null 2>&1").c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  CHECK(run(bin + " --calls 3") == 64);                                    // no --url
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 0") == 64);           // no calls
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 2 --slot-ms 7") == 64);  // slot must divide 20
  CHECK(run(bin + " --url http://127.0.0.1:1 --calls 2 --bogus") == 64);
  auto port = free_port();
  CHECK(run(bin + " --url http://127.0.0.1:" + std::to_string(port) + " --calls 2") == 2);  // nothing listening
}
