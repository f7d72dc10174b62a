#include "mocks/mock_config.hpp"

#include <cmath>
#include <limits>
#include <set>

namespace ce::mocks {
namespace {

using nlohmann::json;

/// Reads the keys of one JSON object with type and range checks, remembering which keys
/// were read so that `finish` can reject the unknown ones. The first error wins.
class object_reader {
public:
  object_reader(const json& j, std::string path, config_error& err)
    : j_(j), path_(std::move(path)), err_(err) {
    if (!j_.is_object()) fail(path_, "must be an object");
  }

  bool ok() const { return err_.message.empty(); }

  template <class T>
  void number(const char* key, T& out, double min, double max) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_number()) return fail(at(key), "must be a number");
    const double d = v->get<double>();
    if (!(d >= min && d <= max)) return fail(at(key), "out of range");
    if constexpr (std::is_integral_v<T>) {
      if (d != std::floor(d)) return fail(at(key), "must be an integer");
      out = static_cast<T>(v->get<std::int64_t>());
    } else {
      out = static_cast<T>(d);
    }
  }

  void flag(const char* key, bool& out) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_boolean()) return fail(at(key), "must be true or false");
    out = v->get<bool>();
  }

  void text(const char* key, std::string& out) {
    const json* v = take(key);
    if (!v) return;
    if (!v->is_string()) return fail(at(key), "must be a string");
    out = v->get<std::string>();
  }

  /// The raw value of `key` (marked as read), or null when absent.
  const json* take(const char* key) {
    if (!ok() || !j_.is_object()) return nullptr;
    seen_.insert(key);
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  std::string at(const char* key) const { return path_.empty() ? key : path_ + "." + key; }

  void fail(const std::string& where, const std::string& what) {
    if (ok()) err_.message = where + ": " + what;
  }

  void finish() {
    if (!ok() || !j_.is_object()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it)
      if (!seen_.count(it.key())) return fail(at(it.key().c_str()), "unknown key");
  }

private:
  const json& j_;
  std::string path_;
  config_error& err_;
  std::set<std::string> seen_;
};

constexpr double max_ms = 24.0 * 3600 * 1000;

bool parse_fault_list(object_reader& r, const char* key, std::vector<fault_rule>& out,
                      config_error& err) {
  const json* v = r.take(key);
  if (!v) return r.ok();
  if (!v->is_array()) {
    r.fail(r.at(key), "must be an array of faults");
    return false;
  }
  out.clear();
  for (std::size_t i = 0; i < v->size(); ++i) {
    auto rule = parse_fault((*v)[i], r.at(key) + "[" + std::to_string(i) + "]", err);
    if (!rule) return false;
    out.push_back(std::move(*rule));
  }
  return true;
}

bool parse_stt(const json& j, const std::string& path, stt_config& c, config_error& err) {
  object_reader r(j, path, err);
  r.number("speech_threshold_dbfs", c.speech_threshold_dbfs, -100, 0);
  r.number("min_speech_ms", c.min_speech_ms, 0, 10000);
  r.number("min_silence_ms", c.min_silence_ms, 0, 60000);
  r.number("default_endpointing_ms", c.default_endpointing_ms, 0, 60000);
  r.number("interim_interval_ms", c.interim_interval_ms, 20, 60000);
  r.number("words_per_second", c.words_per_second, 0.1, 100);
  r.number("final_delay_ms", c.final_delay_ms, 0, max_ms);
  r.number("split_every", c.split_every, 0, 1e6);
  r.text("fallback_text", c.fallback_text);
  r.text("script_key", c.script_key);
  r.number("idle_timeout_ms", c.idle_timeout_ms, 0, max_ms);
  r.flag("finalize_reply_when_idle", c.finalize_reply_when_idle);
  if (const json* s = r.take("script")) {
    if (!s->is_array()) {
      r.fail(r.at("script"), "must be an array of lines");
    } else {
      c.script.clear();
      for (std::size_t i = 0; i < s->size() && r.ok(); ++i) {
        const json& line = (*s)[i];
        const std::string where = r.at("script") + "[" + std::to_string(i) + "]";
        if (line.is_string()) {
          c.script.push_back({line.get<std::string>(), std::nullopt});
          continue;
        }
        script_line sl;
        object_reader lr(line, where, err);
        lr.text("text", sl.text);
        bool split = false;
        if (line.is_object() && line.contains("split")) {
          lr.flag("split", split);
          sl.split = split;
        }
        lr.finish();
        c.script.push_back(std::move(sl));
      }
    }
  }
  parse_fault_list(r, "faults", c.faults, err);
  r.finish();
  return r.ok();
}

bool parse_tts(const json& j, const std::string& path, tts_config& c, config_error& err) {
  object_reader r(j, path, err);
  r.number("ms_per_char", c.ms_per_char, 1, 10000);
  r.number("frame_ms", c.frame_ms, 5, 1000);
  r.number("speed", c.speed, 0.01, 1e6);
  r.number("ttfb_ms", c.ttfb_ms, 0, max_ms);
  r.number("max_flushes", c.max_flushes, 0, 1e9);
  r.number("flush_window_ms", c.flush_window_ms, 1, max_ms);
  r.number("ws_max_chars", c.ws_max_chars, 1, 1e9);
  r.number("rest_max_chars", c.rest_max_chars, 1, 1e9);
  r.number("chars_per_minute", c.chars_per_minute, 0, 1e9);
  r.number("level", c.level, 0.0, 1.0);
  parse_fault_list(r, "faults", c.faults, err);
  r.finish();
  return r.ok();
}

bool parse_deepgram(const json& j, deepgram_config& c, config_error& err) {
  object_reader r(j, "deepgram", err);
  r.text("api_key", c.api_key);
  if (const json* s = r.take("stt")) parse_stt(*s, "deepgram.stt", c.stt, err);
  if (const json* t = r.take("tts")) parse_tts(*t, "deepgram.tts", c.tts, err);
  r.finish();
  return r.ok();
}

bool parse_tool_call(const json& j, const std::string& path, tool_call_spec& t,
                     config_error& err) {
  object_reader r(j, path, err);
  r.text("name", t.name);
  if (t.name.empty()) r.fail(r.at("name"), "required");
  t.arguments = "{}";
  if (const json* a = r.take("arguments")) {
    if (a->is_string()) {
      t.arguments = a->get<std::string>();
    } else if (a->is_object()) {
      t.arguments = a->dump();
    } else {
      r.fail(r.at("arguments"), "must be an object or a JSON string");
    }
  }
  r.finish();
  return r.ok();
}

bool parse_rule(const json& j, const std::string& path, llm_rule& rule, config_error& err) {
  object_reader r(j, path, err);
  if (const json* w = r.take("when")) {
    object_reader wr(*w, r.at("when"), err);
    wr.text("last_role", rule.last_role);
    if (const json* c = wr.take("contains")) {
      if (c->is_string()) {
        rule.contains.push_back(c->get<std::string>());
      } else if (c->is_array()) {
        for (const auto& s : *c) {
          if (!s.is_string()) {
            wr.fail(wr.at("contains"), "must hold strings");
            break;
          }
          rule.contains.push_back(s.get<std::string>());
        }
      } else {
        wr.fail(wr.at("contains"), "must be a string or an array of strings");
      }
    }
    wr.text("tool_result_for", rule.tool_result_for);
    wr.text("has_tool", rule.has_tool);
    wr.number("min_messages", rule.min_messages, 0, 1e9);
    wr.finish();
  }
  if (const json* s = r.take("say")) {
    if (!s->is_string()) r.fail(r.at("say"), "must be a string");
    else rule.say = s->get<std::string>();
  }
  if (const json* tc = r.take("tool_calls")) {
    if (!tc->is_array() || tc->empty()) {
      r.fail(r.at("tool_calls"), "must be a non-empty array");
    } else {
      for (std::size_t i = 0; i < tc->size() && r.ok(); ++i) {
        tool_call_spec t;
        if (parse_tool_call((*tc)[i], r.at("tool_calls") + "[" + std::to_string(i) + "]", t, err))
          rule.tool_calls.push_back(std::move(t));
      }
    }
  }
  r.text("finish_reason", rule.finish_reason);
  r.number("times", rule.times, -1, 1e15);
  if (r.ok() && !rule.say && rule.tool_calls.empty())
    r.fail(path, "needs \"say\" or \"tool_calls\"");
  r.finish();
  return r.ok();
}

bool parse_openai(const json& j, openai_config& c, config_error& err) {
  object_reader r(j, "openai", err);
  r.text("api_key", c.api_key);
  r.number("ttft_ms", c.ttft_ms, 0, max_ms);
  r.number("tokens_per_second", c.tokens_per_second, 0.01, 1e7);
  r.number("keepalive_ms", c.keepalive_ms, 0, max_ms);
  r.number("keepalive_every", c.keepalive_every, 0, 1e6);
  r.number("coalesce_every", c.coalesce_every, 0, 1e6);
  r.number("split_every", c.split_every, 0, 1e6);
  r.text("default_text", c.default_text);
  r.flag("check_strict_schemas", c.check_strict_schemas);
  if (const json* rules = r.take("rules")) {
    if (!rules->is_array()) {
      r.fail(r.at("rules"), "must be an array");
    } else {
      c.rules.clear();
      for (std::size_t i = 0; i < rules->size() && r.ok(); ++i) {
        llm_rule rule;
        if (parse_rule((*rules)[i], r.at("rules") + "[" + std::to_string(i) + "]", rule, err))
          c.rules.push_back(std::move(rule));
      }
    }
  }
  parse_fault_list(r, "faults", c.faults, err);
  r.finish();
  return r.ok();
}

bool parse_google(const json& j, google_config& c, config_error& err) {
  object_reader r(j, "google", err);
  r.text("client_id", c.client_id);
  r.text("client_secret", c.client_secret);
  r.text("refresh_token", c.refresh_token);
  r.number("expires_in", c.expires_in, 0, 1e9);
  r.flag("expires_in_as_string", c.expires_in_as_string);
  r.number("token_ttl_ms", c.token_ttl_ms, 0, 1e15);
  r.number("clock_speed", c.clock_speed, 1e-6, 1e9);
  r.flag("require_token", c.require_token);
  r.text("time_zone", c.time_zone);
  if (const json* cals = r.take("calendars")) {
    if (!cals->is_object()) {
      r.fail(r.at("calendars"), "must map calendar ids to arrays of events");
    } else {
      for (auto it = cals->begin(); it != cals->end(); ++it)
        if (!it->is_array()) r.fail(r.at("calendars") + "." + it.key(), "must be an array of events");
      c.calendars = *cals;
    }
  }
  parse_fault_list(r, "faults", c.faults, err);
  r.finish();
  return r.ok();
}

bool parse_callee(const json& j, const std::string& path, twilio_callee_config& c, config_error& err) {
  object_reader r(j, path, err);
  r.flag("enabled", c.enabled);
  r.text("engine_url", c.engine_url);
  if (r.ok() && !c.engine_url.empty() && c.engine_url.rfind("http://", 0) != 0 && c.engine_url.rfind("https://", 0) != 0)
    r.fail(r.at("engine_url"), "must start with http:// or https://");
  r.text("greeting", c.greeting);
  r.number("greeting_pause_ms", c.greeting_pause_ms, 0, max_ms);
  if (const json* s = r.take("say")) {
    if (!s->is_array()) {
      r.fail(r.at("say"), "must be an array of lines");
    } else {
      c.say.clear();
      for (std::size_t i = 0; i < s->size() && r.ok(); ++i) {
        const json& line = (*s)[i];
        twilio_callee_line l;
        if (line.is_string()) {
          l.text = line.get<std::string>();
        } else {
          object_reader lr(line, r.at("say") + "[" + std::to_string(i) + "]", err);
          lr.text("text", l.text);
          if (line.is_object() && line.contains("pause_before_ms")) {
            int pause = 0;
            lr.number("pause_before_ms", pause, 0, max_ms);
            l.pause_before_ms = pause;
          }
          lr.flag("barge_in", l.barge_in);
          lr.number("barge_after_ms", l.barge_after_ms, 0, max_ms);
          lr.finish();
        }
        if (r.ok() && l.text.empty()) r.fail(r.at("say") + "[" + std::to_string(i) + "]", "needs a text");
        c.say.push_back(std::move(l));
      }
    }
  }
  r.number("pause_before_ms", c.pause_before_ms, 0, max_ms);
  r.number("hangup_after_ms", c.hangup_after_ms, -1, max_ms);
  r.number("answer_timeout_ms", c.answer_timeout_ms, 0, max_ms);
  r.number("max_call_ms", c.max_call_ms, 0, max_ms);
  r.text("voicemail_greeting", c.voicemail_greeting);
  r.number("beep_ms", c.beep_ms, 0, 10000);
  r.number("beep_hz", c.beep_hz, 50, 3900);
  r.text("voice", c.voice);
  r.number("words_per_minute", c.words_per_minute, 80, 450);
  r.text("wav_dir", c.wav_dir);
  r.finish();
  return r.ok();
}

bool parse_twilio(const json& j, twilio_config& c, config_error& err) {
  object_reader r(j, "twilio", err);
  r.text("account_sid", c.account_sid);
  r.text("auth_token", c.auth_token);
  if (const json* keys = r.take("api_keys")) {
    if (!keys->is_object()) {
      r.fail(r.at("api_keys"), "must map key sids to secrets");
    } else {
      c.api_keys.clear();
      for (auto it = keys->begin(); it != keys->end(); ++it) {
        if (!it->is_string()) r.fail(r.at("api_keys") + "." + it.key(), "must be a string");
        else c.api_keys[it.key()] = it->get<std::string>();
      }
    }
  }
  r.number("step_ms", c.step_ms, 0, max_ms);
  r.text("outcome", c.outcome);
  static const std::set<std::string> outcomes{"answered", "busy", "no-answer", "failed"};
  if (r.ok() && !outcomes.count(c.outcome))
    r.fail(r.at("outcome"), "must be answered, busy, no-answer or failed");
  r.number("auto_complete_ms", c.auto_complete_ms, 0, max_ms);
  r.number("twiml_exec_ms", c.twiml_exec_ms, 0, max_ms);
  r.flag("fetch_twiml", c.fetch_twiml);
  r.text("amd_answered_by", c.amd_answered_by);
  static const std::set<std::string> answers{"human",           "machine",          "machine_start",
                                             "machine_end_beep", "machine_end_silence", "machine_end_other",
                                             "fax",             "unknown"};
  if (r.ok() && !answers.count(c.amd_answered_by))
    r.fail(r.at("amd_answered_by"),
           "must be human, machine, machine_start, machine_end_beep, machine_end_silence, machine_end_other, fax or unknown");
  r.number("amd_delay_ms", c.amd_delay_ms, -1, max_ms);
  if (const json* lost = r.take("lost_callbacks")) {
    static const std::set<std::string> events{"initiated", "ringing", "answered", "completed"};
    c.lost_callbacks.clear();
    if (!lost->is_array()) r.fail(r.at("lost_callbacks"), "must be a list of status callback events");
    else
      for (const auto& e : *lost) {
        if (!e.is_string() || !events.count(e.get<std::string>()))
          r.fail(r.at("lost_callbacks"), "events are initiated, ringing, answered or completed");
        else c.lost_callbacks.insert(e.get<std::string>());
      }
  }
  if (const json* callee = r.take("callee")) parse_callee(*callee, r.at("callee"), c.callee, err);
  parse_fault_list(r, "faults", c.faults, err);
  r.finish();
  return r.ok();
}

} // namespace

std::string_view to_string(fault_kind k) {
  switch (k) {
  case fault_kind::status: return "status";
  case fault_kind::drop: return "drop";
  case fault_kind::stall: return "stall";
  case fault_kind::delay: return "delay";
  case fault_kind::stream_error: return "stream_error";
  case fault_kind::no_done: return "no_done";
  }
  return "?";
}

std::optional<fault_rule> parse_fault(const nlohmann::json& j, const std::string& path,
                                      config_error& err) {
  fault_rule f;
  object_reader r(j, path, err);
  std::string kind;
  r.text("kind", kind);
  static const std::map<std::string, fault_kind> kinds{
    {"status", fault_kind::status},        {"drop", fault_kind::drop},
    {"stall", fault_kind::stall},          {"delay", fault_kind::delay},
    {"stream_error", fault_kind::stream_error}, {"no_done", fault_kind::no_done}};
  if (r.ok()) {
    auto it = kinds.find(kind);
    if (it == kinds.end())
      r.fail(r.at("kind"), "must be status, drop, stall, delay, stream_error or no_done");
    else
      f.kind = it->second;
  }
  r.text("match", f.match);
  r.number("probability", f.probability, 0.0, 1.0);
  r.number("every_nth", f.every_nth, 0, 1e15);
  r.number("times", f.times, -1, 1e15);
  r.text("at", f.at);
  if (r.ok() && !f.at.empty() && f.at != "speech" && f.at != "connect")
    r.fail(r.at("at"), "must be \"speech\" or \"connect\"");
  r.number("after", f.after, 0, 1e15);
  r.number("status", f.status, 100, 599);
  r.number("delay_ms", f.delay_ms, 0, max_ms);
  r.number("stall_ms", f.stall_ms, 0, max_ms);
  if (const json* v = r.take("retry_after_ms")) {
    if (!v->is_number_integer()) r.fail(r.at("retry_after_ms"), "must be an integer");
    else f.retry_after_ms = v->get<int>();
  }
  if (const json* v = r.take("retry_after")) {
    if (v->is_string()) f.retry_after = v->get<std::string>();
    else if (v->is_number_integer()) f.retry_after = std::to_string(v->get<std::int64_t>());
    else r.fail(r.at("retry_after"), "must be a string or an integer");
  }
  if (const json* v = r.take("should_retry")) {
    if (!v->is_boolean()) r.fail(r.at("should_retry"), "must be true or false");
    else f.should_retry = v->get<bool>();
  }
  r.text("error_type", f.error_type);
  r.text("error_code", f.error_code);
  r.text("message", f.message);
  r.flag("graceful", f.graceful);
  r.finish();
  if (!r.ok()) return std::nullopt;
  return f;
}

std::optional<mock_config> parse_config(const nlohmann::json& doc, config_error& err) {
  err.message.clear();
  mock_config c;
  object_reader r(doc, "", err);
  r.number("seed", c.seed, 0, 9.0e15);
  r.number("log_limit", c.log_limit, 0, 1e8);
  r.flag("record_bodies", c.record_bodies);
  parse_fault_list(r, "faults", c.faults, err);
  if (const json* t = r.take("timeline")) {
    if (!t->is_array()) {
      r.fail("timeline", "must be an array of steps");
    } else {
      for (std::size_t i = 0; i < t->size() && r.ok(); ++i) {
        timeline_step step;
        object_reader sr((*t)[i], "timeline[" + std::to_string(i) + "]", err);
        sr.number("at_ms", step.at_ms, 0, max_ms);
        if (const json* p = sr.take("patch")) {
          if (!p->is_object()) sr.fail(sr.at("patch"), "must be an object");
          else step.patch = *p;
        }
        sr.text("disconnect", step.disconnect);
        if (sr.ok() && !step.disconnect.empty() && step.disconnect != "stt" && step.disconnect != "tts" &&
            step.disconnect != "openai" && step.disconnect != "all")
          sr.fail(sr.at("disconnect"), "must be stt, tts, openai or all");
        sr.flag("expire_google_tokens", step.expire_google_tokens);
        sr.finish();
        c.timeline.push_back(std::move(step));
      }
    }
  }
  if (const json* d = r.take("deepgram")) parse_deepgram(*d, c.deepgram, err);
  if (const json* o = r.take("openai")) parse_openai(*o, c.openai, err);
  if (const json* g = r.take("google")) parse_google(*g, c.google, err);
  if (const json* t = r.take("twilio")) parse_twilio(*t, c.twilio, err);
  r.finish();
  if (!r.ok()) return std::nullopt;
  return c;
}

config_store::config_store() : document_(nlohmann::json::object()) {
  current_ = std::make_shared<const mock_config>();
}

std::shared_ptr<const mock_config> config_store::snapshot() const {
  std::lock_guard lock(mutex_);
  return current_;
}

nlohmann::json config_store::document() const {
  std::lock_guard lock(mutex_);
  return document_;
}

std::optional<config_error> config_store::patch(const nlohmann::json& merge_patch) {
  if (!merge_patch.is_object()) return config_error{"a config patch must be a JSON object"};
  nlohmann::json doc = document();
  doc.merge_patch(merge_patch);
  return install(std::move(doc));
}

std::optional<config_error> config_store::replace(const nlohmann::json& doc) {
  if (!doc.is_object()) return config_error{"a config must be a JSON object"};
  return install(doc);
}

std::optional<config_error> config_store::install(nlohmann::json doc) {
  config_error err;
  auto parsed = parse_config(doc, err);
  if (!parsed) return err;
  auto next = std::make_shared<const mock_config>(std::move(*parsed));
  {
    std::lock_guard lock(mutex_);
    document_ = std::move(doc);
    current_ = std::move(next);
  }
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return std::nullopt;
}

} // namespace ce::mocks
