#include "net/agent_speech.hpp"

#include <algorithm>

namespace ce::net {

namespace {
/// Marks placed and not echoed yet, at most (a 6 s lead holds ~15 plus segment ends): past
/// it the oldest are forgotten (their echoes are then ignored).
constexpr std::size_t max_placed_marks = 256;
} // namespace

void agent_speech::begin(speech_segment s) {
  if (s.generation < min_generation_) return;
  if (s.generation > heard_.generation) heard_ = heard_position{s.generation};
  // A new turn: what is left of older ones ended or was cleared already.
  std::erase_if(live_, [&](const attempt& x) { return x.seg.generation < s.generation; });
  attempt a;
  // A new attempt at a segment (another provider re-speaks it) replaces the old one and
  // goes on numbering its marks where it left off (names stay unique in the call).
  auto old = std::find_if(live_.begin(), live_.end(), [&](const attempt& x) {
    return x.seg.key == s.key || (x.seg.generation == s.generation && x.seg.segment == s.segment);
  });
  if (old != live_.end()) {
    a.marks = old->marks;
    a.bytes_since_mark = old->bytes_since_mark;
    live_.erase(old);
  }
  a.seg = std::move(s);
  live_.push_back(std::move(a));
}

agent_speech::attempt* agent_speech::find(std::uint64_t key) {
  for (auto& a : live_)
    if (a.seg.key == key) return &a;
  return nullptr;
}

void agent_speech::play(attempt& a, std::span<const std::uint8_t> audio) {
  if (audio.empty()) return;
  out_.queue_audio(a.seg.generation, audio);
  a.bytes += audio.size();
  a.bytes_since_mark += audio.size();
}

void agent_speech::place_mark(attempt& a, std::size_t chars, bool end) {
  std::string name = "g" + std::to_string(a.seg.generation) + "s" + std::to_string(a.seg.segment) + "m" +
                     std::to_string(a.marks++);
  out_.queue_mark(a.seg.generation, name);
  if (placed_.size() >= max_placed_marks) placed_.pop_front();
  placed_.push_back(placed_mark{std::move(name), a.seg.generation, a.seg.segment, std::min(chars, a.seg.text.size()), end});
  a.bytes_since_mark = 0;
}

std::size_t agent_speech::estimated_chars(const attempt& a) const {
  return estimated_heard_chars(a.seg.text, a.seg.char_base, a.bytes, a.seg.ms_per_char);
}

void agent_speech::audio(std::uint64_t key, std::span<const std::uint8_t> mulaw) {
  auto* a = find(key);
  if (!a) {
    dropped_ += mulaw.size();
    return;
  }
  std::size_t pos = 0;
  while (a->bytes_since_mark + (mulaw.size() - pos) >= mark_bytes_) {
    const std::size_t cut = pos + (mark_bytes_ - a->bytes_since_mark);
    play(*a, mulaw.subspan(pos, cut - pos));
    place_mark(*a, estimated_chars(*a), false);
    pos = cut;
  }
  play(*a, mulaw.subspan(pos));
  out_.commit();
}

void agent_speech::audio_with_words(std::uint64_t key, std::span<const std::uint8_t> mulaw,
                                    const std::vector<word_start>& words, bool last) {
  auto* a = find(key);
  if (!a) {
    dropped_ += mulaw.size();
    return;
  }
  std::size_t pos = 0;
  // a mark at a word start once enough audio played: everything before the word was heard
  for (const auto& w : words) {
    if (w.audio_offset <= pos || w.audio_offset > mulaw.size()) continue;
    if (a->bytes_since_mark + (w.audio_offset - pos) < mark_bytes_) continue;
    play(*a, mulaw.subspan(pos, w.audio_offset - pos));
    place_mark(*a, a->seg.char_base + w.text_offset, false);
    pos = w.audio_offset;
  }
  play(*a, mulaw.subspan(pos));
  if (last) end(key);
  out_.commit();
}

void agent_speech::end(std::uint64_t key) {
  auto it = std::find_if(live_.begin(), live_.end(), [&](const attempt& a) { return a.seg.key == key; });
  if (it == live_.end()) return;
  place_mark(*it, it->seg.text.size(), true);
  live_.erase(it);
  out_.commit();
}

std::vector<std::pair<std::uint64_t, std::size_t>> agent_speech::progress() const {
  std::vector<std::pair<std::uint64_t, std::size_t>> out;
  out.reserve(live_.size());
  for (const auto& a : live_) out.emplace_back(a.seg.key, a.bytes);
  return out;
}

bool agent_speech::echoed(std::string_view name) {
  auto it = std::find_if(placed_.begin(), placed_.end(), [&](const placed_mark& m) { return m.name == name; });
  if (it == placed_.end()) return false;
  // Twilio plays in order: the marks before it were played too (their echoes are not lost
  // in practice; if one were, its segment still counts as played)
  for (auto m = placed_.begin(); m != std::next(it); ++m) {
    if (m->generation == heard_.generation) {
      heard_.any = true;
      heard_.segment = m->segment;
      heard_.chars = m->chars;
    }
    if (m->end && inbox_) inbox_->segment_played(m->generation, m->segment);
  }
  placed_.erase(placed_.begin(), std::next(it));
  return true;
}

void agent_speech::clear(std::uint64_t generation) {
  if (heard_.generation != 0 && heard_.generation < generation && inbox_)
    inbox_->speech_heard(heard_.generation, heard_.any, heard_.segment, heard_.chars);
  if (heard_.generation < generation) heard_ = heard_position{generation};
  min_generation_ = std::max(min_generation_, generation);
  std::erase_if(live_, [&](const attempt& a) { return a.seg.generation < min_generation_; });
  std::erase_if(placed_, [&](const placed_mark& m) { return m.generation < min_generation_; });
}

} // namespace ce::net
