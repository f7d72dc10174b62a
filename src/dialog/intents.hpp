// intents: what a caller's recognised utterance is about. The recogniser gives lowercase
// words without punctuation and sometimes inserts, drops or bends small words, so intents
// are scored from keyword phrases matched loosely (text_match.hpp) rather than from exact
// sentences, and entities (day, service, make) are picked out beside them.
#pragma once

#include "callengine/config.hpp"
#include "dialog/speech_format.hpp"
#include "dialog/text_match.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ce::dialog {

enum class intent {
  none,
  // questions and requests (content)
  hours,
  address,
  phone,
  services,
  service_info,  ///< a named service (price, duration); see utterance_analysis::services
  price,         ///< a price question without a recognisable service
  duration,      ///< a duration question without a recognisable service
  makes,
  capabilities,
  appointment,
  human,
  // conversational (social)
  repeat,
  greeting,
  thanks,
  goodbye,
  done,
  yes,
  no,
};
inline constexpr std::size_t intent_count = static_cast<std::size_t>(intent::no) + 1;

std::string_view to_string(intent i);

enum class appointment_kind { book, reschedule, cancel, check };

/// Which day an hours question is about.
enum class day_ref { none, named, today, tomorrow, weekend, weekdays };

struct utterance_analysis {
  std::vector<std::string> words;
  std::array<int, intent_count> scores{};
  std::array<std::size_t, intent_count> first_at{};  ///< word index of the first match

  intent content = intent::none;  ///< best question or request, if any scored enough
  intent reply = intent::none;    ///< yes, no or none (the earlier one when both occur)
  bool thanks = false;
  bool goodbye = false;
  bool done = false;       ///< "that's all", "nothing else", "i'm all set"
  bool greeting = false;
  bool repeat = false;

  appointment_kind appointment = appointment_kind::book;
  day_ref day_kind = day_ref::none;
  std::optional<weekday> day;   ///< when day_kind == named
  bool asks_closing_time = false;
  bool asks_if_open = false;    ///< "are you open ..." (a yes/no question)
  bool asks_directions = false;

  std::vector<std::size_t> services;  ///< indices into dealership_facts::services, best first
  std::optional<std::string> make;    ///< make named by the caller, as spoken ("Honda")
  bool make_serviced = false;

  bool heard_nothing() const { return words.empty(); }
};

/// The utterance asks the dealership something (hours, address, prices, ...) rather than
/// only naming a day, a service or a make, which in a booking conversation is an answer.
bool asks_question(const utterance_analysis& a);

/// Scores utterances against the built-in intent phrases and the dealership's services
/// and makes. Deterministic; construction compiles every phrase once.
class intent_matcher {
 public:
  explicit intent_matcher(const dealership_facts& facts);

  utterance_analysis analyse(std::string_view utterance) const;

 private:
  struct scored_phrase {
    intent which;
    phrase words;
    int weight;
  };
  struct service_phrases {
    std::vector<phrase> keywords;     ///< configured keywords plus the name itself
    std::vector<std::string> distinctive;  ///< name words that identify it on their own
  };
  struct make_entry {
    phrase words;
    std::string spoken;
    bool serviced;
  };

  void find_services(utterance_analysis& a) const;
  void find_make(utterance_analysis& a) const;
  void find_day(utterance_analysis& a) const;
  void classify(utterance_analysis& a) const;

  std::vector<scored_phrase> rules_;
  std::vector<std::pair<appointment_kind, phrase>> appointment_kinds_;
  std::vector<phrase> directions_;
  std::vector<service_phrases> services_;
  std::vector<make_entry> makes_;
};

} // namespace ce::dialog
