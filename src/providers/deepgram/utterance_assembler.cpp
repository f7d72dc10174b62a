#include "providers/deepgram/utterance_assembler.hpp"

#include <algorithm>

namespace ce::deepgram {
namespace {

std::string join_words(const std::vector<stt_word>& words) {
  std::string out;
  for (const auto& w : words) {
    if (w.punctuated_word.empty()) continue;
    if (!out.empty()) out += ' ';
    out += w.punctuated_word;
  }
  return out;
}

double midpoint(const stt_word& w) { return (w.start + w.end) / 2.0; }

} // namespace

std::string_view to_string(utterance_end_reason r) {
  switch (r) {
  case utterance_end_reason::speech_final: return "speech_final";
  case utterance_end_reason::utterance_end: return "utterance_end";
  case utterance_end_reason::finalize: return "finalize";
  case utterance_end_reason::closed: return "closed";
  }
  return "unknown";
}

void utterance_assembler::rebase(double replay_start) {
  // Keep only what lies before the replayed audio; the replay brings the rest again.
  std::vector<segment> kept;
  for (auto& s : segments_) {
    if (s.words.empty()) {
      if (s.end <= replay_start) kept.push_back(std::move(s));
      continue;
    }
    std::vector<stt_word> words;
    for (auto& w : s.words)
      if (midpoint(w) < replay_start) words.push_back(std::move(w));
    if (words.empty()) continue;
    if (words.size() != s.words.size()) {
      s.text = join_words(words);
      s.end = words.back().end;
    }
    s.words = std::move(words);
    kept.push_back(std::move(s));
  }
  segments_ = std::move(kept);
  filter_emitted_ = replay_start < emitted_until_;
}

std::optional<utterance_assembler::segment> utterance_assembler::to_segment(const stt_result& r) const {
  segment s;
  s.start = base_ + r.start;
  s.end = base_ + r.start + r.duration;
  s.confidence = r.confidence;
  s.text = r.transcript;
  s.words = r.words;
  for (auto& w : s.words) {
    w.start += base_;
    w.end += base_;
  }
  if (filter_emitted_ && emitted_until_ > s.start) {
    if (s.words.empty()) {
      if (s.end <= emitted_until_) return std::nullopt;
    } else {
      const auto before = s.words.size();
      std::erase_if(s.words, [&](const stt_word& w) { return midpoint(w) < emitted_until_; });
      if (s.words.empty()) return std::nullopt;
      if (s.words.size() != before) {
        s.text = join_words(s.words);
        s.start = s.words.front().start;
      }
    }
  }
  if (s.text.empty()) return std::nullopt;
  return s;
}

std::string utterance_assembler::joined(const std::string& extra) const {
  std::string out;
  for (const auto& s : segments_) {
    if (!out.empty()) out += ' ';
    out += s.text;
  }
  if (!extra.empty()) {
    if (!out.empty()) out += ' ';
    out += extra;
  }
  return out;
}

assembly_step utterance_assembler::on_result(const stt_result& r) {
  assembly_step step;
  auto seg = to_segment(r);
  if (seg) {
    stt_interim in;
    in.text = seg->text;
    in.is_final = r.is_final;
    in.start = seg->start;
    in.end = seg->end;
    in.utterance_text = joined(seg->text);
    step.interim = std::move(in);
    if (r.is_final) segments_.push_back(std::move(*seg));
  }
  if (r.is_final && r.speech_final) step.utterance = emit(utterance_end_reason::speech_final);
  else if (r.is_final && r.from_finalize) step.utterance = emit(utterance_end_reason::finalize);
  return step;
}

std::optional<stt_utterance> utterance_assembler::on_utterance_end() { return emit(utterance_end_reason::utterance_end); }

std::optional<stt_utterance> utterance_assembler::on_closed() { return emit(utterance_end_reason::closed); }

std::optional<stt_utterance> utterance_assembler::emit(utterance_end_reason why) {
  if (segments_.empty()) return std::nullopt;
  stt_utterance u;
  u.text = joined();
  u.start = segments_.front().start;
  u.end = segments_.back().end;
  u.reason = why;
  double conf_sum = 0;
  std::size_t conf_n = 0;
  for (auto& s : segments_) {
    for (auto& w : s.words) {
      conf_sum += w.confidence;
      ++conf_n;
      u.words.push_back(std::move(w));
    }
  }
  if (conf_n == 0) {
    for (const auto& s : segments_) conf_sum += s.confidence;
    conf_n = segments_.size();
  }
  u.confidence = conf_sum / static_cast<double>(conf_n);
  // What was said ends with the last word (a segment may run on into silence).
  if (!u.words.empty()) u.end = u.words.back().end;
  emitted_until_ = std::max(emitted_until_, u.end);
  segments_.clear();
  return u;
}

} // namespace ce::deepgram
