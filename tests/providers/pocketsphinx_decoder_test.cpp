// The pocketsphinx decoder's error values and utterance lifecycle, and the domain model
// files prepared at engine start.
#include "callengine/audio.hpp"
#include "providers/pocketsphinx/decoder.hpp"
#include "providers/pocketsphinx/domain_lm.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace ce::stt::test {
dealership_facts bart_facts();
}

namespace {

using namespace ce;
using namespace ce::stt;
namespace fs = std::filesystem;

/// A scratch directory removed at the end of the test.
struct scratch_dir {
  fs::path path;
  explicit scratch_dir(const std::string& name)
    : path(fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() { fs::remove_all(path); }
  std::string str() const { return path.string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// The domain model, prepared once for the tests of this file.
std::string domain_work_dir() {
  static scratch_dir dir("ce_stt_decoder_test");
  static bool prepared = [] {
    std::string error;
    auto lm = prepare_domain_lm(test::bart_facts(), stt_config{}, dir.str(), &error);
    INFO(error);
    REQUIRE(lm);
    return true;
  }();
  (void)prepared;
  return dir.str();
}

std::unique_ptr<decoder> domain_decoder() {
  std::string error;
  auto d = decoder::create(stt_config{}, domain_work_dir() + "/domain.arpa",
                           domain_dict_path(domain_work_dir()), &error);
  INFO(error);
  REQUIRE(d);
  return d;
}

} // namespace

TEST_CASE("stt decoder creation reports a missing acoustic model instead of throwing") {
  scratch_dir dir("ce_stt_bad_hmm");
  stt_config cfg;
  cfg.hmm_dir = dir.str() + "/no-such-model";
  std::string error;
  CHECK(decoder::create(cfg, domain_work_dir() + "/domain.arpa", &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("acoustic model") && Catch::Contains("no-such-model"));

  cfg.hmm_dir = dir.str();  // exists, but holds no model files
  error.clear();
  CHECK(decoder::create(cfg, domain_work_dir() + "/domain.arpa", &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("mdef"));
}

TEST_CASE("stt decoder creation reports a missing language model or dictionary") {
  std::string error;
  CHECK(decoder::create(stt_config{}, "/nonexistent/domain.arpa", &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("language model") && Catch::Contains("/nonexistent"));

  error.clear();
  CHECK(decoder::create(stt_config{}, domain_work_dir() + "/domain.arpa", "/nonexistent/x.dict",
                        &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("pronunciation dictionary"));
}

TEST_CASE("stt decoder creation reports a language model pocketsphinx cannot read") {
  scratch_dir dir("ce_stt_bad_lm");
  auto path = dir.str() + "/broken.arpa";
  std::ofstream(path) << "\\data\\\nngram 1=3\n\n\\1-grams:\n-1.0 yes\n\\end\\\n";
  std::string error;
  CHECK(decoder::create(stt_config{}, path, &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("could not load") && Catch::Contains("broken.arpa"));
}

TEST_CASE("stt decoder refuses a non-positive language weight") {
  stt_config cfg;
  cfg.language_weight = 0;
  std::string error;
  CHECK(decoder::create(cfg, domain_work_dir() + "/domain.arpa", &error) == nullptr);
  CHECK_THAT(error, Catch::Contains("language_weight"));
}

TEST_CASE("stt decoder ignores audio outside an utterance and hears nothing in silence") {
  auto d = domain_decoder();
  CHECK(d->end_utterance().empty());
  mulaw_buffer silence(frame_bytes_20ms, mulaw_silence);
  d->feed_mulaw(silence);
  CHECK_FALSE(d->in_utterance());

  d->begin_utterance();
  CHECK(d->in_utterance());
  for (int i = 0; i < 50; ++i) d->feed_mulaw(silence);  // one second
  CHECK(d->utterance_audio_ms() == 1000);
  CHECK(d->end_utterance().empty());
  CHECK_FALSE(d->in_utterance());
}

TEST_CASE("stt decoder abort discards the utterance and the decoder stays usable") {
  auto d = domain_decoder();
  mulaw_buffer silence(frame_bytes_20ms, mulaw_silence);
  d->begin_utterance();
  d->feed_mulaw(silence);
  d->abort_utterance();
  CHECK_FALSE(d->in_utterance());
  CHECK(d->end_utterance().empty());
  d->begin_utterance();
  d->begin_utterance();  // a second begin aborts the first
  d->feed_mulaw(silence);
  CHECK(d->utterance_audio_ms() == 20);
  CHECK(d->end_utterance().empty());
}

TEST_CASE("stt prepare_domain_lm writes the model and a reduced dictionary once") {
  scratch_dir dir("ce_stt_prepare");
  auto work = dir.str() + "/models";  // created on demand
  std::string error;
  auto lm = prepare_domain_lm(test::bart_facts(), stt_config{}, work, &error);
  INFO(error);
  REQUIRE(lm);
  CHECK(*lm == work + "/domain.arpa");
  auto arpa = slurp(*lm);
  CHECK(arpa.rfind("\\data\\", 0) == 0);
  auto dict = slurp(domain_dict_path(work));
  CHECK(dict.find("\nsaturday S AE T ER D IY\n") != std::string::npos);
  CHECK(dict.find("\nreschedule ") != std::string::npos);
  CHECK(dict.find("\nzebra ") == std::string::npos);
  CHECK(dict.size() < 100 * 1024);

  // Unchanged content is not rewritten: the engine can restart without touching files.
  auto old_time = fs::last_write_time(*lm) - std::chrono::hours(1);
  fs::last_write_time(*lm, old_time);
  fs::last_write_time(domain_dict_path(work), old_time);
  REQUIRE(prepare_domain_lm(test::bart_facts(), stt_config{}, work, &error));
  CHECK(fs::last_write_time(*lm) == old_time);
  CHECK(fs::last_write_time(domain_dict_path(work)) == old_time);

  // Changed facts change the model.
  auto facts = test::bart_facts();
  facts.makes_serviced.push_back("Subaru");
  REQUIRE(prepare_domain_lm(facts, stt_config{}, work, &error));
  CHECK(fs::last_write_time(*lm) != old_time);
  CHECK(slurp(*lm) != arpa);
}

TEST_CASE("stt prepare_domain_lm reports an unreadable dictionary or work directory") {
  scratch_dir dir("ce_stt_prepare_bad");
  stt_config cfg;
  cfg.dict_path = dir.str() + "/missing.dict";
  std::string error;
  CHECK_FALSE(prepare_domain_lm(test::bart_facts(), cfg, dir.str(), &error));
  CHECK_THAT(error, Catch::Contains("missing.dict"));

  auto blocker = dir.str() + "/file";
  std::ofstream(blocker) << "x";
  error.clear();
  CHECK_FALSE(prepare_domain_lm(test::bart_facts(), stt_config{}, blocker + "/sub", &error));
  CHECK_FALSE(error.empty());
}
