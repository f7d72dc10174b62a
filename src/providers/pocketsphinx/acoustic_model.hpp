// Read-only views of a sphinx acoustic model's files, for estimating voice adaptation:
// the Gaussian codebooks (means, variances) and the names of the context-independent
// phones (in the en-us PTM model, codebook i belongs to CI phone i).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ce::stt {

struct gaussian_codebooks {
  int codebooks = 0;
  int streams = 0;
  int densities = 0;
  std::vector<int> stream_dims;
  std::vector<float> means;      ///< [codebook][stream][density][dim], streams packed
  std::vector<float> variances;  ///< same layout, floored at 1e-4 as pocketsphinx does

  /// Offset of (codebook, stream, density) in means/variances.
  std::size_t offset(int codebook, int stream, int density) const;
};

/// Reads `hmm_dir`/means and `hmm_dir`/variances (sphinx "s3" binary files).
std::optional<gaussian_codebooks> read_codebooks(const std::string& hmm_dir, std::string* error);

/// The CI phone names of `hmm_dir`/mdef (binary format), in codebook order.
std::optional<std::vector<std::string>> read_ci_phones(const std::string& hmm_dir,
                                                       std::string* error);

} // namespace ce::stt
