// mock_providers: the cloud providers' mocks as one process on loopback (Deepgram STT/TTS,
// OpenAI, Google OAuth + Calendar, Twilio REST), for scripts, manual runs and the load
// benchmark. Tests usually start ce::mocks::mock_server in-process instead.
//
// Usage: mock_providers [options]
//   --config FILE           scenario JSON (schema in bench/mocks/mock_config.hpp)
//   --set PATH=VALUE        one config value by dotted path; VALUE is JSON when it parses,
//                           else a string (repeatable), e.g. --set openai.ttft_ms=300
//   --host ADDR             listen address (default 127.0.0.1)
//   --base-port N           ports N, N+1, N+2, N+3 for deepgram, openai, google, twilio
//   --deepgram-port N, --openai-port N, --google-port N, --twilio-port N
//                           (default 0: any free port)
//   --threads N             Asio threads (default 1)
//   --port-file FILE        write the URL lines to FILE once listening (atomic rename)
//   --stats-every SECONDS   print the counters to stderr periodically
//   --stt-script "A|B|C"    caller lines, in order (deepgram.stt.script)
//   --stt-final-delay-ms N  extra wall-clock latency of STT finals
//   --llm-ttft-ms N         OpenAI time to first token
//   --llm-tps X             OpenAI tokens per second
//   --tts-ttfb-ms N         Deepgram TTS time to first byte
//   --tts-speed X           Deepgram TTS pacing (x real time)
//   --twilio-amd WHO        who answers outbound calls, and what AMD reports:
//                           human|machine|machine_start|machine_end_beep|... (twilio.amd_answered_by)
//   --twilio-amd-delay-ms N answer -> AMD result (twilio.amd_delay_ms; -1 = by answer kind)
//   --twilio-callee-say TEXT   a line of the simulated callee, after the agent's turn
//                           (repeatable, in order; "dtmf:5" presses keys; twilio.callee.say)
//   --twilio-callee-greeting TEXT   what a person says on pick-up ("" = nothing; default "hello?")
//   --twilio-callee-voicemail TEXT  the answering machine's greeting (before the beep)
//   --twilio-callee-engine-url URL  where the callee's stream goes (default: the call's Url host)
//   --twilio-callee-wav-dir DIR     record every callee to DIR/<CallSid>.wav
//   --no-twilio-callee      no simulated callee (twilio.callee.enabled=false; on by default here)
//   --help
//
// On start it prints, on stdout, one NAME=URL line per base URL (DEEPGRAM_BASE_URL,
// DEEPGRAM_WS_BASE, OPENAI_BASE_URL, GOOGLE_TOKEN_URL, GCAL_BASE, TWILIO_API_BASE,
// MOCK_CONTROL_URL) and then MOCK_READY=1. It runs until SIGINT or SIGTERM. The control
// API (control.hpp) is served on every port under /__mock/.
#include "mocks/mock_server.hpp"

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <pthread.h>
#include <sstream>
#include <string>
#include <thread>

namespace {

constexpr const char* usage_text = R"(Usage: mock_providers [options]
  --config FILE           scenario JSON (schema in bench/mocks/mock_config.hpp)
  --set PATH=VALUE        one config value by dotted path; VALUE is JSON when it parses,
                          else a string (repeatable), e.g. --set openai.ttft_ms=300
  --host ADDR             listen address (default 127.0.0.1)
  --base-port N           ports N, N+1, N+2, N+3 for deepgram, openai, google, twilio
  --deepgram-port N, --openai-port N, --google-port N, --twilio-port N  (0: any free port)
  --threads N             Asio threads (default 1)
  --port-file FILE        write the URL lines to FILE once listening
  --stats-every SECONDS   print the counters to stderr periodically
  --stt-script "A|B|C"    caller lines, in order (deepgram.stt.script)
  --stt-final-delay-ms N  extra wall-clock latency of STT finals
  --llm-ttft-ms N         OpenAI time to first token
  --llm-tps X             OpenAI tokens per second
  --tts-ttfb-ms N         Deepgram TTS time to first byte
  --tts-speed X           Deepgram TTS pacing (x real time)
  --twilio-amd WHO        who answers outbound calls and what AMD reports: human, machine,
                          machine_start, machine_end_beep, machine_end_silence,
                          machine_end_other, fax, unknown (twilio.amd_answered_by)
  --twilio-amd-delay-ms N answer -> AMD result in ms (twilio.amd_delay_ms; -1 = by kind)
  --twilio-callee-say TEXT        a line of the simulated callee, said after the agent's
                                  turn (repeatable, in order; "dtmf:5" presses keys)
  --twilio-callee-greeting TEXT   what a person says on pick-up (default "hello?"; "" = none)
  --twilio-callee-voicemail TEXT  the answering machine's greeting, before the beep
  --twilio-callee-engine-url URL  where the callee's stream and action requests go
                                  (default: scheme, host and port of the call's Url)
  --twilio-callee-wav-dir DIR     record every simulated callee to DIR/<CallSid>.wav
  --no-twilio-callee      no simulated callee on outbound <Connect><Stream> calls
  --help

Prints NAME=URL lines (DEEPGRAM_BASE_URL, DEEPGRAM_WS_BASE, OPENAI_BASE_URL,
GOOGLE_TOKEN_URL, GCAL_BASE, TWILIO_API_BASE, MOCK_CONTROL_URL) then MOCK_READY=1.
Control API under /__mock/ on every port: GET|POST|PUT config, GET|DELETE log,
GET stats, POST reset, POST disconnect, POST google/expire_tokens, GET twilio/calls,
POST twilio/hangup. The simulated callee and AMD are set through the config too, e.g.
POST /__mock/config {"twilio":{"amd_answered_by":"machine","callee":{"say":["yes"]}}}.
)";

bool set_path(nlohmann::json& doc, const std::string& path, const std::string& raw) {
  auto value = nlohmann::json::parse(raw, nullptr, false);
  if (value.is_discarded()) value = raw;
  nlohmann::json* node = &doc;
  std::size_t start = 0;
  for (;;) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) return false;
    if (!node->is_object()) *node = nlohmann::json::object();
    if (dot == std::string::npos) {
      (*node)[key] = value;
      return true;
    }
    node = &(*node)[key];
    start = dot + 1;
  }
}

std::optional<long> to_number(const std::string& s) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (errno || end == s.c_str() || *end) return std::nullopt;
  return v;
}

int fail(const std::string& msg) {
  std::cerr << "mock_providers: " << msg << "\n(see --help)\n";
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  ce::mocks::server_options opts;
  // The simulated callee answers outbound calls here by default (off in-process).
  nlohmann::json config = {{"twilio", {{"callee", {{"enabled", true}}}}}};
  nlohmann::json callee_lines = nlohmann::json::array();
  bool callee_lines_given = false;
  std::string port_file;
  long stats_every = 0;
  std::optional<long> base_port;

  auto need = [&](int& i) -> std::optional<std::string> {
    if (i + 1 >= argc) return std::nullopt;
    return std::string(argv[++i]);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage_text;
      return 0;
    }
    if (arg == "--no-twilio-callee") {
      config["twilio"]["callee"]["enabled"] = false;
      continue;
    }
    auto v = need(i);
    if (!v) return fail("missing value after " + arg);
    auto port = [&](std::uint16_t& out) -> bool {
      auto n = to_number(*v);
      if (!n || *n < 0 || *n > 65535) return false;
      out = static_cast<std::uint16_t>(*n);
      return true;
    };
    if (arg == "--config") {
      std::ifstream in(*v);
      if (!in) return fail("cannot read " + *v);
      std::stringstream ss;
      ss << in.rdbuf();
      auto j = nlohmann::json::parse(ss.str(), nullptr, false);
      if (j.is_discarded() || !j.is_object()) return fail(*v + " is not a JSON object");
      config.merge_patch(j);
    } else if (arg == "--set") {
      const auto eq = v->find('=');
      if (eq == std::string::npos || !set_path(config, v->substr(0, eq), v->substr(eq + 1)))
        return fail("--set wants PATH=VALUE, got " + *v);
    } else if (arg == "--host") {
      opts.host = *v;
    } else if (arg == "--base-port") {
      auto n = to_number(*v);
      if (!n || *n < 0 || *n > 65532) return fail("bad --base-port " + *v);
      base_port = *n;
    } else if (arg == "--deepgram-port") {
      if (!port(opts.deepgram_port)) return fail("bad port " + *v);
    } else if (arg == "--openai-port") {
      if (!port(opts.openai_port)) return fail("bad port " + *v);
    } else if (arg == "--google-port") {
      if (!port(opts.google_port)) return fail("bad port " + *v);
    } else if (arg == "--twilio-port") {
      if (!port(opts.twilio_port)) return fail("bad port " + *v);
    } else if (arg == "--threads") {
      auto n = to_number(*v);
      if (!n || *n < 1 || *n > 64) return fail("bad --threads " + *v);
      opts.threads = static_cast<int>(*n);
    } else if (arg == "--port-file") {
      port_file = *v;
    } else if (arg == "--stats-every") {
      auto n = to_number(*v);
      if (!n || *n < 0) return fail("bad --stats-every " + *v);
      stats_every = *n;
    } else if (arg == "--stt-script") {
      nlohmann::json lines = nlohmann::json::array();
      std::size_t start = 0;
      for (;;) {
        const auto bar = v->find('|', start);
        lines.push_back(v->substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (bar == std::string::npos) break;
        start = bar + 1;
      }
      config["deepgram"]["stt"]["script"] = lines;
    } else if (arg == "--stt-final-delay-ms") {
      set_path(config, "deepgram.stt.final_delay_ms", *v);
    } else if (arg == "--llm-ttft-ms") {
      set_path(config, "openai.ttft_ms", *v);
    } else if (arg == "--llm-tps") {
      set_path(config, "openai.tokens_per_second", *v);
    } else if (arg == "--tts-ttfb-ms") {
      set_path(config, "deepgram.tts.ttfb_ms", *v);
    } else if (arg == "--tts-speed") {
      set_path(config, "deepgram.tts.speed", *v);
    } else if (arg == "--twilio-amd") {
      config["twilio"]["amd_answered_by"] = *v;
    } else if (arg == "--twilio-amd-delay-ms") {
      auto n = to_number(*v);
      if (!n || *n < -1) return fail("bad --twilio-amd-delay-ms " + *v);
      config["twilio"]["amd_delay_ms"] = *n;
    } else if (arg == "--twilio-callee-say") {
      callee_lines.push_back(*v);
      callee_lines_given = true;
    } else if (arg == "--twilio-callee-greeting") {
      config["twilio"]["callee"]["greeting"] = *v;
    } else if (arg == "--twilio-callee-voicemail") {
      config["twilio"]["callee"]["voicemail_greeting"] = *v;
    } else if (arg == "--twilio-callee-engine-url") {
      config["twilio"]["callee"]["engine_url"] = *v;
    } else if (arg == "--twilio-callee-wav-dir") {
      config["twilio"]["callee"]["wav_dir"] = *v;
    } else {
      return fail("unknown option " + arg);
    }
  }
  if (callee_lines_given) config["twilio"]["callee"]["say"] = callee_lines;
  if (base_port && *base_port > 0) {
    const auto b = static_cast<std::uint16_t>(*base_port);
    if (!opts.deepgram_port) opts.deepgram_port = b;
    if (!opts.openai_port) opts.openai_port = static_cast<std::uint16_t>(b + 1);
    if (!opts.google_port) opts.google_port = static_cast<std::uint16_t>(b + 2);
    if (!opts.twilio_port) opts.twilio_port = static_cast<std::uint16_t>(b + 3);
  }
  opts.config = config;

  // Signals are taken by sigwait on this thread only; the I/O threads inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ce::mocks::mock_server server(opts);
  if (auto err = server.start()) {
    std::cerr << "mock_providers: " << *err << "\n";
    return 1;
  }
  const std::string lines = server.env_lines();
  std::cout << lines << "MOCK_READY=1" << std::endl;
  if (!port_file.empty()) {
    const std::string tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << lines;
      if (!out) {
        std::cerr << "mock_providers: cannot write " << tmp << "\n";
        return 1;
      }
    }
    if (std::rename(tmp.c_str(), port_file.c_str()) != 0) {
      std::cerr << "mock_providers: cannot rename " << tmp << ": " << std::strerror(errno) << "\n";
      return 1;
    }
  }

  std::mutex stats_mutex;
  std::condition_variable stats_cv;
  bool stopping = false;
  std::thread stats_thread;
  if (stats_every > 0) {
    stats_thread = std::thread([&] {
      std::unique_lock lock(stats_mutex);
      while (!stats_cv.wait_for(lock, std::chrono::seconds(stats_every), [&] { return stopping; }))
        std::cerr << "mock_providers stats " << server.stats().dump() << std::endl;
    });
  }

  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "mock_providers: signal " << sig << ", stopping\n";
  {
    std::lock_guard lock(stats_mutex);
    stopping = true;
  }
  stats_cv.notify_all();
  if (stats_thread.joinable()) stats_thread.join();
  server.stop();
  if (!port_file.empty()) std::remove(port_file.c_str());
  return 0;
}
