#include "providers/espeak/speech_assembler.hpp"

#include "audio/mulaw.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace ce::tts {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/// Punctuation that wraps a word but is not part of it ("Hello," "(today)" 'quoted').
bool is_wrapping(char c) {
  return std::string_view(".,;:!?\"'()[]{}<>").find(c) != std::string_view::npos;
}

} // namespace

text_span word_span_at(std::string_view text, std::size_t at) {
  at = std::min(at, text.size());
  while (at < text.size() && is_space(text[at])) ++at;
  if (at == text.size()) return {text.size(), 0};
  std::size_t begin = at;
  while (begin > 0 && !is_space(text[begin - 1])) --begin;
  std::size_t end = at;
  while (end < text.size() && !is_space(text[end])) ++end;
  while (begin < end && is_wrapping(text[begin])) ++begin;
  while (end > begin && is_wrapping(text[end - 1])) --end;
  return {begin, end - begin};
}

std::size_t utf8_byte_offset(std::string_view text, int char_position) {
  int index = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) == 0x80) continue;  // continuation byte
    if (index == char_position) return i;
    ++index;
  }
  return text.size();
}

speech_assembler::speech_assembler(std::string_view text, const sink& on_chunk)
  : text_(text), on_chunk_(on_chunk) {}

void speech_assembler::add_word(int char_position, std::size_t audio_byte) {
  const auto span = word_span_at(text_, utf8_byte_offset(text_, std::max(char_position, 1)));
  words_.push_back({audio_byte, span.offset, span.length});
}

bool speech_assembler::add_audio(std::span<const std::int16_t> pcm) {
  if (aborted_) return false;
  if (leading_) accept_leading(pcm);
  else audio::encode_mulaw(pcm, pending_);
  while (pending_.size() >= min_chunk_bytes && !aborted_)
    deliver(std::min(pending_.size(), max_chunk_bytes));
  return !aborted_;
}

bool speech_assembler::finish() {
  while (!pending_.empty() && !aborted_) deliver(std::min(pending_.size(), max_chunk_bytes));
  words_.clear();  // any left describe no audio (or the output was silent)
  lead_.clear();
  return !aborted_;
}

void speech_assembler::accept_leading(std::span<const std::int16_t> pcm) {
  lead_.insert(lead_.end(), pcm.begin(), pcm.end());
  const auto sound = std::find_if(lead_.begin(), lead_.end(),
                                  [](std::int16_t s) { return std::abs(s) > sound_threshold; });
  const bool heard = sound != lead_.end();
  const auto first = static_cast<std::size_t>(sound - lead_.begin());
  const std::size_t keep_from = first > lead_keep_samples ? first - lead_keep_samples : 0;
  trimmed_ += keep_from;
  lead_.erase(lead_.begin(), lead_.begin() + static_cast<std::ptrdiff_t>(keep_from));
  if (!heard) return;  // still silent: at most lead_keep_samples are held
  leading_ = false;
  audio::encode_mulaw(lead_, pending_);
  lead_.clear();
}

bool speech_assembler::deliver(std::size_t bytes) {
  synth_chunk chunk;
  chunk.audio.assign(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(bytes));
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(bytes));
  delivered_ += bytes;
  attach_words(chunk, delivered_);
  if (!on_chunk_(std::move(chunk))) aborted_ = true;
  return !aborted_;
}

void speech_assembler::attach_words(synth_chunk& chunk, std::size_t end_byte) {
  auto it = words_.begin();
  for (; it != words_.end(); ++it) {
    const std::size_t offset = it->audio_offset > trimmed_ ? it->audio_offset - trimmed_ : 0;
    if (offset >= end_byte) break;
    chunk.words.push_back({offset, it->text_offset, it->text_length});
  }
  words_.erase(words_.begin(), it);
}

} // namespace ce::tts
