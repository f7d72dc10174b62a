#include "providers/pocketsphinx/ps_setup.hpp"

#include <sphinxbase/err.h>
#include <sphinxbase/jsgf.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

namespace ce::stt {
namespace {

std::mutex& init_mutex() {
  static std::mutex m;
  return m;
}

/// pocketsphinx logs through one process-wide FILE*. Switching it off once, instead of
/// passing -logfn to every decoder (which reopens and closes that FILE* each time, racing
/// with decoders logging on other threads), keeps creation safe next to decoding.
void silence_pocketsphinx_logging() {
  static std::once_flag once;
  std::call_once(once, [] { err_set_logfp(nullptr); });
}

std::string format_double(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool check_file(const std::string& path, const std::string& what, std::string* error) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(path, ec)) return true;
  if (error) *error = what + " not found: " + path;
  return false;
}

bool check_models(const stt_config& cfg, const std::string& lm_path,
                  const std::string& dict_path, const decoder_options& o, std::string* error) {
  std::error_code ec;
  if (!std::filesystem::is_directory(cfg.hmm_dir, ec)) {
    if (error) *error = "acoustic model directory not found: " + cfg.hmm_dir;
    return false;
  }
  for (const char* part : {"mdef", "means", "variances", "transition_matrices"})
    if (!check_file(cfg.hmm_dir + "/" + part, "acoustic model file", error)) return false;
  if (!o.mllr_path.empty() && !check_file(o.mllr_path, "voice adaptation (MLLR) file", error))
    return false;
  return check_file(dict_path, "pronunciation dictionary", error) &&
         check_file(lm_path, "language model", error);
}

using flag_list = std::vector<std::pair<std::string, std::string>>;

void set_flag(flag_list& flags, const std::string& flag, const std::string& value) {
  for (auto& [f, v] : flags)
    if (f == flag) {
      v = value;
      return;
    }
  flags.emplace_back(flag, value);
}

flag_list decoder_flags(const stt_config& cfg, const std::string& lm_path,
                        const std::string& dict_path, const decoder_options& o) {
  auto lw = format_double(cfg.language_weight);
  flag_list flags = {{"-hmm", cfg.hmm_dir},
                     {"-lm", lm_path},
                     {"-dict", dict_path},
                     {"-samprate", "16000"},
                     {"-lw", lw},
                     {"-fwdflatlw", lw},
                     {"-bestpathlw", lw},
                     {"-beam", format_double(o.beam)},
                     {"-wbeam", format_double(o.wbeam)},
                     {"-pbeam", format_double(o.pbeam)},
                     {"-fwdflat", o.fwdflat ? "yes" : "no"},
                     {"-bestpath", o.bestpath ? "yes" : "no"},
                     {"-maxhmmpf", std::to_string(o.maxhmmpf)},
                     {"-topn", std::to_string(o.topn)},
                     {"-wip", format_double(o.word_insertion_penalty)},
                     // Spectral noise subtraction smears the added noise floor and telephone
                     // band edges into the speech: measured worse on every test set.
                     {"-remove_noise", "no"}};
  if (!o.cmn_init.empty()) flags.emplace_back("-cmninit", o.cmn_init);
  if (!o.mllr_path.empty()) flags.emplace_back("-mllr", o.mllr_path);
  for (const auto& [flag, value] : o.extra_args) set_flag(flags, flag, value);
  return flags;
}

} // namespace

ps_handle open_pocketsphinx(const stt_config& cfg, const std::string& lm_path,
                            const std::string& dict_path, const decoder_options& options,
                            const flag_list& overrides, std::string* error) {
  if (!check_models(cfg, lm_path, dict_path, options, error)) return nullptr;
  if (cfg.language_weight <= 0) {
    if (error) *error = "stt language_weight must be positive";
    return nullptr;
  }
  auto flags = decoder_flags(cfg, lm_path, dict_path, options);
  for (const auto& [flag, value] : overrides) set_flag(flags, flag, value);
  std::vector<std::string> args;
  for (const auto& [flag, value] : flags) {
    args.push_back(flag);
    args.push_back(value);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());

  std::lock_guard lock(init_mutex());
  silence_pocketsphinx_logging();
  cmd_ln_t* config =
    cmd_ln_parse_r(nullptr, ps_args(), static_cast<int>(argv.size()), argv.data(), TRUE);
  if (config == nullptr) {
    if (error) *error = "pocketsphinx rejected the decoder arguments";
    return nullptr;
  }
  ps_handle ps(ps_init(config));
  cmd_ln_free_r(config);
  if (!ps && error) {
    auto mllr = options.mllr_path.empty() ? std::string{} : ", mllr " + options.mllr_path;
    *error = "pocketsphinx could not load the models (hmm " + cfg.hmm_dir + ", lm " + lm_path +
             ", dict " + dict_path + mllr + ")";
  }
  return ps;
}

bool add_grammar_search(ps_decoder_t* ps, const std::string& name, const std::string& path,
                        std::string* error) {
  if (!check_file(path, "grammar", error)) return false;
  auto fail = [&](const std::string& why) {
    if (error) *error = "grammar " + path + ": " + why;
    return false;
  };
  std::unique_ptr<jsgf_t, decltype(&jsgf_grammar_free)> grammar(
    jsgf_parse_file(path.c_str(), nullptr), &jsgf_grammar_free);
  if (!grammar) return fail("not valid JSGF");
  jsgf_rule_t* rule = jsgf_get_public_rule(grammar.get());
  if (rule == nullptr) return fail("no public rule");
  auto lw = cmd_ln_float32_r(ps_get_config(ps), "-lw");
  std::unique_ptr<fsg_model_t, decltype(&fsg_model_free)> fsg(
    jsgf_build_fsg(grammar.get(), rule, ps_get_logmath(ps), lw), &fsg_model_free);
  if (!fsg) return fail("cannot be turned into a finite-state grammar");
  if (ps_set_fsg(ps, name.c_str(), fsg.get()) != 0)
    return fail("pocketsphinx refused it (a word missing from the dictionary?)");
  return true;
}

} // namespace ce::stt
