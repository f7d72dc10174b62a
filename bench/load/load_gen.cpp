// load_gen: one level of the load benchmark. N phone lines call a running engine over and
// over: each call waits for the greeting, takes 4 caller turns of 1.2-2.4 s of speech (a
// seeded 25 % of the replies barged into, ~1 s into their audio), hangs up after the last
// reply and the line calls again at once, until the level ends. It ramps the lines up,
// measures latency from the caller's side (turns without a reply, missed barge-ins), samples
// the engine's CPU, RSS and threads from /proc, its actor mailbox depths from /metrics and
// the machine's load (/proc/stat) over the steady window, and measures itself (CPU, how late
// its ticks run) so a saturated generator shows up in the figures instead of in the engine's.
//
//   load_gen --url http://127.0.0.1:8080 --calls 200 [--engine-pid PID] [--mocks-pid PID]
//            [--ramp-s 10] [--settle-s 3] [--window-s 60] [--turns 4] [--barge-share 0.25]
//            [--barge-after-ms 1000] [--seed 1] [--threads 1] [--mock-delay-ms 0]
//            [--barge-detect-ms 0] [--line "text"]... [--tool-line I]... [--json out.json]
//            [--token T] [--quiet]
//
// Exit status 0 when no call failed, 1 when some failed, 2 when the engine is not ready,
// 64 on bad arguments.
#include "load/load_call.hpp"

#include "audio/levels.hpp"
#include "common/base64.hpp"
#include "sim/caller.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

namespace {

using namespace ce::load;
std::string fmt(double v, int prec = 0);
using nlohmann::json;

struct args {
  load_options opt;
  int engine_pid = 0;
  int mocks_pid = 0;            // the mock providers' process, for their CPU share in the window
  int settle_ms = 3000;         // after the ramp, before the steady window
  int window_ms = 60000;        // the steady window; the level ends with it
  double min_speech_s = 1.2, max_speech_s = 2.4;
  double onset_dbfs = -45, end_dbfs = -40;  // speech onset and end of a caller line (see encode_script)  // a caller line's speech outside this is warned about
  std::vector<int> tool_lines;  // indices of lines the mock answers with a tool call
  double mock_delay_ms = 0;     // configured provider delays inside one turn
  double barge_detect_ms = 0;   // configured detection delay of a barge-in (speech onset -> event)
  double idle_rss_kb = -1;      // the engine's RSS when idle (default: sampled before the calls start)
  std::vector<std::string> lines;
  std::string json_path;
  std::string label;
  bool quiet = false;
  bool list_lines = false;
  int progress_s = 2;
};

void usage() {
  std::cerr << "usage: load_gen --url URL --calls N [--engine-pid PID] [--mocks-pid PID] [--ramp-s S] [--settle-s S]\n"
               "                [--window-s S] [--turns N] [--barge-share F] [--barge-after-ms MS] [--seed N]\n"
               "                [--no-reply-ms MS] [--barge-miss-ms MS] [--pause-ms MS] [--threads T] [--slot-ms MS]\n"
               "                [--mock-delay-ms MS] [--barge-detect-ms MS] [--answer-timeout-ms MS] [--idle-rss-kb KB]\n"
               "                [--line TEXT]... [--tool-line I]... [--token AUTH_TOKEN] [--json FILE] [--label TEXT]\n"
               "                [--onset-dbfs DB] [--end-dbfs DB] [--list-lines] [--quiet]\n"
               "  --calls N: concurrent phone lines; each calls again as soon as its call hung up\n";
}

/// The caller's lines: turns 1-4 speak the first four (espeak-ng at 165 wpm: 1.24, 1.58, 1.98
/// and 2.22 s of speech, onset to end as encode_script measures them; `--list-lines` prints
/// them), a barge-in into the last reply speaks the fifth (1.86 s) and hangs up. The mock
/// STT gets the same lines in the same order (load_bench.py DEFAULT_LINES).
std::vector<std::string> default_lines() {
  return {"how much are new tires", "what are your hours on saturday", "can I bring my car in tomorrow morning",
          "could you tell me what an oil change costs", "okay thanks that is all I needed"};
}

bool parse(int argc, char** argv, args& a, shared_script& script) {
  try {
    for (int i = 1; i < argc; ++i) {
      std::string k = argv[i];
      auto val = [&]() -> std::string {
        if (i + 1 >= argc) throw std::invalid_argument(k + " needs a value");
        return argv[++i];
      };
      if (k == "--url") a.opt.engine_url = val();
      else if (k == "--calls" || k == "--lines") a.opt.lines = std::stoi(val());
      else if (k == "--engine-pid") a.engine_pid = std::stoi(val());
      else if (k == "--mocks-pid") a.mocks_pid = std::stoi(val());
      else if (k == "--ramp-s") a.opt.ramp_ms = static_cast<int>(std::stod(val()) * 1000);
      else if (k == "--settle-s") a.settle_ms = static_cast<int>(std::stod(val()) * 1000);
      else if (k == "--window-s") a.window_ms = static_cast<int>(std::stod(val()) * 1000);
      else if (k == "--turns") script.turns = std::stoi(val());
      else if (k == "--barge-share") script.barge_share = std::stod(val());
      else if (k == "--barge-after-ms") script.barge_after_ms = std::stoi(val());
      else if (k == "--seed") script.seed = std::stoull(val());
      else if (k == "--no-reply-ms") script.no_reply_ms = std::stoi(val());
      else if (k == "--barge-miss-ms") script.barge_miss_ms = std::stoi(val());
      else if (k == "--pause-ms") script.pause_before_ms = std::stoi(val());
      else if (k == "--threads") a.opt.threads = std::stoi(val());
      else if (k == "--slot-ms") a.opt.slot_ms = std::stoi(val());
      else if (k == "--mock-delay-ms") a.mock_delay_ms = std::stod(val());
      else if (k == "--barge-detect-ms") a.barge_detect_ms = std::stod(val());
      else if (k == "--idle-rss-kb") a.idle_rss_kb = std::stod(val());
      else if (k == "--answer-timeout-ms") a.opt.answer_timeout_ms = std::stoi(val());
      else if (k == "--line") a.lines.push_back(val());
      else if (k == "--tool-line") a.tool_lines.push_back(std::stoi(val()));
      else if (k == "--token") a.opt.auth_token = val();
      else if (k == "--json") a.json_path = val();
      else if (k == "--label") a.label = val();
      else if (k == "--progress-s") a.progress_s = std::stoi(val());
      else if (k == "--list-lines") a.list_lines = true;
      else if (k == "--onset-dbfs") a.onset_dbfs = std::stod(val());
      else if (k == "--end-dbfs") a.end_dbfs = std::stod(val());
      else if (k == "--quiet") a.quiet = true;
      else if (k == "--help" || k == "-h") { usage(); return false; }
      else throw std::invalid_argument("unknown argument " + k);
    }
  } catch (const std::exception& e) {
    std::cerr << "load_gen: " << e.what() << "\n";
    usage();
    return false;
  }
  if (a.lines.empty()) a.lines = default_lines();
  std::string why;
  if (a.list_lines) {
    // only the lines are wanted
  } else if (a.opt.engine_url.rfind("http://", 0) != 0) why = "--url must be http://host:port";
  else if (a.opt.lines < 1) why = "--calls must be at least 1";
  else if (a.opt.slot_ms < 1 || 20 % a.opt.slot_ms != 0) why = "--slot-ms must divide 20";
  else if (a.opt.threads < 1 || a.opt.threads > 16) why = "--threads must be 1..16";
  else if (script.barge_share < 0 || script.barge_share > 1) why = "--barge-share must be within 0..1";
  else if (script.turns < 1) why = "--turns must be at least 1";
  else if (a.window_ms < 1000) why = "--window-s must be at least 1";
  else if (a.opt.ramp_ms < 0 || a.settle_ms < 0) why = "--ramp-s and --settle-s must not be negative";
  for (int t : a.tool_lines)
    if (t < 0 || t >= static_cast<int>(a.lines.size())) why = "--tool-line " + std::to_string(t) + " names no --line";
  if (!why.empty()) {
    std::cerr << "load_gen: " << why << "\n";
    return false;
  }
  return true;
}

/// Speech for every caller line, synthesised once (espeak-ng) and base64-encoded per frame.
/// Its onset is the first frame above `onset_dbfs` (the engine's voice detector's floor,
/// -45 dBFS: where a barge-in's reaction time starts); its end is the last frame above
/// `end_dbfs` (the mock STT's speech threshold, -40 dBFS: where its endpointing starts
/// counting, so the turn latency starts where the mocks' floor does).
void encode_script(const std::vector<std::string>& lines, const std::vector<int>& tool_lines, double onset_dbfs,
                   double end_dbfs, shared_script& script) {
  std::vector<std::uint8_t> silence(160, 0xFF);
  script.silence_frame = ce::base64_encode(silence);
  for (const auto& text : lines) {
    auto audio = ce::sim::caller_speech(text, "en-us", 165);
    encoded_line l;
    l.text = text;
    bool any = false;
    for (std::size_t off = 0; off < audio.size(); off += 160) {
      std::vector<std::uint8_t> f(160, 0xFF);
      auto n = std::min<std::size_t>(160, audio.size() - off);
      std::copy_n(audio.begin() + static_cast<std::ptrdiff_t>(off), n, f.begin());
      const double db = ce::audio::mulaw_frame_dbfs(std::span<const std::uint8_t>(f.data(), f.size()));
      if (db > onset_dbfs && !any) {
        l.first_voiced = l.frames.size();
        any = true;
      }
      if (db > end_dbfs) l.voiced_frames = l.frames.size() + 1;
      l.frames.push_back(ce::base64_encode(f));
    }
    if (!any || l.voiced_frames <= l.first_voiced) throw std::runtime_error("caller line has no audible speech: " + text);
    l.tool_turn = std::find(tool_lines.begin(), tool_lines.end(), static_cast<int>(script.lines.size())) != tool_lines.end();
    script.lines.push_back(std::move(l));
  }
}

// ---------------------------------------------------------------- the engine, from outside

struct proc_sample {
  double cpu_s = -1;   // utime + stime
  double sys_s = -1;   // stime: in the kernel (system calls, the network stack, scheduling)
  double rss_kb = -1;
  double ctx_switches = -1;  // voluntary + involuntary, summed over the threads alive
  bool ok() const { return cpu_s >= 0; }
};

/// Context switches of every thread of `pid` (a thread that ended takes its count along;
/// the engine's threads live as long as it does).
double sample_ctx_switches(int pid) {
  double total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream status(e.path() / "status");
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0 || line.rfind("nonvoluntary_ctxt_switches:", 0) == 0) {
        try {
          total += std::stod(line.substr(line.find(':') + 1));
        } catch (...) {
        }
      }
    }
  }
  return ec ? -1 : total;
}

proc_sample sample_proc(int pid) {
  proc_sample s;
  if (pid <= 0) return s;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  auto rp = all.rfind(')');
  if (rp == std::string::npos) return s;
  std::istringstream in(all.substr(rp + 2));
  std::vector<std::string> f;
  std::string tok;
  while (in >> tok) f.push_back(tok);
  // fields after the name: state(3) ... utime(14) stime(15) -> index 11 and 12 here
  if (f.size() < 13) return s;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  s.cpu_s = (std::stod(f[11]) + std::stod(f[12])) / hz;
  s.sys_s = std::stod(f[12]) / hz;
  s.ctx_switches = sample_ctx_switches(pid);
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::stod(line.substr(6));
  return s;
}

/// CPU seconds of each thread of `pid`, by thread id, with the thread's name.
std::map<int, std::pair<std::string, double>> sample_threads(int pid) {
  std::map<int, std::pair<std::string, double>> out;
  if (pid <= 0) return out;
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream stat(e.path() / "stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto lp = all.find('(');
    auto rp = all.rfind(')');
    if (lp == std::string::npos || rp == std::string::npos || rp + 2 > all.size()) continue;
    std::istringstream in(all.substr(rp + 2));
    std::vector<std::string> f;
    std::string tok;
    while (in >> tok) f.push_back(tok);
    if (f.size() < 13) continue;
    try {
      out[std::stoi(e.path().filename().string())] = {all.substr(lp + 1, rp - lp - 1),
                                                      (std::stod(f[11]) + std::stod(f[12])) / hz};
    } catch (...) {
    }
  }
  return out;
}

/// Per thread name: how many threads and the cores they used over the window, busiest first.
json thread_shares(const std::map<int, std::pair<std::string, double>>& a,
                   const std::map<int, std::pair<std::string, double>>& b, double seconds) {
  std::map<std::string, std::pair<int, double>> by_name;
  for (const auto& [tid, v] : b) {
    auto it = a.find(tid);
    double d = v.second - (it == a.end() ? 0.0 : it->second.second);
    auto& slot = by_name[v.first];
    if (d > 0 || it != a.end()) ++slot.first;
    slot.second += d;
  }
  std::vector<std::pair<std::string, std::pair<int, double>>> v(by_name.begin(), by_name.end());
  std::sort(v.begin(), v.end(), [](const auto& x, const auto& y) { return x.second.second > y.second.second; });
  json out = json::array();
  for (const auto& [name, c] : v)
    if (c.second > 0) out.push_back({{"thread", name}, {"count", c.first}, {"cores", c.second / seconds}});
  return out;
}

/// Machine-wide CPU ticks from /proc/stat: {busy, total} (busy: user, nice, system, irq,
/// softirq, steal; total adds idle and iowait).
std::pair<double, double> machine_ticks() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  double v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  in >> cpu;
  for (double& x : v) in >> x;
  if (cpu != "cpu") return {-1, -1};
  const double busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  return {busy, busy + v[3] + v[4]};
}

double self_cpu_s() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

/// Prometheus samples: series text (name{labels}) -> value.
std::map<std::string, double> scrape(const std::string& url) {
  std::map<std::string, double> out;
  auto r = ce::sim::http_get(url + "/metrics", 5000);
  if (r.status != 200) return out;
  std::istringstream in(r.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    try {
      out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
    } catch (...) {
    }
  }
  return out;
}

std::string label_of(const std::string& series, const std::string& key) {
  auto k = series.find("{" + key + "=\"");
  if (k == std::string::npos) k = series.find("," + key + "=\"");
  if (k == std::string::npos) return {};
  auto b = k + 1 + key.size() + 2;
  return series.substr(b, series.find('"', b) - b);
}

/// Per actor role, over the window: messages handled, mean and p99 mailbox depth (from the
/// histogram's deltas) and the deepest mailbox seen (gauge, since start).
json mailbox_depths(const std::map<std::string, double>& before, const std::map<std::string, double>& after) {
  std::map<std::string, std::vector<std::pair<double, double>>> buckets;  // role -> (le, delta count)
  json out = json::object();
  auto delta = [&](const std::string& series) {
    auto a = after.find(series);
    auto b = before.find(series);
    return (a == after.end() ? 0.0 : a->second) - (b == before.end() ? 0.0 : b->second);
  };
  for (const auto& [series, v] : after) {
    if (series.rfind("ce_actor_mailbox_depth_bucket{", 0) != 0) continue;
    auto role = label_of(series, "role");
    auto le = label_of(series, "le");
    double bound = le == "+Inf" ? INFINITY : std::stod(le);
    buckets[role].emplace_back(bound, delta(series));
  }
  for (auto& [role, bs] : buckets) {
    std::sort(bs.begin(), bs.end());
    const std::string l = "{role=\"" + role + "\"}";
    double count = delta("ce_actor_mailbox_depth_count" + l);
    double sum = delta("ce_actor_mailbox_depth_sum" + l);
    double p99 = 0;
    for (const auto& [bound, c] : bs)
      if (count > 0 && c >= 0.99 * count) {
        p99 = bound;
        break;
      }
    auto mx = after.find("ce_actor_mailbox_depth_max" + l);
    out[role] = {{"messages", count},
                 {"mean", count > 0 ? sum / count : 0.0},
                 {"p99_le", std::isinf(p99) ? json("+Inf") : json(p99)},
                 {"max_since_start", mx == after.end() ? -1.0 : mx->second}};
  }
  return out;
}

double metric_delta(const std::map<std::string, double>& before, const std::map<std::string, double>& after,
                    const std::string& series) {
  auto a = after.find(series);
  auto b = before.find(series);
  if (a == after.end()) return -1;
  return a->second - (b == before.end() ? 0.0 : b->second);
}

json dist(const std::vector<double>& v, double minus = 0) {
  std::vector<double> w;
  w.reserve(v.size());
  for (double x : v) w.push_back(x - minus);
  if (w.empty()) return {{"n", 0}, {"p50", nullptr}, {"p95", nullptr}, {"p99", nullptr}, {"max", nullptr}};
  return {{"n", w.size()}, {"p50", percentile(w, 50)}, {"p95", percentile(w, 95)}, {"p99", percentile(w, 99)},
          {"max", w.empty() ? -1.0 : *std::max_element(w.begin(), w.end())}};
}

std::string fmt(double v, int prec) {
  if (v < -0.5 && prec == 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", prec, v);
  return b;
}

} // namespace

int main(int argc, char** argv) {
  args a;
  shared_script script;
  if (!parse(argc, argv, a, script)) return 64;
  try {
    encode_script(a.lines, a.tool_lines, a.onset_dbfs, a.end_dbfs, script);
  } catch (const std::exception& e) {
    std::cerr << "load_gen: " << e.what() << "\n";
    return 64;
  }
  json lines_json = json::array();
  for (std::size_t i = 0; i < script.lines.size(); ++i) {
    const auto& l = script.lines[i];
    const double s = l.speech_ms() / 1000.0;
    const bool in_range = s >= a.min_speech_s - 1e-9 && s <= a.max_speech_s + 1e-9;
    lines_json.push_back({{"text", l.text}, {"speech_s", s}, {"tool_turn", l.tool_turn}});
    if (a.list_lines)
      std::cout << i << "\t" << fmt(s, 2) << " s\t" << l.text << (l.tool_turn ? "\t(tool turn)" : "") << "\n";
    else if (!in_range)
      std::cerr << "load_gen: warning: line " << i << " has " << fmt(s, 2) << " s of speech, outside "
                << a.min_speech_s << "-" << a.max_speech_s << " s: " << l.text << "\n";
  }
  if (a.list_lines) return 0;
  auto health = ce::sim::http_get(a.opt.engine_url + "/readyz", 3000);
  if (health.status != 200) {
    std::cerr << "load_gen: engine at " << a.opt.engine_url << " is not ready (" << health.status << " "
              << health.error << ")\n";
    return 2;
  }

  load_stats stats;
  auto idle = sample_proc(a.engine_pid);
  if (a.idle_rss_kb > 0) idle.rss_kb = a.idle_rss_kb;
  std::vector<std::unique_ptr<worker>> workers;
  for (int t = 0; t < a.opt.threads; ++t) workers.push_back(std::make_unique<worker>(a.opt, script, stats));
  const auto t0 = clock::now() + std::chrono::milliseconds(200);
  const int n = a.opt.lines;
  for (int i = 0; i < n; ++i) {
    auto at = t0 + std::chrono::milliseconds(static_cast<std::int64_t>(n > 1 ? static_cast<double>(a.opt.ramp_ms) * i / (n - 1) : 0));
    workers[static_cast<std::size_t>(i % a.opt.threads)]->add_line(i, at);
  }
  const double self_cpu0 = self_cpu_s();
  for (auto& w : workers) w->run();

  // steady window: every line started (ramp + settle) until the level's end
  const auto window_start = t0 + std::chrono::milliseconds(a.opt.ramp_ms + a.settle_ms);
  const auto window_end = window_start + std::chrono::milliseconds(a.window_ms);
  const auto end_deadline = std::chrono::milliseconds(15000);  // for the hang-ups after the level's end

  proc_sample w0, w1, mid, mocks0, mocks1;
  std::map<int, std::pair<std::string, double>> threads0, threads1;
  std::map<std::string, double> m0, m1;
  std::pair<double, double> machine0{-1, -1}, machine1{-1, -1};
  double self0 = 0, self1 = 0;
  std::size_t late_mark0 = 0, late_mark1 = 0;
  std::vector<int> live_samples;
  clock::time_point w0_at, w1_at;
  bool took0 = false, took1 = false;
  auto next_progress = clock::now() + std::chrono::seconds(a.progress_s);
  auto next_live = clock::now();

  auto progress = [&]() {
    std::vector<double> lat;
    std::int64_t turns, no_reply, barges, missed;
    {
      std::lock_guard<std::mutex> g{stats.mutex};
      lat = stats.turn_ms;
      turns = stats.turns;
      no_reply = stats.turns_no_reply;
      barges = stats.barge_ins;
      missed = stats.barge_missed;
    }
    double el = std::chrono::duration<double>(clock::now() - t0).count();
    std::fprintf(stderr,
                 "[%s%s%6.1fs] lines %d  calls %d  up %d  ok %d  failed %d  turns %lld (no reply %lld)  barge-ins %lld "
                 "(missed %lld)  latency p50 %s p95 %s ms\n",
                 a.label.c_str(), a.label.empty() ? "" : " ", el, n, stats.started.load(), stats.streaming.load(),
                 stats.ok.load(), stats.failed.load(), static_cast<long long>(turns), static_cast<long long>(no_reply),
                 static_cast<long long>(barges), static_cast<long long>(missed), fmt(percentile(lat, 50)).c_str(),
                 fmt(percentile(lat, 95)).c_str());
  };

  for (;;) {
    auto now = clock::now();
    if (!took0 && now >= window_start) {
      took0 = true;
      w0_at = now;
      w0 = sample_proc(a.engine_pid);
      mocks0 = sample_proc(a.mocks_pid);
      machine0 = machine_ticks();
      threads0 = sample_threads(a.engine_pid);
      self0 = self_cpu_s();
      m0 = scrape(a.opt.engine_url);
      std::lock_guard<std::mutex> g{stats.mutex};
      late_mark0 = stats.tick_late_us.size();
    }
    if (took0 && !mid.ok() && now >= window_start + (window_end - window_start) / 2) mid = sample_proc(a.engine_pid);
    if (took0 && now >= window_end) {
      took1 = true;
      w1_at = now;
      w1 = sample_proc(a.engine_pid);
      mocks1 = sample_proc(a.mocks_pid);
      machine1 = machine_ticks();
      threads1 = sample_threads(a.engine_pid);
      self1 = self_cpu_s();
      m1 = scrape(a.opt.engine_url);
      std::lock_guard<std::mutex> g{stats.mutex};
      late_mark1 = stats.tick_late_us.size();
      break;
    }
    if (took0 && now >= next_live) {
      live_samples.push_back(stats.streaming.load());
      next_live = now + std::chrono::milliseconds(500);
    }
    if (!a.quiet && now >= next_progress) {
      progress();
      next_progress = now + std::chrono::seconds(a.progress_s);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // the level is over: calls in progress hang up (cut, not failed), no line calls again
  for (auto& w : workers) w->end_level();
  const auto ended_at = clock::now();
  bool timed_out = false;
  while (stats.live.load() > 0) {
    if (clock::now() - ended_at > end_deadline) {
      timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& w : workers) w->stop(timed_out ? "still running after the level's end" : "generator stopped");
  for (auto& w : workers) w->join();
  const double self_cpu_total = self_cpu_s() - self_cpu0;
  const double elapsed_s = std::chrono::duration<double>(clock::now() - t0).count();
  if (!a.quiet) progress();

  // ------------------------------------------------------------------ report
  std::lock_guard<std::mutex> g{stats.mutex};
  const int started = stats.started.load();
  const int failed = stats.failed.load() + std::max(0, started - stats.ok.load() - stats.failed.load());
  json rep;
  rep["label"] = a.label;
  rep["calls"] = n;  // concurrent lines: the level
  rep["calls_placed"] = started;
  rep["ok"] = stats.ok.load();
  rep["failed"] = failed;
  rep["cut_at_level_end"] = stats.cut.load();
  rep["calls_with_all_turns"] = stats.calls_completed_turns;
  json reasons = json::object();
  for (const auto& [k, v] : stats.failures) reasons[k] = v;
  if (int lost = started - stats.ok.load() - stats.failed.load(); lost > 0) reasons["never finished"] = lost;
  rep["failures"] = reasons;
  rep["config"] = {{"ramp_s", a.opt.ramp_ms / 1000.0}, {"settle_s", a.settle_ms / 1000.0},
                   {"window_s", a.window_ms / 1000.0}, {"turns", script.turns},
                   {"barge_share", script.barge_share}, {"barge_after_ms", script.barge_after_ms},
                   {"seed", script.seed}, {"pause_ms", script.pause_before_ms},
                   {"no_reply_ms", script.no_reply_ms}, {"barge_miss_ms", script.barge_miss_ms},
                   {"answer_timeout_ms", a.opt.answer_timeout_ms}, {"threads", a.opt.threads},
                   {"slot_ms", a.opt.slot_ms}, {"mock_delay_ms", a.mock_delay_ms},
                   {"barge_detect_ms", a.barge_detect_ms}, {"lines", lines_json}};
  rep["turns"] = stats.turns;
  rep["turns_no_reply"] = stats.turns_no_reply;
  rep["turns_cut"] = stats.turns_cut;
  rep["replies"] = stats.replies;
  rep["barge_ins"] = stats.barge_ins;
  rep["barge_missed"] = stats.barge_missed;
  rep["barge_skipped"] = stats.barge_skipped;
  rep["turn_ms"] = dist(stats.turn_ms);
  rep["engine_added_ms"] = dist(stats.turn_ms, a.mock_delay_ms);
  rep["tool_turn_ms"] = dist(stats.tool_turn_ms);
  rep["barge_clear_ms"] = dist(stats.barge_clear_ms);
  rep["barge_engine_ms"] = dist(stats.barge_clear_ms, a.barge_detect_ms);
  rep["greeting_ms"] = dist(stats.greeting_ms);
  rep["clears"] = stats.clears;
  rep["marks_echoed"] = stats.marks_echoed;
  rep["frames_sent"] = stats.frames_sent;
  rep["frames_dropped"] = stats.frames_dropped;
  rep["agent_audio_s"] = static_cast<double>(stats.agent_audio_ms) / 1000.0;
  rep["violations"] = stats.violations;

  // the generator itself
  json gen;
  gen["cpu_s_total"] = self_cpu_total;
  gen["cpu_share_total"] = elapsed_s > 0 ? self_cpu_total / elapsed_s : 0;
  std::vector<double> late_window;
  if (took1 && late_mark1 > late_mark0)
    late_window.assign(stats.tick_late_us.begin() + static_cast<std::ptrdiff_t>(late_mark0),
                       stats.tick_late_us.begin() + static_cast<std::ptrdiff_t>(late_mark1));
  else
    late_window = stats.tick_late_us;
  gen["tick_late_ms"] = {{"p50", percentile(late_window, 50) / 1000.0}, {"p99", percentile(late_window, 99) / 1000.0},
                         {"max", late_window.empty() ? -1.0 : *std::max_element(late_window.begin(), late_window.end()) / 1000.0},
                         {"ticks", late_window.size()}};

  json steady = nullptr;
  if (took1) {
    const double win_s = std::chrono::duration<double>(w1_at - w0_at).count();
    double live = 0;
    for (int v : live_samples) live += v;
    live = live_samples.empty() ? 0 : live / static_cast<double>(live_samples.size());
    steady = json::object();
    steady["window_s"] = win_s;
    steady["live_calls_mean"] = live;
    gen["cpu_share_window"] = (self1 - self0) / win_s;
    if (machine0.second >= 0 && machine1.second > machine0.second)
      steady["machine_busy"] = (machine1.first - machine0.first) / (machine1.second - machine0.second);
    if (mocks0.ok() && mocks1.ok()) steady["mocks_cpu_share"] = (mocks1.cpu_s - mocks0.cpu_s) / win_s;
    if (w0.ok() && w1.ok() && live > 0) {
      const double cpu = w1.cpu_s - w0.cpu_s;
      steady["engine_cpu_s"] = cpu;
      steady["engine_cpu_share"] = cpu / win_s;
      steady["engine_cpu_s_per_call_minute"] = cpu / (live * win_s / 60.0);
      const double rss = mid.ok() ? mid.rss_kb : w1.rss_kb;
      steady["engine_rss_kb"] = rss;
      steady["engine_idle_rss_kb"] = idle.rss_kb;
      steady["engine_rss_kb_per_call"] = (rss - idle.rss_kb) / live;
      steady["engine_threads"] = thread_shares(threads0, threads1, win_s);
      if (cpu > 0) {
        steady["engine_kernel_share"] = (w1.sys_s - w0.sys_s) / cpu;
        steady["engine_kernel_cpu_s_per_call_minute"] = (w1.sys_s - w0.sys_s) / (live * win_s / 60.0);
      }
      if (w0.ctx_switches >= 0 && w1.ctx_switches >= 0)
        steady["engine_ctx_switches_per_call_s"] = (w1.ctx_switches - w0.ctx_switches) / (live * win_s);
    }
    if (!m0.empty() && !m1.empty()) {
      steady["mailbox"] = mailbox_depths(m0, m1);
      steady["engine_turns"] = metric_delta(m0, m1, "ce_turn_latency_seconds_count");
      double s = metric_delta(m0, m1, "ce_turn_latency_seconds_sum");
      double c = metric_delta(m0, m1, "ce_turn_latency_seconds_count");
      steady["engine_turn_latency_mean_ms"] = c > 0 ? s / c * 1000.0 : -1.0;
      steady["inbound_frames_dropped"] = metric_delta(m0, m1, "ce_inbound_frames_dropped_total");
      steady["outbound_frames_dropped"] = metric_delta(m0, m1, "ce_media_outbound_dropped_total");
    }
  }
  rep["steady"] = steady;
  rep["generator"] = gen;

  if (!a.json_path.empty()) {
    std::ofstream out(a.json_path);
    out << rep.dump(2) << "\n";
    if (!out) std::cerr << "load_gen: cannot write " << a.json_path << "\n";
  }

  // human summary
  auto d = [&](const json& j, const char* k) { return j[k].is_number() ? fmt(j[k].get<double>()) : std::string("-"); };
  std::cout << "load_gen " << (a.label.empty() ? "" : a.label + " ") << n << " lines: " << started
            << " calls placed, ok " << stats.ok.load() << " (" << stats.calls_completed_turns << " took all "
            << script.turns << " turns, " << stats.cut.load() << " cut at the level's end), failed " << failed << "\n";
  for (const auto& [k, v] : reasons.items()) std::cout << "  failed: " << v << " x " << k << "\n";
  std::cout << "  turns " << stats.turns << ", without a reply within " << script.no_reply_ms / 1000.0 << " s: "
            << stats.turns_no_reply << "; barge-ins " << stats.barge_ins << " (" << stats.replies << " replies), missed (no clear within "
            << script.barge_miss_ms / 1000.0 << " s): " << stats.barge_missed << "\n";
  std::cout << "  turn latency (caller side) p50/p95/p99: " << d(rep["turn_ms"], "p50") << "/" << d(rep["turn_ms"], "p95")
            << "/" << d(rep["turn_ms"], "p99") << " ms over " << rep["turn_ms"]["n"] << " turns";
  if (!stats.tool_turn_ms.empty()) std::cout << " (" << stats.tool_turn_ms.size() << " tool-call turns left out)";
  std::cout << "\n";
  std::cout << "  engine-added (minus " << a.mock_delay_ms << " ms of mock delays) p50/p95/p99: "
            << d(rep["engine_added_ms"], "p50") << "/" << d(rep["engine_added_ms"], "p95") << "/"
            << d(rep["engine_added_ms"], "p99") << " ms\n";
  std::cout << "  barge-in onset->clear p50/p95: " << d(rep["barge_clear_ms"], "p50") << "/"
            << d(rep["barge_clear_ms"], "p95") << " ms over " << rep["barge_clear_ms"]["n"] << " clears\n";
  if (steady.is_object() && steady.contains("engine_cpu_s_per_call_minute")) {
    std::cout << "  engine: " << fmt(steady["engine_cpu_s_per_call_minute"].get<double>(), 4)
              << " CPU-s per call-minute (" << fmt(steady["engine_cpu_share"].get<double>() * 100, 1) << "% of one core, "
              << fmt(steady["live_calls_mean"].get<double>(), 1) << " calls live over " << fmt(steady["window_s"].get<double>(), 1)
              << " s), RSS " << fmt(steady["engine_rss_kb"].get<double>() / 1024, 1) << " MB ("
              << fmt(steady["engine_rss_kb_per_call"].get<double>(), 1) << " KB per call)\n";
  } else if (!took1) {
    std::cout << "  engine: no steady window\n";
  }
  if (steady.is_object() && steady.contains("engine_kernel_share")) {
    std::cout << "  engine in the kernel: " << fmt(steady["engine_kernel_share"].get<double>() * 100, 1)
              << "% of its CPU (" << fmt(steady["engine_kernel_cpu_s_per_call_minute"].get<double>(), 4)
              << " CPU-s per call-minute)";
    if (steady.contains("engine_ctx_switches_per_call_s"))
      std::cout << ", " << fmt(steady["engine_ctx_switches_per_call_s"].get<double>(), 1)
                << " context switches per call-second";
    std::cout << "\n";
  }
  if (steady.is_object() && steady.contains("engine_threads")) {
    std::cout << "  engine threads (cores):";
    for (const auto& t : steady["engine_threads"])
      std::cout << " " << t["thread"].get<std::string>() << " x" << t["count"].get<int>() << " "
                << fmt(t["cores"].get<double>(), 3);
    std::cout << "\n";
  }
  if (steady.is_object() && steady.contains("mailbox")) {
    std::cout << "  mailbox depth by role (window: mean / p99 bucket / max since start):";
    for (const auto& [role, m] : steady["mailbox"].items())
      std::cout << " " << role << " " << fmt(m["mean"].get<double>(), 2) << "/" << m["p99_le"].dump() << "/"
                << m["max_since_start"].get<double>();
    std::cout << "\n";
  }
  if (steady.is_object() && steady.contains("machine_busy"))
    std::cout << "  machine busy over the window: " << fmt(steady["machine_busy"].get<double>() * 100, 1) << "%"
              << (steady.contains("mocks_cpu_share")
                    ? ", mocks " + fmt(steady["mocks_cpu_share"].get<double>(), 2) + " cores"
                    : std::string())
              << "\n";
  std::cout << "  generator: " << fmt(gen.value("cpu_share_window", gen["cpu_share_total"].get<double>()) * 100, 1)
            << "% of one core, tick lateness p50/p99/max " << fmt(gen["tick_late_ms"]["p50"].get<double>(), 2) << "/"
            << fmt(gen["tick_late_ms"]["p99"].get<double>(), 2) << "/" << fmt(gen["tick_late_ms"]["max"].get<double>(), 2)
            << " ms, frames dropped " << stats.frames_dropped << ", protocol violations " << stats.violations << "\n";
  return failed == 0 ? 0 : 1;
}
