#include "mocks/stt_transcriber.hpp"

#include "audio/levels.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace ce::mocks {
namespace {

using json = nlohmann::ordered_json;

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }

std::vector<std::string> split_tokens(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

/// "Tuesday," -> "tuesday"; keeps letters, digits, apostrophes and non-ASCII bytes.
std::string plain_word(const std::string& token) {
  std::string out;
  for (char c : token) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '\'' || u >= 0x80) out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out.empty() ? token : out;
}

std::string model_arch(const std::string& model) {
  if (model.rfind("nova-3", 0) == 0) return "nova-3";
  if (model.rfind("nova-2", 0) == 0) return "nova-2";
  if (model.rfind("nova", 0) == 0) return "nova";
  return "base";
}

std::string model_uuid(const std::string& model) {
  std::uint64_t h = 1469598103934665603ull;
  for (char c : model) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-a%03x-%012llx", static_cast<unsigned>(h >> 32),
                static_cast<unsigned>((h >> 16) & 0xffff), static_cast<unsigned>(h & 0xfff),
                static_cast<unsigned>((h >> 20) & 0xfff),
                static_cast<unsigned long long>((h * 31) & 0xffffffffffffull));
  return buf;
}

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
    std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

} // namespace

stt_transcriber::stt_transcriber(stt_params params, const stt_config& tuning, line_source lines, output& out)
  : params_(std::move(params)), lines_(std::move(lines)), out_(out) {
  if (params_.sample_rate <= 0) params_.sample_rate = 8000;
  frame_samples_ = static_cast<std::size_t>(std::max(1, params_.sample_rate / 50));
  partial_.reserve(frame_samples_);
  retune(tuning);
}

void stt_transcriber::retune(const stt_config& tuning) {
  const std::int64_t per_ms = params_.sample_rate / 1000;
  threshold_dbfs_ = tuning.speech_threshold_dbfs;
  min_speech_ = tuning.min_speech_ms * per_ms;
  min_silence_ = tuning.min_silence_ms * per_ms;
  interim_interval_ = tuning.interim_interval_ms * per_ms;
  words_per_second_ = tuning.words_per_second;
  split_every_ = tuning.split_every;
  finalize_reply_when_idle_ = tuning.finalize_reply_when_idle;
}

double stt_transcriber::seconds(std::int64_t samples) const {
  return round3(static_cast<double>(samples) / params_.sample_rate);
}

double stt_transcriber::audio_seconds() const {
  return static_cast<double>(bytes_) / params_.sample_rate;
}

std::int64_t stt_transcriber::audio_ms() const {
  return static_cast<std::int64_t>(bytes_ * 1000 / static_cast<std::uint64_t>(params_.sample_rate));
}

std::int64_t stt_transcriber::utterance_ms() const {
  if (!active_) return 0;
  return (samples_ - active_->onset) * 1000 / params_.sample_rate;
}

std::int64_t stt_transcriber::endpoint_samples() const {
  const std::int64_t per_ms = params_.sample_rate / 1000;
  if (params_.endpointing_ms < 0) {
    // endpointing=false: no speech_final; the segment closes after a long pause.
    return std::max<std::int64_t>(params_.utterance_end_ms, 1000) * per_ms;
  }
  return std::max<std::int64_t>(params_.endpointing_ms * per_ms, min_silence_);
}

void stt_transcriber::feed(std::span<const std::uint8_t> bytes) {
  bytes_ += bytes.size();
  std::size_t i = 0;
  if (!partial_.empty()) {
    const std::size_t take = std::min(frame_samples_ - partial_.size(), bytes.size());
    partial_.insert(partial_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
    i = take;
    if (partial_.size() < frame_samples_) return;
    process_frame(partial_);
    partial_.clear();
  }
  for (; i + frame_samples_ <= bytes.size(); i += frame_samples_)
    process_frame(bytes.subspan(i, frame_samples_));
  if (i < bytes.size()) partial_.assign(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.end());
}

void stt_transcriber::process_frame(std::span<const std::uint8_t> frame) {
  const std::int64_t start = samples_;
  samples_ += static_cast<std::int64_t>(frame.size());
  const std::int64_t now = samples_;
  const bool loud = audio::mulaw_frame_dbfs(frame) > threshold_dbfs_;

  if (!active_) {
    if (!loud) {
      run_start_.reset();
    } else {
      if (!run_start_) run_start_ = start;
      if (now - *run_start_ >= std::max<std::int64_t>(min_speech_, 1)) {
        // Speech again before the gap reached utterance_end_ms: no UtteranceEnd.
        utterance_end_due_.reset();
        begin_utterance(*run_start_, now);
        run_start_.reset();
        return;
      }
    }
    if (utterance_end_due_ && now >= *utterance_end_due_) {
      out_.emit(stt_message::utterance_end,
                json{{"type", "UtteranceEnd"}, {"channel", {0, 1}}, {"last_word_end", seconds(last_word_end_)}}
                  .dump());
      utterance_end_due_.reset();
    }
    return;
  }

  auto& u = *active_;
  if (loud) u.last_voice_end = now;
  if (now - u.last_voice_end >= endpoint_samples()) {
    end_utterance(now);
    return;
  }
  if (params_.interim_results && now - u.last_interim >= interim_interval_) send_interim(now);
}

void stt_transcriber::begin_utterance(std::int64_t onset, std::int64_t now) {
  const std::size_t index = next_index_++;
  script_line line = lines_ ? lines_(index) : script_line{};
  utterance u;
  u.index = index;
  u.tokens = split_tokens(line.text);
  for (const auto& t : u.tokens) u.words.push_back(plain_word(t));
  u.split = line.split.value_or(split_every_ > 0 && (index + 1) % static_cast<std::size_t>(split_every_) == 0);
  u.onset = onset;
  u.last_voice_end = now;
  u.segment_start = std::max(onset, cursor_);
  u.last_interim = onset;
  active_ = std::move(u);
  out_.utterance_started(index, line.text);
  if (params_.vad_events) {
    out_.emit(stt_message::speech_started,
              json{{"type", "SpeechStarted"}, {"channel", {0, 1}}, {"timestamp", seconds(onset)}}.dump());
  }
}

void stt_transcriber::send_interim(std::int64_t now) {
  auto& u = *active_;
  u.last_interim = now;
  const double elapsed = static_cast<double>(now - u.onset) / params_.sample_rate;
  const auto heard = static_cast<std::size_t>(
    std::clamp<double>(std::ceil(elapsed * words_per_second_), 1.0, static_cast<double>(u.words.size())));
  if (heard <= u.finalized) return;
  json words = json::array();
  std::string transcript;
  const double span = static_cast<double>(now - u.onset) / static_cast<double>(std::max<std::size_t>(heard, 1));
  for (std::size_t i = u.finalized; i < heard; ++i) {
    const auto ws = u.onset + static_cast<std::int64_t>(span * static_cast<double>(i));
    const auto we = u.onset + static_cast<std::int64_t>(span * static_cast<double>(i + 1));
    json w{{"word", u.words[i]}, {"start", seconds(ws)}, {"end", seconds(we)}, {"confidence", 0.9}};
    if (params_.punctuate) w["punctuated_word"] = u.tokens[i];
    words.push_back(std::move(w));
    if (!transcript.empty()) transcript += ' ';
    transcript += params_.punctuate ? u.tokens[i] : u.words[i];
  }
  json msg{{"type", "Results"},
           {"channel_index", {0, 1}},
           {"duration", seconds(now - u.segment_start)},
           {"start", seconds(u.segment_start)},
           {"is_final", false},
           {"speech_final", false},
           {"channel", {{"alternatives", json::array({json{{"transcript", transcript},
                                                           {"confidence", 0.9},
                                                           {"words", std::move(words)}}})}}},
           {"metadata",
            {{"request_id", params_.request_id},
             {"model_uuid", model_uuid(params_.model)},
             {"model_info", {{"name", params_.model}, {"version", "mock"}, {"arch", model_arch(params_.model)}}}}}};
  out_.emit(stt_message::interim, msg.dump());
}

void stt_transcriber::send_final(std::size_t from, std::size_t to, std::int64_t seg_start, std::int64_t seg_end,
                                 bool speech_final, bool from_finalize) {
  json words = json::array();
  std::string transcript;
  if (active_) {
    const auto& u = *active_;
    const std::size_t n = std::max<std::size_t>(u.words.size(), 1);
    const double span = static_cast<double>(u.last_voice_end - u.onset) / static_cast<double>(n);
    for (std::size_t i = from; i < to && i < u.words.size(); ++i) {
      const auto ws = u.onset + static_cast<std::int64_t>(span * static_cast<double>(i));
      const auto we = u.onset + static_cast<std::int64_t>(span * static_cast<double>(i + 1));
      json w{{"word", u.words[i]}, {"start", seconds(ws)}, {"end", seconds(we)}, {"confidence", 0.98}};
      if (params_.punctuate) w["punctuated_word"] = u.tokens[i];
      words.push_back(std::move(w));
      if (!transcript.empty()) transcript += ' ';
      transcript += params_.punctuate ? u.tokens[i] : u.words[i];
    }
  }
  json msg{{"type", "Results"},
           {"channel_index", {0, 1}},
           {"duration", seconds(seg_end - seg_start)},
           {"start", seconds(seg_start)},
           {"is_final", true},
           {"speech_final", speech_final},
           {"from_finalize", from_finalize},
           {"channel", {{"alternatives", json::array({json{{"transcript", transcript},
                                                           {"confidence", transcript.empty() ? 0.0 : 0.98},
                                                           {"words", std::move(words)}}})}}},
           {"metadata",
            {{"request_id", params_.request_id},
             {"model_uuid", model_uuid(params_.model)},
             {"model_info", {{"name", params_.model}, {"version", "mock"}, {"arch", model_arch(params_.model)}}}}}};
  cursor_ = seg_end;
  out_.emit(stt_message::final, msg.dump());
}

void stt_transcriber::end_utterance(std::int64_t now) {
  auto& u = *active_;
  const bool speech_final = params_.endpointing_ms >= 0;
  const std::size_t n = u.words.size();
  if (u.split && n - u.finalized >= 2) {
    const std::size_t mid = u.finalized + (n - u.finalized) / 2;
    const double span = static_cast<double>(u.last_voice_end - u.onset) / static_cast<double>(n);
    const std::int64_t cut = std::max(u.segment_start, u.onset + static_cast<std::int64_t>(span * static_cast<double>(mid)));
    send_final(u.finalized, mid, u.segment_start, cut, false, false);
    send_final(mid, n, cut, now, speech_final, false);
  } else {
    send_final(u.finalized, n, u.segment_start, now, speech_final, false);
  }
  last_word_end_ = u.last_voice_end;
  active_.reset();
  if (params_.utterance_end_ms > 0 && params_.interim_results) {
    utterance_end_due_ = last_word_end_ + static_cast<std::int64_t>(params_.utterance_end_ms) * params_.sample_rate / 1000;
    if (now >= *utterance_end_due_) {
      out_.emit(stt_message::utterance_end,
                json{{"type", "UtteranceEnd"}, {"channel", {0, 1}}, {"last_word_end", seconds(last_word_end_)}}
                  .dump());
      utterance_end_due_.reset();
    }
  }
}

void stt_transcriber::finalize() {
  if (active_) {
    auto& u = *active_;
    send_final(u.finalized, u.words.size(), u.segment_start, samples_, false, true);
    u.finalized = u.words.size();
    u.segment_start = samples_;
    return;
  }
  if (finalize_reply_when_idle_) send_final(0, 0, cursor_, samples_, false, true);
}

void stt_transcriber::close_stream() {
  if (active_) {
    auto& u = *active_;
    send_final(u.finalized, u.words.size(), u.segment_start, samples_, params_.endpointing_ms >= 0, false);
    last_word_end_ = u.last_voice_end;
    active_.reset();
  }
  json meta{{"type", "Metadata"},
            {"transaction_key", "deprecated"},
            {"request_id", params_.request_id},
            {"sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
            {"created", iso_now()},
            {"duration", round3(audio_seconds())},
            {"channels", params_.channels},
            {"models", json::array({model_uuid(params_.model)})},
            {"model_info",
             {{model_uuid(params_.model),
               {{"name", params_.model}, {"version", "mock"}, {"arch", model_arch(params_.model)}}}}}};
  out_.emit(stt_message::metadata, meta.dump());
}

} // namespace ce::mocks
