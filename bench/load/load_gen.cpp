// load_gen: N concurrent simulated Twilio calls against a running engine, one level of the
// load benchmark. It ramps the calls up, keeps them talking in real time (20 ms frames,
// marks echoed as the audio plays, a share of calls barging in), measures latency from the
// caller's side, samples the engine's CPU and RSS from /proc and its actor mailbox depths
// from /metrics over the steady window (all calls up), and measures itself (CPU, how late
// its ticks run) so a saturated generator shows up in the figures instead of in the engine's.
//
//   load_gen --url http://127.0.0.1:8080 --calls 200 [--engine-pid PID] [--ramp-s 10]
//            [--call-s 60] [--barge-share 0.25] [--threads 1] [--mock-delay-ms 0]
//            [--barge-detect-ms 0] [--line "text"]... [--json out.json] [--token T] [--quiet]
//
// Exit status 0 when every call ended ok, 1 when some failed, 64 on bad arguments.
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
using nlohmann::json;

struct args {
  load_options opt;
  int engine_pid = 0;
  double mock_delay_ms = 0;     // configured provider delays inside one turn
  double barge_detect_ms = 0;   // configured detection delay of a barge-in (speech onset -> event)
  double idle_rss_kb = -1;      // the engine's RSS when idle (default: sampled before the calls start)
  std::vector<std::string> lines;
  std::string json_path;
  std::string label;
  bool quiet = false;
  int progress_s = 2;
};

void usage() {
  std::cerr << "usage: load_gen --url URL --calls N [--engine-pid PID] [--ramp-s S] [--call-s S]\n"
               "                [--barge-share F] [--barge-line I] [--threads T] [--slot-ms MS]\n"
               "                [--mock-delay-ms MS] [--barge-detect-ms MS] [--answer-timeout-ms MS] [--idle-rss-kb KB]\n"
               "                [--line TEXT]... [--token AUTH_TOKEN] [--json FILE] [--label TEXT] [--quiet]\n";
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
      else if (k == "--calls") a.opt.calls = std::stoi(val());
      else if (k == "--engine-pid") a.engine_pid = std::stoi(val());
      else if (k == "--ramp-s") a.opt.ramp_ms = static_cast<int>(std::stod(val()) * 1000);
      else if (k == "--call-s") a.opt.call_ms = static_cast<int>(std::stod(val()) * 1000);
      else if (k == "--barge-share") a.opt.barge_share = std::stod(val());
      else if (k == "--barge-line") script.barge_line = std::stoi(val());
      else if (k == "--threads") a.opt.threads = std::stoi(val());
      else if (k == "--slot-ms") a.opt.slot_ms = std::stoi(val());
      else if (k == "--mock-delay-ms") a.mock_delay_ms = std::stod(val());
      else if (k == "--barge-detect-ms") a.barge_detect_ms = std::stod(val());
      else if (k == "--idle-rss-kb") a.idle_rss_kb = std::stod(val());
      else if (k == "--answer-timeout-ms") a.opt.answer_timeout_ms = std::stoi(val());
      else if (k == "--line") a.lines.push_back(val());
      else if (k == "--token") a.opt.auth_token = val();
      else if (k == "--json") a.json_path = val();
      else if (k == "--label") a.label = val();
      else if (k == "--progress-s") a.progress_s = std::stoi(val());
      else if (k == "--quiet") a.quiet = true;
      else if (k == "--help" || k == "-h") { usage(); return false; }
      else throw std::invalid_argument("unknown argument " + k);
    }
  } catch (const std::exception& e) {
    std::cerr << "load_gen: " << e.what() << "\n";
    usage();
    return false;
  }
  std::string why;
  if (a.opt.engine_url.rfind("http://", 0) != 0) why = "--url must be http://host:port";
  else if (a.opt.calls < 1) why = "--calls must be at least 1";
  else if (a.opt.slot_ms < 1 || 20 % a.opt.slot_ms != 0) why = "--slot-ms must divide 20";
  else if (a.opt.threads < 1 || a.opt.threads > 16) why = "--threads must be 1..16";
  else if (a.opt.barge_share < 0 || a.opt.barge_share > 1) why = "--barge-share must be within 0..1";
  else if (a.opt.call_ms < 5000) why = "--call-s must be at least 5";
  if (!why.empty()) {
    std::cerr << "load_gen: " << why << "\n";
    return false;
  }
  if (a.lines.empty())
    a.lines = {"what are your hours on saturday", "how much is an oil change", "do you check the brakes too"};
  if (script.barge_line >= static_cast<int>(a.lines.size())) script.barge_line = -1;
  return true;
}

/// Speech for every caller line, synthesised once (espeak-ng) and base64-encoded per frame.
void encode_script(const std::vector<std::string>& lines, shared_script& script) {
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
      bool voiced = ce::audio::mulaw_frame_dbfs(std::span<const std::uint8_t>(f.data(), f.size())) > -45.0;
      if (voiced) {
        if (!any) l.first_voiced = l.frames.size();
        any = true;
        l.voiced_frames = l.frames.size() + 1;
      }
      l.frames.push_back(ce::base64_encode(f));
    }
    if (!any) throw std::runtime_error("caller line has no audible speech: " + text);
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

std::string fmt(double v, int prec = 0) {
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
    encode_script(a.lines, script);
  } catch (const std::exception& e) {
    std::cerr << "load_gen: " << e.what() << "\n";
    return 64;
  }
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
  const int bargers_every = a.opt.barge_share > 0 ? std::max(1, static_cast<int>(std::lround(1.0 / a.opt.barge_share))) : 0;
  for (int i = 0; i < a.opt.calls; ++i) {
    auto at = t0 + std::chrono::milliseconds(static_cast<std::int64_t>(a.opt.calls > 1 ? static_cast<double>(a.opt.ramp_ms) * i / (a.opt.calls - 1) : 0));
    bool barger = bargers_every > 0 && i % bargers_every == 0;
    workers[static_cast<std::size_t>(i % a.opt.threads)]->add_call(i, at, barger);
  }
  const double self_cpu0 = self_cpu_s();
  for (auto& w : workers) w->run();

  // steady window: every call up (ramp + settle) until the first calls start hanging up
  const auto window_start = t0 + std::chrono::milliseconds(a.opt.ramp_ms + 3000);
  const auto window_end = t0 + std::chrono::milliseconds(a.opt.call_ms) - std::chrono::milliseconds(500);
  const bool has_window = window_end - window_start >= std::chrono::seconds(5);
  const auto deadline = t0 + std::chrono::milliseconds(a.opt.ramp_ms + a.opt.call_ms + a.opt.answer_timeout_ms + 20000);

  proc_sample w0, w1, mid;
  std::map<int, std::pair<std::string, double>> threads0, threads1;
  std::map<std::string, double> m0, m1;
  double self0 = 0, self1 = 0;
  std::size_t late_mark0 = 0, late_mark1 = 0;
  std::vector<int> live_samples;
  clock::time_point w0_at, w1_at;
  bool took0 = false, took1 = false;
  auto next_progress = clock::now() + std::chrono::seconds(a.progress_s);
  auto next_live = clock::now();

  auto progress = [&](const char* tag) {
    std::vector<double> lat;
    {
      std::lock_guard<std::mutex> g{stats.mutex};
      lat = stats.turn_ms;
    }
    double el = std::chrono::duration<double>(clock::now() - t0).count();
    std::fprintf(stderr, "[%s%s%6.1fs] started %d/%d  up %d  ok %d  failed %d  turns %d  latency p50 %s p95 %s ms\n",
                 a.label.c_str(), a.label.empty() ? "" : " ", el, stats.started.load(), a.opt.calls,
                 stats.streaming.load(), stats.ok.load(), stats.failed.load(), stats.turns.load(),
                 fmt(percentile(lat, 50)).c_str(), fmt(percentile(lat, 95)).c_str());
    (void)tag;
  };

  bool timed_out = false;
  while (stats.ok.load() + stats.failed.load() < a.opt.calls) {
    auto now = clock::now();
    if (now >= deadline) {
      timed_out = true;
      break;
    }
    if (has_window && !took0 && now >= window_start) {
      took0 = true;
      w0_at = now;
      w0 = sample_proc(a.engine_pid);
      threads0 = sample_threads(a.engine_pid);
      self0 = self_cpu_s();
      m0 = scrape(a.opt.engine_url);
      std::lock_guard<std::mutex> g{stats.mutex};
      late_mark0 = stats.tick_late_us.size();
    }
    if (took0 && !took1 && now >= window_start + (window_end - window_start) / 2 && !mid.ok())
      mid = sample_proc(a.engine_pid);
    if (has_window && took0 && !took1 && now >= window_end) {
      took1 = true;
      w1_at = now;
      w1 = sample_proc(a.engine_pid);
      threads1 = sample_threads(a.engine_pid);
      self1 = self_cpu_s();
      m1 = scrape(a.opt.engine_url);
      std::lock_guard<std::mutex> g{stats.mutex};
      late_mark1 = stats.tick_late_us.size();
    }
    if (took0 && !took1 && now >= next_live) {
      live_samples.push_back(stats.streaming.load());
      next_live = now + std::chrono::milliseconds(500);
    }
    if (!a.quiet && now >= next_progress) {
      progress("");
      next_progress = now + std::chrono::seconds(a.progress_s);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& w : workers) w->stop(timed_out ? "still running at the level's deadline" : "generator stopped");
  for (auto& w : workers) w->join();
  const double self_cpu_total = self_cpu_s() - self_cpu0;
  const double elapsed_s = std::chrono::duration<double>(clock::now() - t0).count();
  if (!a.quiet) progress("");

  // ------------------------------------------------------------------ report
  std::lock_guard<std::mutex> g{stats.mutex};
  const int ok = stats.ok.load();
  const int failed = a.opt.calls - ok;
  json rep;
  rep["label"] = a.label;
  rep["calls"] = a.opt.calls;
  rep["ok"] = ok;
  rep["failed"] = failed;
  json reasons = json::object();
  for (const auto& [k, v] : stats.failures) reasons[k] = v;
  if (int lost = a.opt.calls - stats.ok.load() - stats.failed.load(); lost > 0) reasons["never finished"] = lost;
  rep["failures"] = reasons;
  rep["config"] = {{"ramp_s", a.opt.ramp_ms / 1000.0}, {"call_s", a.opt.call_ms / 1000.0},
                   {"barge_share", a.opt.barge_share}, {"threads", a.opt.threads}, {"slot_ms", a.opt.slot_ms},
                   {"mock_delay_ms", a.mock_delay_ms}, {"barge_detect_ms", a.barge_detect_ms},
                   {"lines", a.lines}, {"barge_line", script.barge_line}};
  rep["turn_ms"] = dist(stats.turn_ms);
  rep["engine_added_ms"] = dist(stats.turn_ms, a.mock_delay_ms);
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
  std::cout << "load_gen " << (a.label.empty() ? "" : a.label + " ") << "calls " << a.opt.calls << ": ok " << ok
            << ", failed " << failed << "\n";
  for (const auto& [k, v] : reasons.items()) std::cout << "  failed: " << v << " x " << k << "\n";
  std::cout << "  turn latency (caller side) p50/p95/p99: " << d(rep["turn_ms"], "p50") << "/" << d(rep["turn_ms"], "p95")
            << "/" << d(rep["turn_ms"], "p99") << " ms over " << rep["turn_ms"]["n"] << " turns\n";
  std::cout << "  engine-added (minus " << a.mock_delay_ms << " ms of mock delays) p50/p95/p99: "
            << d(rep["engine_added_ms"], "p50") << "/" << d(rep["engine_added_ms"], "p95") << "/"
            << d(rep["engine_added_ms"], "p99") << " ms\n";
  std::cout << "  barge-in onset->clear p50/p95: " << d(rep["barge_clear_ms"], "p50") << "/"
            << d(rep["barge_clear_ms"], "p95") << " ms over " << rep["barge_clear_ms"]["n"] << " barge-ins\n";
  if (steady.is_object() && steady.contains("engine_cpu_s_per_call_minute")) {
    std::cout << "  engine: " << fmt(steady["engine_cpu_s_per_call_minute"].get<double>(), 4)
              << " CPU-s per call-minute (" << fmt(steady["engine_cpu_share"].get<double>() * 100, 1) << "% of one core, "
              << fmt(steady["live_calls_mean"].get<double>(), 1) << " calls live over " << fmt(steady["window_s"].get<double>(), 1)
              << " s), RSS " << fmt(steady["engine_rss_kb"].get<double>() / 1024, 1) << " MB ("
              << fmt(steady["engine_rss_kb_per_call"].get<double>(), 1) << " KB per call)\n";
  } else if (!took1) {
    std::cout << "  engine: no steady window (call length too short for ramp + settle, or the level did not reach it)\n";
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
  std::cout << "  generator: " << fmt(gen.value("cpu_share_window", gen["cpu_share_total"].get<double>()) * 100, 1)
            << "% of one core, tick lateness p50/p99/max " << fmt(gen["tick_late_ms"]["p50"].get<double>(), 2) << "/"
            << fmt(gen["tick_late_ms"]["p99"].get<double>(), 2) << "/" << fmt(gen["tick_late_ms"]["max"].get<double>(), 2)
            << " ms, frames dropped " << stats.frames_dropped << ", protocol violations " << stats.violations << "\n";
  return failed == 0 ? 0 : 1;
}
