// Recognition of the answers to the booking conversation's questions (ZIP code, phone
// number, date of birth, name, vehicle, day and time, yes/no) by the simulated caller,
// decoded with the expectation set as the dialog would set it, against the open model.
// Prints a table of key-content exact matches and word error rates.
#include "pocketsphinx_test_support.hpp"

#include "providers/pocketsphinx/domain_vocabulary.hpp"
#include "providers/pocketsphinx/spoken_text.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <map>
#include <set>

namespace {

using namespace ce;
using namespace ce::stt;

struct answer_line {
  expectation expected;
  std::string text;
};

std::vector<answer_line> answer_lines() {
  std::vector<answer_line> lines;
  // ZIP codes: 10 random ones, digit by digit, bare and with a carrier phrase.
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&](int n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<int>(state % static_cast<std::uint64_t>(n));
  };
  auto digits = [&](int count) {
    std::string s;
    for (int i = 0; i < count; ++i) s += (i ? " " : "") + spoken_number(next(10));
    return s;
  };
  const char* zip_carriers[] = {"my zip code is ", "it's ", "it is ", "um ", "the zip code is "};
  for (int i = 0; i < 10; ++i) {
    auto zip = digits(5);
    lines.push_back({expectation::digits, zip});
    lines.push_back({expectation::digits, zip_carriers[i % 5] + zip});
  }
  for (int i = 0; i < 6; ++i)
    lines.push_back({expectation::digits, (i % 2 ? "my phone number is " : "") + digits(10)});
  for (const char* t :
       {"march fifth nineteen eighty five", "my date of birth is july twenty second nineteen ninety",
        "january first two thousand", "it's october thirtieth nineteen seventy two",
        "december twelfth nineteen sixty", "april third nineteen ninety nine",
        "the fourth of june nineteen eighty", "february fourteenth two thousand three"})
    lines.push_back({expectation::date, t});
  for (const char* t : {"my name is john smith", "this is maria garcia", "it's robert johnson",
                        "jennifer williams", "my name is david martinez", "this is susan clark",
                        "kevin nguyen", "it's emily turner"})
    lines.push_back({expectation::name, t});
  for (const char* t :
       {"twenty nineteen honda civic", "it's a two thousand fifteen toyota camry",
        "a twenty twelve ford escape", "i have a twenty twenty chevy silverado",
        "two thousand eight nissan altima", "it's a twenty seventeen hyundai tucson",
        "twenty twenty one jeep wrangler", "a two thousand eighteen subaru outback"})
    lines.push_back({expectation::vehicle, t});
  for (const char* t : {"tuesday at nine", "the first one", "the second one", "next monday morning",
                        "wednesday afternoon", "thursday at two thirty", "another day",
                        "friday at ten a.m."})
    lines.push_back({expectation::time_choice, t});
  for (const char* t :
       {"yes", "no", "yeah", "nope", "that's right", "correct", "no thank you", "sure"})
    lines.push_back({expectation::yes_no, t});
  return lines;
}

/// Answers outside the expectation: they must come out as said, not as an answer.
std::vector<answer_line> off_script_lines() {
  return {{expectation::digits, "can i talk to a person"},
          {expectation::digits, "i don't know"},
          {expectation::digits, "what are your hours"},
          {expectation::date, "can i talk to a person"},
          {expectation::date, "why do you need that"},
          {expectation::yes_no, "i don't know"},
          {expectation::yes_no, "what time do you close"},
          {expectation::name, "can i talk to a person"},
          {expectation::name, "why do you need my name"},
          {expectation::vehicle, "i don't know the year"},
          {expectation::vehicle, "can i talk to a person"},
          {expectation::time_choice, "what are your hours"},
          {expectation::time_choice, "can i talk to a person"},
          {expectation::time_choice, "i need to cancel my appointment"}};
}

std::set<std::string> words_of(const std::vector<std::string>& phrases) {
  std::set<std::string> out;
  for (const auto& p : phrases)
    for (auto& w : split_words(p)) out.insert(std::move(w));
  return out;
}

std::set<std::string> number_words() {
  std::vector<std::string> n;
  for (int i = 0; i < 100; ++i) n.push_back(spoken_number(i));
  for (int i = 1; i < 32; ++i) n.push_back(spoken_ordinal(i));
  n.insert(n.end(), {"oh", "hundred", "thousand"});
  return words_of(n);
}

/// The words of `text` that carry the answer to `e`, carriers and hesitations dropped:
/// "my zip code is six two seven oh one" -> "62701", "yeah it's a twenty nineteen honda
/// civic" -> "twenty nineteen honda civic", "no thank you" -> "no".
std::string key_content(expectation e, const std::string& text) {
  static const std::map<std::string, char> digit = {
    {"zero", '0'}, {"oh", '0'}, {"one", '1'},   {"two", '2'},   {"three", '3'},
    {"four", '4'}, {"five", '5'}, {"six", '6'}, {"seven", '7'}, {"eight", '8'}, {"nine", '9'}};
  static const auto numbers = number_words();
  static const auto months = words_of({"january february march april may june july august "
                                       "september october november december"});
  static const auto names = [] {
    auto s = words_of(common_first_names());
    s.merge(words_of(common_surnames()));
    return s;
  }();
  static const auto vehicles = [] {
    std::vector<std::string> v = common_makes();
    for (const auto& m : common_makes()) {
      v.insert(v.end(), models_of(m).begin(), models_of(m).end());
      auto a = make_aliases(m);
      v.insert(v.end(), a.begin(), a.end());
    }
    return words_of(v);
  }();
  static const auto times = words_of(
    {"monday tuesday wednesday thursday friday saturday sunday today tomorrow next this",
     "a.m. p.m. noon morning afternoon evening first second third last another different"});
  static const auto yes = words_of({"yes yeah yep yup sure correct right okay absolutely"});
  static const auto no = words_of({"no nope nah not wrong incorrect"});
  std::string out;
  auto words = split_words(text);
  if (e == expectation::yes_no) {
    bool said_no = std::any_of(words.begin(), words.end(), [](auto& w) { return no.contains(w); });
    bool said_yes = std::any_of(words.begin(), words.end(), [](auto& w) { return yes.contains(w); });
    return said_no ? "no" : said_yes ? "yes" : "";
  }
  for (const auto& w : words) {
    if (e == expectation::digits) {
      if (auto it = digit.find(w); it != digit.end()) out += it->second;
      continue;
    }
    bool keep = (e == expectation::date && (numbers.contains(w) || months.contains(w))) ||
                (e == expectation::name && names.contains(w)) ||
                (e == expectation::vehicle && (numbers.contains(w) || vehicles.contains(w))) ||
                (e == expectation::time_choice && (numbers.contains(w) || times.contains(w)));
    if (keep) out += (out.empty() ? "" : " ") + w;
  }
  return out;
}

struct outcome {
  std::string text;
  decode_report report;
  double cpu_s = 0;
};

std::vector<outcome> decode_lines(decoder& d, const std::vector<answer_line>& lines,
                                  const std::vector<mulaw_buffer>& audio, bool with_expectation) {
  std::vector<outcome> out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    d.set_expectation(with_expectation ? lines[i].expected : expectation::open);
    auto r = test::decode_call_audio(d, audio[i]);
    out.push_back({r.text, d.last_decode(), r.cpu_s});
  }
  return out;
}

std::vector<std::string> texts_of(const std::vector<answer_line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

} // namespace

TEST_CASE("stt expectation experiment", "[.][experiment]") {
  auto lines = answer_lines();
  auto off = off_script_lines();
  auto all = lines;
  all.insert(all.end(), off.begin(), off.end());
  if (auto* only = std::getenv("ONLY")) {
    std::vector<answer_line> some;
    for (auto& l : all) if (l.text.find(only) != std::string::npos) some.push_back(l);
    all = some;
  }
  auto audio = test::speak_all(texts_of(all));
  test::bart_model();  // removes the work directory at exit
  grammar_options go;
  if (auto* v = std::getenv("REJ_ENTRY")) go.reject_entry = std::atof(v);
  if (auto* v = std::getenv("REJ_PHONE")) go.reject_phone = std::atof(v);
  if (auto* v = std::getenv("ANSWER_WORD")) go.answer_word = std::atof(v);
  std::string error;
  auto model = prepare_domain_model(test::bart_facts(), stt_config{}, test::bart_work_dir() + "/exp", &error, go);
  REQUIRE(model);
  decoder_options o;
  if (std::getenv("COMPALL")) o.extra_args.emplace_back("-compallsen", "yes");
  auto d = decoder::create(stt_config{}, *model, &error, o);
  INFO(error);
  REQUIRE(d);
  test::decode_call_audio(*d, audio.front());  // warm up the cepstral mean
  auto open = std::getenv("NOOPEN") ? decode_lines(*d, {}, audio, false) : decode_lines(*d, all, audio, false);
  if (open.empty()) open.resize(all.size());
  auto expect = decode_lines(*d, all, audio, true);
  int key_open = 0, key_exp = 0, n_in = 0, forced = 0, n_off = 0;
  double cpu_open = 0, cpu_exp = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& r = expect[i].report;
    bool in = i < lines.size() || std::getenv("ONLY");
    auto ref_key = key_content(all[i].expected, normalize_spoken(all[i].text));
    bool ok_open = key_content(all[i].expected, open[i].text) == ref_key;
    bool ok_exp = key_content(all[i].expected, expect[i].text) == ref_key;
    if (in) { ++n_in; key_open += ok_open; key_exp += ok_exp; }
    else { ++n_off; forced += !r.rejected; }
    cpu_open += open[i].cpu_s; cpu_exp += expect[i].cpu_s;
    std::printf("%-11s %-50s | %s %-40s | %s %-40s | %s %-40s | %.3f %.3f\n",
                std::string(to_string(all[i].expected)).c_str(), all[i].text.c_str(),
                ok_open ? " " : "x", open[i].text.c_str(), r.rejected ? "R" : "A",
                r.grammar_text.c_str(), ok_exp ? " " : "x", expect[i].text.c_str(),
                open[i].cpu_s, expect[i].cpu_s);
  }
  std::printf("key exact: open %d/%d, expectation %d/%d; off-script accepted %d/%d; cpu open %.2f exp %.2f\n",
              key_open, n_in, key_exp, n_in, forced, n_off, cpu_open, cpu_exp);
}
