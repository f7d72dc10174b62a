// Voice adaptation: reading the acoustic model, estimating MLLR transforms, and the
// failures of preparing one.
#include "providers/pocketsphinx/acoustic_model.hpp"
#include "providers/pocketsphinx/decoder.hpp"
#include "providers/pocketsphinx/domain_lm.hpp"
#include "providers/pocketsphinx/mllr.hpp"
#include "providers/pocketsphinx/voice_adaptation.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

namespace ce::stt::test {
dealership_facts bart_facts();
}

namespace {

using namespace ce;
using namespace ce::stt;

/// Two codebooks of three well separated densities in one 2-dimensional stream.
gaussian_codebooks toy_model() {
  gaussian_codebooks g;
  g.codebooks = 2;
  g.streams = 1;
  g.densities = 3;
  g.stream_dims = {2};
  g.means = {0, 0, 10, 0, 0, 10,     // codebook 0
             -10, -10, 20, 5, 5, -20};  // codebook 1
  g.variances.assign(g.means.size(), 0.01f);
  return g;
}

} // namespace

TEST_CASE("stt MLLR recovers the affine map that moved the voice's frames") {
  auto model = toy_model();
  mllr_accumulator stats(model);
  // The "voice" produces each mean transformed by A = [[1.2, 0.1], [-0.2, 0.9]], b = [1, -2].
  const double a[2][2] = {{1.2, 0.1}, {-0.2, 0.9}};
  const double b[2] = {1.0, -2.0};
  for (int round = 0; round < 3; ++round)
    for (int cb = 0; cb < model.codebooks; ++cb)
      for (int m = 0; m < model.densities; ++m) {
        const float* mean = &model.means[model.offset(cb, 0, m)];
        std::vector<float> frame(2);
        for (int r = 0; r < 2; ++r)
          frame[static_cast<std::size_t>(r)] =
            static_cast<float>(a[r][0] * mean[0] + a[r][1] * mean[1] + b[r]);
        // Frames are scored against the untransformed model; a clear winner per frame.
        stats.add_frame(frame, cb);
      }
  CHECK(stats.frames() == 18);
  std::string error;
  auto t = stats.solve(&error);
  INFO(error);
  REQUIRE(t);
  REQUIRE(t->a.size() == 1);
  for (int r = 0; r < 2; ++r) {
    CHECK(t->b[0][static_cast<std::size_t>(r)] == Approx(b[r]).margin(0.05));
    for (int c = 0; c < 2; ++c)
      CHECK(t->a[0][static_cast<std::size_t>(r * 2 + c)] == Approx(a[r][c]).margin(0.02));
  }
  auto text = format_mllr(*t);
  CHECK(text.rfind("1\n1\n2\n", 0) == 0);
}

TEST_CASE("stt MLLR reports statistics too thin to solve") {
  auto model = toy_model();
  mllr_accumulator stats(model);
  std::string error;
  CHECK_FALSE(stats.solve(&error));
  CHECK_THAT(error, Catch::Contains("too little"));
}

TEST_CASE("stt reads the en-us acoustic model's codebooks and phones") {
  std::string error;
  auto g = read_codebooks(stt_config{}.hmm_dir, &error);
  INFO(error);
  REQUIRE(g);
  CHECK(g->codebooks == 42);
  CHECK(g->streams == 3);
  CHECK(g->densities == 128);
  CHECK(g->stream_dims == std::vector<int>{13, 13, 13});
  CHECK(g->means.size() == 42u * 128u * 39u);
  auto phones = read_ci_phones(stt_config{}.hmm_dir, &error);
  REQUIRE(phones);
  CHECK(phones->size() == 42);
  CHECK(std::find(phones->begin(), phones->end(), "SIL") != phones->end());
  CHECK(std::find(phones->begin(), phones->end(), "AA") != phones->end());

  CHECK_FALSE(read_codebooks("/nonexistent/model", &error));
  CHECK_THAT(error, Catch::Contains("/nonexistent/model/means"));
}

TEST_CASE("stt adaptation picks spread, distinct corpus sentences and skips excluded ones") {
  std::vector<std::string> corpus = {"a", "b", "b", "c", "d", "e", "f", "g", "h"};
  auto picked = adaptation_sentences(corpus, 4, {"c"});
  CHECK(picked == std::vector<std::string>{"a", "b", "e", "g"});
  CHECK(adaptation_sentences(corpus, 100).size() == 8);
}

TEST_CASE("stt voice adaptation fails cleanly when the audio is not the sentences") {
  auto dir = std::filesystem::temp_directory_path() /
             ("ce_stt_adapt_" + std::to_string(::getpid()));
  std::string error;
  auto lm = prepare_domain_lm(test::bart_facts(), stt_config{}, dir.string(), &error);
  REQUIRE(lm);
  std::vector<std::string> sentences = {"what are your hours", "can i talk to a person"};
  auto silence = [](const std::string&) { return mulaw_buffer(8000, mulaw_silence); };
  auto out = (dir / "voice.mllr").string();
  CHECK_FALSE(prepare_voice_adaptation(stt_config{}, *lm, domain_dict_path(dir.string()),
                                       sentences, silence, out, &error));
  CHECK_THAT(error, Catch::Contains("0 of 2"));
  CHECK_FALSE(std::filesystem::exists(out));

  decoder_options options;
  options.mllr_path = out;
  CHECK(decoder::create(stt_config{}, *lm, domain_dict_path(dir.string()), &error, options) ==
        nullptr);
  CHECK_THAT(error, Catch::Contains("MLLR") && Catch::Contains("voice.mllr"));
  std::filesystem::remove_all(dir);
}
