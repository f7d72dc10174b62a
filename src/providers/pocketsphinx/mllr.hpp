// Maximum-likelihood linear regression of Gaussian means (one global class per feature
// stream): mean' = A mean + b, estimated from frames of one voice whose codebook (phone)
// is known. Written in the text format pocketsphinx's -mllr option reads.
#pragma once

#include "providers/pocketsphinx/acoustic_model.hpp"

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ce::stt {

struct mllr_transform {
  /// Per stream: A (dim x dim, row-major) and b (dim).
  std::vector<std::vector<double>> a;
  std::vector<std::vector<double>> b;
};

class mllr_accumulator {
public:
  explicit mllr_accumulator(const gaussian_codebooks& model);

  /// Log-likelihood of `frame` (all streams concatenated) under `codebook`, its densities
  /// equally weighted; used to place phone boundaries.
  double log_likelihood(std::span<const float> frame, int codebook) const;
  /// Adds a frame known to belong to `codebook`: each density's share (posterior) of it.
  void add_frame(std::span<const float> frame, int codebook);
  std::size_t frames() const { return frames_; }

  /// The transform maximising the likelihood of the frames added. std::nullopt and
  /// `*error` set when the statistics are too thin to determine it.
  std::optional<mllr_transform> solve(std::string* error) const;

private:
  /// Per density log-likelihoods of one stream of `frame`; returns their log-sum.
  double stream_scores(std::span<const float> frame, int codebook, int stream,
                       std::vector<double>& scores) const;

  const gaussian_codebooks& model_;
  std::vector<int> stream_offsets_;   // where each stream starts in a frame
  std::vector<double> log_norm_;      // per density and stream: -0.5 * sum log var
  std::vector<double> occupancy_;     // per density and stream
  std::vector<double> first_order_;   // per density and stream: sum of posterior * frame
  std::size_t frames_ = 0;
};

/// The transform in pocketsphinx's MLLR text format (variances left unscaled).
std::string format_mllr(const mllr_transform& t);

} // namespace ce::stt
