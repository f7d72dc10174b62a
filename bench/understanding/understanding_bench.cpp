// understanding_bench: how well the engine understands callers who do not speak the demo's
// script. Every phrasing of bench/understanding/corpus.json is spoken by espeak-ng (voices and
// speeds from the corpus) as a real simulated phone call against a running engine: webhook,
// Media Stream, 8 kHz mu-law, the engine's recogniser, dialog, tools and PostgreSQL. It then
// reads what the engine heard and answered (GET /calls/{sid}) and, for whole calls, the
// database, and prints:
//   - word error rate of the recogniser on the corpus lines (by voice),
//   - intent accuracy (the agent's next move fits the caller's request),
//   - slot-choice accuracy (the slot the agent proposes is the one the caller chose among
//     those offered), yes/no, name and vehicle answers,
//   - the share of whole calls that end in the right database state.
// Failures are listed with what was said, what was heard and what the agent answered.
//
//   understanding_bench --url http://127.0.0.1:8080 --database-url postgresql://...
//       [--corpus bench/understanding/corpus.json] [--jobs 4] [--sample N] [--only PREFIX]
//       [--all-voices] [--json FILE] [--report FILE]
//
// Customers come from the seeded database (one per case, never shared between cases);
// new callers get numbers the database does not have. Whole calls change the database,
// so they run after every other case (the slot offers stay the same meanwhile).
#include "sim/caller.hpp"
#include "store/pg.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct voice {
  std::string name;
  std::string espeak;
  int wpm = 165;
};

struct customer {
  std::int64_t id = 0;
  std::string phone;
  std::string zip;
  std::string first_name;
  std::string last_name;
  std::int64_t appointment_id = 0;
  std::string appointment_starts_at;
};

struct bench_case {
  std::string group;
  std::string measure;
  std::string flow;
  std::string persona;
  std::string probe;            ///< the corpus phrasing (placeholders filled in when run)
  std::vector<std::string> script;
  int probe_line = -1;          ///< the script line that is the phrasing
  int judge_after = -1;         ///< caller line whose following agent turn is judged
  std::string expect;           ///< regex on that agent turn
  json slot;                    ///< slot cases: 1, 2, ... or "last"
  std::string check;            ///< whole calls: SQL returning true when the database is right
  voice v;
  customer who;
  // result
  bool done = false;
  bool right = false;
  std::string said;             ///< the probe as spoken
  std::string heard;            ///< what the engine recognised for it
  std::string answer;           ///< the judged agent turn(s)
  std::string why;              ///< why it counts as wrong
  int word_errors = 0;
  int ref_words = 0;
  std::string call_sid;
  bool guessed = false;         ///< slot cases: proposed a time that was not offered
  bool by_time = false;         ///< slot cases: the pick names the time ({slotN}), not an ordinal
};

std::string lower_words(const std::string& s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '\'') out += static_cast<char>(std::tolower(u));
    else if (c == '.') continue;  // a.m. -> am
    else out += ' ';
  }
  return out;
}

std::vector<std::string> words_of(const std::string& s) {
  std::istringstream in(lower_words(s));
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

int edit_distance(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

/// An offered slot as the agent says it: "Tuesday, December eighth" / "nine a.m.".
struct spoken_slot {
  std::string day;
  std::string time;
};

/// The slots of an offer ("I have Monday, December seventh at four thirty p.m., or Tuesday,
/// December eighth at nine a.m., ten thirty a.m., or one p.m. Which works best?"): each time
/// with the last day named before it.
std::vector<spoken_slot> slots_in(const std::string& text) {
  static const std::regex day_re(R"((Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), [A-Z][a-z]+ [a-z-]+)");
  static const std::regex time_re(R"(((?:[a-z-]+ ){1,2}?)([ap])\.m\.|noon)");
  std::vector<spoken_slot> out;
  std::vector<std::pair<std::size_t, std::string>> days;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), day_re); it != std::sregex_iterator(); ++it)
    days.emplace_back(static_cast<std::size_t>(it->position()), it->str());
  for (auto it = std::sregex_iterator(text.begin(), text.end(), time_re); it != std::sregex_iterator(); ++it) {
    std::string t = it->str();
    // drop a leading connective: "at four p.m.", "or one p.m."
    for (const char* lead : {"at ", "or ", "and "})
      if (t.rfind(lead, 0) == 0) t = t.substr(std::string(lead).size());
    spoken_slot s;
    s.time = t;
    for (const auto& [pos, d] : days)
      if (pos < static_cast<std::size_t>(it->position())) s.day = d;
    out.push_back(s);
  }
  return out;
}

json fetch_record(const std::string& url, const std::string& sid) {
  json rec = json::object();
  for (int i = 0; i < 200; ++i) {
    auto r = ce::sim::http_get(url + "/calls/" + sid);
    if (r.status == 200) {
      rec = json::parse(r.body, nullptr, false);
      if (rec.is_discarded()) rec = json::object();
      if (rec.value("state", "") == "ended") return rec;
    }
    std::this_thread::sleep_for(50ms);
  }
  return rec;
}

/// The caller turns (spoken or keyed) and, after each, the agent's words until the next.
struct exchange {
  std::string caller;
  std::string agent_after;
};

std::vector<exchange> exchanges_of(const json& rec) {
  std::vector<exchange> out;
  if (!rec.contains("turns")) return out;
  for (const auto& t : rec["turns"]) {
    auto speaker = t.value("speaker", "");
    auto text = t.value("text", "");
    if (speaker == "caller") out.push_back({text, ""});
    else if (!out.empty()) out.back().agent_after += (out.back().agent_after.empty() ? "" : " ") + text;
  }
  return out;
}

class runner {
public:
  runner(std::string url, std::string db_url) : url_(std::move(url)), db_url_(std::move(db_url)) {}

  ce::store::pg_connection connect() {
    ce::store::pg_options o;
    o.url = db_url_;
    ce::store::pg_connection c{o};
    if (auto s = c.connect(); !s) throw std::runtime_error("PostgreSQL: " + s.error().message);
    return c;
  }

  std::vector<customer> customers(const std::string& persona, int n) {
    if (n == 0) return {};
    auto db = connect();
    std::vector<customer> out;
    if (persona == "new") {
      // numbers the dealership has never seen
      for (int i = 0; static_cast<int>(out.size()) < n && i < 100000; ++i) {
        std::string phone = "+1309555" + std::to_string(1000 + (next_new_++ % 9000));
        auto r = db.exec("SELECT count(*) FROM customers WHERE phone = $1", ce::store::pg_params{}.add(phone));
        if (r && (*r)[0].int64(0) == 0) out.push_back(customer{0, phone, "", "", "", 0, ""});
      }
      return out;
    }
    const std::string one_vehicle = "(SELECT count(*) FROM vehicles v WHERE v.customer_id = c.id) = 1";
    const std::string upcoming = "a.customer_id = c.id AND a.status IN ('booked', 'confirmed') AND a.starts_at > now()";
    std::string sql;
    if (persona == "known")
      sql = "SELECT c.id, c.phone, c.zip, c.first_name, c.last_name, 0, '' FROM customers c"
            " WHERE c.zip ~ '^[0-9]{5}$' AND c.phone IS NOT NULL AND NOT c.do_not_call AND " + one_vehicle +
            " AND NOT EXISTS (SELECT 1 FROM appointments a WHERE " + upcoming + ")"
            " AND c.id > $2 ORDER BY c.id LIMIT $1";
    else if (persona == "booked")
      sql = "SELECT c.id, c.phone, c.zip, c.first_name, c.last_name, min(a.id), min(a.starts_at)::text"
            " FROM customers c JOIN appointments a ON " + upcoming +
            " WHERE c.zip ~ '^[0-9]{5}$' AND c.phone IS NOT NULL AND NOT c.do_not_call AND " + one_vehicle +
            " AND c.id > $2 GROUP BY c.id HAVING count(*) = 1 AND min(a.starts_at) > now() + interval '2 days'"
            " ORDER BY c.id LIMIT $1";
    else
      throw std::runtime_error("unknown persona " + persona);
    auto r = db.exec(sql, ce::store::pg_params{}.add(n).add(last_id_[persona]));
    if (!r) throw std::runtime_error("choosing customers: " + r.error().message);
    for (int i = 0; i < r->size(); ++i) {
      const auto& row = (*r)[i];
      out.push_back(customer{row.int64(0), std::string{row.text(1)}, std::string{row.text(2)}, std::string{row.text(3)},
                             std::string{row.text(4)}, row.int64(5), std::string{row.text(6)}});
      last_id_[persona] = std::max(last_id_[persona], row.int64(0));
    }
    if (static_cast<int>(out.size()) < n)
      throw std::runtime_error("not enough seeded '" + persona + "' customers (seed a fresh database)");
    return out;
  }

  std::string fill(std::string text, const customer& c) const {
    text = replace_all(text, "{zip}", c.zip);
    text = replace_all(text, "{first_name}", c.first_name);
    text = replace_all(text, "{last_name}", c.last_name);
    for (std::size_t i = 0; i < offered_.size(); ++i)
      text = replace_all(text, "{slot" + std::to_string(i + 1) + "}", offered_[i].time);
    return text;
  }

  /// One call; the record's caller turns and the agent's answers.
  std::vector<exchange> call(const customer& c, const std::vector<std::string>& script, const voice& v,
                             std::string& sid, std::string& error) {
    ce::sim::caller_options o;
    o.engine_url = url_;
    o.from = c.phone;
    o.voice = v.espeak;
    o.words_per_minute = v.wpm;
    o.hangup_after_ms = 800;
    o.max_call_ms = 150000;
    for (const auto& line : script) o.script.push_back({fill(line, c)});
    auto r = ce::sim::run_call(o);
    sid = r.call_sid;
    if (!r.ok) error = r.error;
    return exchanges_of(fetch_record(url_, r.call_sid));
  }

  /// Learns what a known customer booking an oil change is offered (for {slotN} and the
  /// slot cases' judging).
  /// `script`: a slot case's script up to the choice (a day is named, so the offer does not
  /// move with the clock during the run).
  void learn_offers(const customer& c, std::vector<std::string> script) {
    std::string sid, error;
    auto ex = call(c, script, voice{"us-165", "en-us", 165}, sid, error);
    if (!ex.empty()) offered_ = slots_in(ex.back().agent_after);
    std::cout << "offers learned from " << sid << ":";
    for (const auto& s : offered_) std::cout << " [" << s.day << " at " << s.time << "]";
    std::cout << "\n";
    if (offered_.size() < 2) throw std::runtime_error("the probe call was not offered two slots: " + (ex.empty() ? error : ex.back().agent_after));
  }

  void run_case(bench_case& k) {
    std::string error;
    auto ex = call(k.who, k.script, k.v, k.call_sid, error);
    // the probe line: WER against what was heard (keypad turns are caller turns too)
    const int probe_index = k.probe_line;
    k.said = fill(k.probe, k.who);
    if (probe_index >= 0 && probe_index < static_cast<int>(ex.size())) k.heard = ex[static_cast<std::size_t>(probe_index)].caller;
    auto ref = words_of(k.said);
    k.ref_words = static_cast<int>(ref.size());
    k.word_errors = edit_distance(ref, words_of(k.heard));
    if (!error.empty() && ex.empty()) {
      k.why = "call failed: " + error;
    } else if (k.measure == "call") {
      auto db = connect();
      std::string sql = replace_all(k.check, "{customer_id}", std::to_string(k.who.id));
      sql = replace_all(sql, "{appointment_id}", std::to_string(k.who.appointment_id));
      sql = replace_all(sql, "{appointment_starts_at}", k.who.appointment_starts_at);
      sql = replace_all(sql, "{phone}", k.who.phone);
      auto r = db.exec(sql);
      k.right = r && !r->empty() && (*r)[0].text(0) == "t";
      if (!r) k.why = "check failed: " + r.error().message;
      else if (!k.right) k.why = "the database is not in the expected state";
      for (const auto& e : ex) k.answer += "[" + e.caller + "] " + e.agent_after + " ";
    } else if (k.judge_after >= static_cast<int>(ex.size())) {
      k.why = "the call ended before that turn (" + std::to_string(ex.size()) + " caller turns)";
      for (const auto& e : ex) k.answer += "[" + e.caller + "] " + e.agent_after + " ";
    } else {
      k.answer = ex[static_cast<std::size_t>(k.judge_after)].agent_after;
      if (k.measure == "slot") {
        // judged against what this call was offered (the turn before the choice)
        std::vector<spoken_slot> offer;
        if (k.probe_line >= 1 && static_cast<std::size_t>(k.probe_line) <= ex.size())
          offer = slots_in(ex[static_cast<std::size_t>(k.probe_line) - 1].agent_after);
        judge_slot(k, offer);
      } else {
        k.right = std::regex_search(k.answer, std::regex(fill(k.expect, k.who)));
        if (!k.right) k.why = "expected /" + k.expect + "/";
      }
    }
    k.done = true;
  }

  void judge_slot(bench_case& k, const std::vector<spoken_slot>& offer) {
    if (offer.size() < 2) {
      k.why = "no choice of slots was offered before the pick";
      return;
    }
    std::size_t want = 0;
    if (k.slot.is_string() && k.slot.get<std::string>() == "last") want = offer.size() - 1;
    else want = static_cast<std::size_t>(k.slot.get<int>() - 1);
    if (k.by_time) {
      // the time said was the probe call's slot N: the same time in this call's offer
      const auto& said_time = offered_[std::min(want, offered_.size() - 1)].time;
      auto it = std::find_if(offer.begin(), offer.end(), [&](const spoken_slot& o) { return o.time == said_time; });
      if (it == offer.end()) {
        k.why = "this call was offered other times than the probe call";
        return;
      }
      want = static_cast<std::size_t>(it - offer.begin());
    }
    if (want >= offer.size()) {
      k.why = "the corpus asks for a slot that was not offered";
      return;
    }
    const auto& expected = offer[want];
    // the agent proposes what it understood: "So that's an oil change ... on Tuesday,
    // December eighth at one p.m. Shall I book it?"
    auto proposed = slots_in(k.answer);
    bool asks_to_book = k.answer.find("Shall I book") != std::string::npos;
    if (!asks_to_book || proposed.empty()) {
      k.why = "no slot proposed (wanted " + expected.day + " at " + expected.time + ")";
      return;
    }
    bool offered = std::any_of(offer.begin(), offer.end(),
                               [&](const spoken_slot& o) { return o.time == proposed.front().time; });
    if (!offered) k.guessed = true;
    k.right = proposed.front().time == expected.time && (proposed.front().day.empty() || expected.day.empty() ||
                                                         proposed.front().day == expected.day);
    if (!k.right) k.why = std::string(offered ? "" : "a GUESS: ") + "proposed " + proposed.front().day + " at " + proposed.front().time + ", wanted " +
                          expected.day + " at " + expected.time;
  }

  std::vector<spoken_slot> offered_;

private:
  std::string url_;
  std::string db_url_;
  std::map<std::string, std::int64_t> last_id_;
  int next_new_ = 0;
};

struct tally {
  int n = 0, right = 0, errors = 0, words = 0;
  void add(const bench_case& k) {
    ++n;
    right += k.right ? 1 : 0;
    errors += k.word_errors;
    words += k.ref_words;
  }
  std::string pct() const { return n ? std::to_string(100 * right / n) + " % (" + std::to_string(right) + "/" + std::to_string(n) + ")" : "-"; }
  std::string wer() const {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f %%", words ? 100.0 * errors / words : 0.0);
    return b;
  }
};

} // namespace

int main(int argc, char** argv) {
  std::string url = "http://127.0.0.1:8080", db_url, corpus_path = "bench/understanding/corpus.json";
  std::string json_out, report_out, only;
  int jobs = 4, sample = 0;
  bool all_voices = false;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto val = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string{}; };
    if (k == "--url") url = val();
    else if (k == "--database-url") db_url = val();
    else if (k == "--corpus") corpus_path = val();
    else if (k == "--jobs") jobs = std::max(1, std::stoi(val()));
    else if (k == "--sample") sample = std::stoi(val());
    else if (k == "--only") only = val();
    else if (k == "--all-voices") all_voices = true;
    else if (k == "--json") json_out = val();
    else if (k == "--report") report_out = val();
    else {
      std::cerr << "understanding_bench: unknown argument " << k << "\n";
      return 64;
    }
  }
  if (db_url.empty()) {
    if (const char* e = std::getenv("DATABASE_URL")) db_url = e;
  }
  if (db_url.empty()) {
    std::cerr << "understanding_bench: --database-url (or DATABASE_URL) is needed for the customers and the checks\n";
    return 64;
  }
  std::ifstream in(corpus_path);
  auto corpus = json::parse(in, nullptr, false);
  if (corpus.is_discarded() || !corpus.contains("groups")) {
    std::cerr << "understanding_bench: cannot read the corpus " << corpus_path << "\n";
    return 66;
  }
  std::vector<voice> voices;
  for (const auto& v : corpus["voices"]) voices.push_back({v["name"], v["voice"], v["wpm"]});

  // the cases: one per phrasing, the voices taken in turn (all of them with --all-voices)
  std::vector<bench_case> cases;
  std::size_t turn = 0;
  for (const auto& g : corpus["groups"]) {
    std::string id = g["id"];
    if (!only.empty() && id.rfind(only, 0) != 0) continue;
    std::vector<json> phrasings(g["phrasings"].begin(), g["phrasings"].end());
    if (sample > 0) {
      // every k-th phrasing, at least one per group
      std::vector<json> kept;
      std::size_t step = std::max<std::size_t>(1, phrasings.size() / static_cast<std::size_t>(sample));
      for (std::size_t i = 0; i < phrasings.size() && static_cast<int>(kept.size()) < sample; i += step) kept.push_back(phrasings[i]);
      phrasings = kept;
    }
    for (const auto& p : phrasings) {
      for (std::size_t vi = 0; vi < (all_voices ? voices.size() : 1); ++vi) {
        bench_case k;
        k.group = id;
        k.measure = g["measure"];
        k.flow = g["flow"];
        k.persona = g["persona"];
        k.probe = p.is_string() ? p.get<std::string>() : p["text"].get<std::string>();
        if (p.is_object() && p.contains("slot")) k.slot = p["slot"];
        k.by_time = p.is_object() && p.value("slot_time", false);
        k.expect = p.is_object() && p.contains("expect") ? p["expect"].get<std::string>() : g.value("expect", "");
        for (const auto& line : g["script"]) {
          const auto text = line.get<std::string>();
          if (text.find("{probe}") != std::string::npos) k.probe_line = static_cast<int>(k.script.size());
          k.script.push_back(replace_all(text, "{probe}", k.probe));
        }
        k.judge_after = g.value("judge_after", -1);
        k.check = g.value("check", "");
        k.v = all_voices ? voices[vi] : voices[turn++ % voices.size()];
        cases.push_back(std::move(k));
      }
    }
  }
  runner run(url, db_url);
  try {
    std::map<std::string, int> need;
    for (const auto& k : cases) ++need[k.persona];
    bool slots = std::any_of(cases.begin(), cases.end(), [](const bench_case& k) { return k.measure == "slot"; });
    if (slots) ++need["known"];
    std::map<std::string, std::vector<customer>> pool;
    for (const auto& [persona, n] : need) pool[persona] = run.customers(persona, n);
    if (slots) {
      auto first = std::find_if(cases.begin(), cases.end(), [](const bench_case& k) { return k.measure == "slot"; });
      std::vector<std::string> prefix(first->script.begin(), first->script.begin() + first->probe_line);
      run.learn_offers(pool["known"].back(), prefix);
      pool["known"].pop_back();
    }
    std::map<std::string, std::size_t> used;
    for (auto& k : cases) k.who = pool[k.persona][used[k.persona]++];
  } catch (const std::exception& e) {
    std::cerr << "understanding_bench: " << e.what() << "\n";
    return 1;
  }

  const auto started = std::chrono::steady_clock::now();
  // everything but whole calls first (they book, and would change the offers)
  for (bool whole : {false, true}) {
    std::vector<bench_case*> todo;
    for (auto& k : cases)
      if ((k.measure == "call") == whole) todo.push_back(&k);
    std::atomic<std::size_t> next{0};
    std::mutex out;
    std::vector<std::thread> workers;
    for (int w = 0; w < jobs; ++w)
      workers.emplace_back([&] {
        for (std::size_t i; (i = next.fetch_add(1)) < todo.size();) {
          auto& k = *todo[i];
          run.run_case(k);
          std::lock_guard lock(out);
          std::cout << (k.right ? "  ok    " : "  WRONG ") << k.group << " [" << k.v.name << "] \"" << k.said << "\" heard \""
                    << k.heard << "\"" << (k.right ? "" : " -> " + k.why) << "\n"
                    << std::flush;
        }
      });
    for (auto& t : workers) t.join();
  }
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count();

  std::map<std::string, tally> by_measure, by_group, by_voice;
  tally all;
  for (const auto& k : cases) {
    by_measure[k.measure].add(k);
    by_group[k.group].add(k);
    by_voice[k.v.name].add(k);
    all.add(k);
  }
  const auto failed = std::count_if(cases.begin(), cases.end(), [](const bench_case& k) { return k.why.rfind("call failed", 0) == 0; });
  const auto guesses = std::count_if(cases.begin(), cases.end(), [](const bench_case& k) { return k.guessed; });
  std::cout << "\n" << cases.size() << " phrasings, " << secs << " s; calls that failed to run: " << failed
            << "; slot proposals the caller did not make (times not offered): " << guesses << "\n\n";
  std::cout << "| measure | right | word error rate |\n|---|---:|---:|\n";
  for (const auto& [m, t] : by_measure) std::cout << "| " << m << " | " << t.pct() << " | " << t.wer() << " |\n";
  std::cout << "| **all** | " << all.pct() << " | " << all.wer() << " |\n\n";
  std::cout << "| group | right | word error rate |\n|---|---:|---:|\n";
  for (const auto& [g, t] : by_group) std::cout << "| " << g << " | " << t.pct() << " | " << t.wer() << " |\n";
  std::cout << "\n| voice | right | word error rate |\n|---|---:|---:|\n";
  for (const auto& [v, t] : by_voice) std::cout << "| " << v << " | " << t.pct() << " | " << t.wer() << " |\n";

  if (!json_out.empty() || !report_out.empty()) {
    json j;
    j["seconds"] = secs;
    j["failed_calls"] = failed;
    j["guessed_slots"] = guesses;
    j["offers"] = json::array();
    for (const auto& s : run.offered_) j["offers"].push_back(s.day + " at " + s.time);
    for (const auto& [m, t] : by_measure) j["measures"][m] = {{"n", t.n}, {"right", t.right}, {"word_errors", t.errors}, {"words", t.words}};
    for (const auto& [v, t] : by_voice) j["voices"][v] = {{"n", t.n}, {"right", t.right}, {"word_errors", t.errors}, {"words", t.words}};
    j["cases"] = json::array();
    for (const auto& k : cases)
      j["cases"].push_back({{"group", k.group}, {"voice", k.v.name}, {"said", k.said}, {"heard", k.heard}, {"right", k.right},
                            {"why", k.why}, {"answer", k.answer}, {"call_sid", k.call_sid}});
    if (!json_out.empty()) std::ofstream(json_out) << j.dump(1) << "\n";
    if (!report_out.empty()) {
      std::ofstream r(report_out);
      r << "# Understanding: what went wrong\n\n";
      for (const auto& k : cases)
        if (!k.right)
          r << "- **" << k.group << "** [" << k.v.name << "] said \"" << k.said << "\", heard \"" << k.heard << "\": " << k.why
            << "\n  - agent: " << k.answer << "\n";
    }
  }
  return failed ? 1 : 0;
}
