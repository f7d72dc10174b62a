#include "providers/pocketsphinx/voice_adaptation.hpp"

#include "providers/pocketsphinx/acoustic_model.hpp"
#include "providers/pocketsphinx/mllr.hpp"
#include "providers/pocketsphinx/phone_audio.hpp"
#include "providers/pocketsphinx/ps_setup.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"
#include "providers/pocketsphinx/text_file.hpp"

#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace ce::stt {
namespace {

constexpr int lead_silence_ms = 200;
constexpr int tail_silence_ms = 300;

/// Word (with "(2)" for alternates, as the decoder names them) -> codebook of each phone.
std::optional<std::map<std::string, std::vector<int>>> read_phonetic_dict(
  const std::string& path, const std::vector<std::string>& ci_phones, std::string* error) {
  std::map<std::string, int> phone_ids;
  for (std::size_t i = 0; i < ci_phones.size(); ++i) phone_ids[ci_phones[i]] = static_cast<int>(i);
  std::ifstream in(path);
  if (!in) {
    if (error) *error = "cannot open pronunciation dictionary " + path;
    return std::nullopt;
  }
  std::map<std::string, std::vector<int>> dict;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string word, phone;
    if (!(fields >> word)) continue;
    std::vector<int> ids;
    while (fields >> phone) {
      auto it = phone_ids.find(phone);
      ids.push_back(it == phone_ids.end() ? -1 : it->second);
    }
    dict[word] = std::move(ids);
  }
  return dict;
}

std::string grammar_for(const std::string& transcript) {
  return "#JSGF V1.0;\ngrammar utterance;\npublic <utterance> = " + transcript + " ;\n";
}

} // namespace

struct voice_adapter::impl {
  ps_handle aligner;   // decodes with a grammar of the transcript
  ps_handle features;  // only its front end is used: the decoder's exact features
  gaussian_codebooks model;
  std::map<std::string, std::vector<int>> phones;
  int silence_codebook = -1;
  std::unique_ptr<mllr_accumulator> stats;
  phone_audio_converter converter;

  explicit impl(double noise_floor) : converter(noise_floor) {}

  std::vector<std::vector<float>> compute_features(const pcm16_buffer& pcm);
  std::vector<int> frame_codebooks(std::size_t n_frames,
                                   const std::vector<std::vector<float>>& feats);
  void align_word(const std::vector<int>& word_phones, int first, int last,
                  const std::vector<std::vector<float>>& feats, std::vector<int>& out);
};

std::unique_ptr<voice_adapter> voice_adapter::create(const stt_config& cfg,
                                                     const std::string& lm_path,
                                                     const std::string& dict_path,
                                                     std::string* error,
                                                     const decoder_options& options) {
  auto state = std::make_unique<impl>(options.noise_floor);
  // Frames must correspond one to one between the aligner and the feature front end, so
  // neither may drop silence.
  auto unadapted = options;
  unadapted.mllr_path.clear();
  std::vector<std::pair<std::string, std::string>> keep_all = {{"-remove_silence", "no"}};
  state->aligner = open_pocketsphinx(cfg, lm_path, dict_path, unadapted, keep_all, error);
  if (!state->aligner) return nullptr;
  state->features = open_pocketsphinx(cfg, lm_path, dict_path, unadapted, keep_all, error);
  if (!state->features) return nullptr;
  auto codebooks = read_codebooks(cfg.hmm_dir, error);
  auto ci = read_ci_phones(cfg.hmm_dir, error);
  if (!codebooks || !ci) return nullptr;
  if (static_cast<std::size_t>(codebooks->codebooks) != ci->size()) {
    if (error) *error = "acoustic model in " + cfg.hmm_dir + " is not phonetically tied (PTM)";
    return nullptr;
  }
  auto dict = read_phonetic_dict(dict_path, *ci, error);
  if (!dict) return nullptr;
  state->model = std::move(*codebooks);
  state->phones = std::move(*dict);
  for (std::size_t i = 0; i < ci->size(); ++i)
    if ((*ci)[i] == "SIL") state->silence_codebook = static_cast<int>(i);
  state->stats = std::make_unique<mllr_accumulator>(state->model);
  return std::unique_ptr<voice_adapter>(new voice_adapter(std::move(state)));
}

voice_adapter::voice_adapter(std::unique_ptr<impl> state) : impl_(std::move(state)) {}
voice_adapter::~voice_adapter() = default;

std::size_t voice_adapter::frames() const { return impl_->stats->frames(); }

std::vector<std::vector<float>> voice_adapter::impl::compute_features(const pcm16_buffer& pcm) {
  fe_t* fe = ps_get_fe(features.get());
  feat_t* fcb = ps_get_feat(features.get());
  const auto n_cep = static_cast<std::size_t>(fe_get_output_size(fe));
  fe_start_utt(fe);
  std::size_t n_samples = pcm.size();
  int32 n_frames = 0;
  fe_process_frames(fe, nullptr, &n_samples, nullptr, &n_frames, nullptr);  // count only
  std::vector<mfcc_t> cep_data((static_cast<std::size_t>(n_frames) + 2) * n_cep);
  std::vector<mfcc_t*> cep(static_cast<std::size_t>(n_frames) + 2);
  for (std::size_t i = 0; i < cep.size(); ++i) cep[i] = &cep_data[i * n_cep];
  const int16* samples = pcm.data();
  n_samples = pcm.size();
  int32 got = n_frames + 1;
  fe_process_frames(fe, &samples, &n_samples, cep.data(), &got, nullptr);
  int32 last = 0;
  fe_end_utt(fe, cep[static_cast<std::size_t>(got)], &last);
  got += last;

  mfcc_t*** feats = feat_array_alloc(fcb, got + 8);
  int32 n_cep_frames = got;
  int32 n_out = feat_s2mfc2feat_live(fcb, cep.data(), &n_cep_frames, TRUE, TRUE, feats);
  std::vector<std::vector<float>> out;
  for (int32 t = 0; t < n_out; ++t) {
    std::vector<float> frame;
    for (int s = 0; s < model.streams; ++s)
      for (int j = 0; j < model.stream_dims[static_cast<std::size_t>(s)]; ++j)
        frame.push_back(static_cast<float>(feats[t][s][j]));
    out.push_back(std::move(frame));
  }
  feat_array_free(feats);
  return out;
}

void voice_adapter::impl::align_word(const std::vector<int>& word_phones, int first, int last,
                                     const std::vector<std::vector<float>>& feats,
                                     std::vector<int>& out) {
  // Viterbi over the word's phones in order, each at least one frame, scored by the phone's
  // codebook: places the phone boundaries the word-level alignment does not give.
  const auto n = static_cast<std::size_t>(last - first + 1);
  const auto k = word_phones.size();
  if (k == 0 || n < k) return;
  constexpr double none = -1e300;
  std::vector<double> score(n * k, none);
  std::vector<std::uint8_t> moved(n * k, 0);
  auto ll = [&](std::size_t t, std::size_t p) {
    return stats->log_likelihood(feats[static_cast<std::size_t>(first) + t], word_phones[p]);
  };
  score[0] = ll(0, 0);
  for (std::size_t t = 1; t < n; ++t)
    for (std::size_t p = 0; p < k && p <= t; ++p) {
      double stay = score[(t - 1) * k + p];
      double move = p > 0 ? score[(t - 1) * k + p - 1] : none;
      if (stay <= none && move <= none) continue;
      moved[t * k + p] = move > stay;
      score[t * k + p] = std::max(stay, move) + ll(t, p);
    }
  std::size_t p = k - 1;
  for (std::size_t t = n; t-- > 0;) {
    out[static_cast<std::size_t>(first) + t] = word_phones[p];
    if (moved[t * k + p] && p > 0) --p;
  }
}

std::vector<int> voice_adapter::impl::frame_codebooks(
  std::size_t n_frames, const std::vector<std::vector<float>>& feats) {
  std::vector<int> codebook(n_frames, -1);
  const int max_frame = static_cast<int>(n_frames) - 1;
  for (ps_seg_t* seg = ps_seg_iter(aligner.get()); seg; seg = ps_seg_next(seg)) {
    int first = 0, last = 0;
    ps_seg_frames(seg, &first, &last);
    last = std::min(last, max_frame);
    if (first > last) continue;
    std::string word = ps_seg_word(seg);
    if (word == "<sil>" || word == "<s>" || word == "</s>") {
      for (int t = first; t <= last; ++t) codebook[static_cast<std::size_t>(t)] = silence_codebook;
      continue;
    }
    auto it = phones.find(word);
    if (it == phones.end() ||
        std::find(it->second.begin(), it->second.end(), -1) != it->second.end())
      continue;  // a filler ([NOISE]) or a phone the model lacks: leave unassigned
    align_word(it->second, first, last, feats, codebook);
  }
  return codebook;
}

bool voice_adapter::add_utterance(std::span<const std::uint8_t> mulaw,
                                  const std::string& transcript) {
  auto words = normalize_spoken(transcript);
  if (words.empty() || mulaw.empty()) return false;
  pcm16_buffer pcm;
  impl_->converter.reset();
  impl_->converter.pad_silence(lead_silence_ms, pcm);
  impl_->converter.convert(mulaw, pcm);
  impl_->converter.pad_silence(tail_silence_ms, pcm);
  impl_->converter.flush(pcm);

  ps_decoder_t* ps = impl_->aligner.get();
  if (ps_set_jsgf_string(ps, "alignment", grammar_for(words).c_str()) != 0 ||
      ps_set_search(ps, "alignment") != 0)
    return false;
  ps_start_utt(ps);
  ps_process_raw(ps, pcm.data(), pcm.size(), FALSE, TRUE);
  ps_end_utt(ps);
  std::int32_t score = 0;
  const char* hyp = ps_get_hyp(ps, &score);
  if (hyp == nullptr || normalize_spoken(hyp) != words) return false;

  auto feats = impl_->compute_features(pcm);
  if (feats.empty()) return false;
  auto codebooks = impl_->frame_codebooks(feats.size(), feats);
  for (std::size_t t = 0; t < feats.size(); ++t)
    if (codebooks[t] >= 0) impl_->stats->add_frame(feats[t], codebooks[t]);
  ++utterances_;
  return true;
}

std::optional<std::string> voice_adapter::estimate(std::string* error) const {
  auto transform = impl_->stats->solve(error);
  if (!transform) return std::nullopt;
  return format_mllr(*transform);
}

std::vector<std::string> adaptation_sentences(const std::vector<std::string>& corpus,
                                              std::size_t count,
                                              const std::vector<std::string>& exclude) {
  std::set<std::string> skip(exclude.begin(), exclude.end());
  for (const auto& e : exclude) skip.insert(normalize_spoken(e));
  std::vector<std::string> distinct;
  std::set<std::string> seen;
  for (const auto& s : corpus)
    if (!skip.contains(s) && seen.insert(s).second) distinct.push_back(s);
  if (count >= distinct.size()) return distinct;
  std::vector<std::string> out;
  const double step = static_cast<double>(distinct.size()) / static_cast<double>(count);
  for (std::size_t i = 0; i < count && i < distinct.size(); ++i)
    out.push_back(distinct[static_cast<std::size_t>(static_cast<double>(i) * step)]);
  return out;
}

std::optional<std::string> prepare_voice_adaptation(const stt_config& cfg,
                                                    const std::string& lm_path,
                                                    const std::string& dict_path,
                                                    const std::vector<std::string>& sentences,
                                                    const speak_fn& speak,
                                                    const std::string& out_path,
                                                    std::string* error) {
  auto adapter = voice_adapter::create(cfg, lm_path, dict_path, error);
  if (!adapter) return std::nullopt;
  for (const auto& sentence : sentences) adapter->add_utterance(speak(sentence), sentence);
  if (adapter->utterances() * 2 < sentences.size() || adapter->utterances() == 0) {
    if (error)
      *error = "voice adaptation: only " + std::to_string(adapter->utterances()) + " of " +
               std::to_string(sentences.size()) + " sentences aligned";
    return std::nullopt;
  }
  auto text = adapter->estimate(error);
  if (!text || !write_if_changed(out_path, *text, error)) return std::nullopt;
  return out_path;
}

} // namespace ce::stt
