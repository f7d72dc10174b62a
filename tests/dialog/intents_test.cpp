#include "dialog/intents.hpp"

#include "dialog/test_facts.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog;

namespace {

const intent_matcher& matcher() {
  static const auto facts = test::barts_facts();
  static const intent_matcher m(facts);
  return m;
}

intent content_of(std::string_view utterance) {
  return matcher().analyse(utterance).content;
}

} // namespace

TEST_CASE("hours questions are recognised despite recogniser noise") {
  for (auto u : {"what are your hours on saturday", "what are you hours saturday", "uh are you open saturday",
                 "what time do you close today", "when do you open", "are you guys open on sunday",
                 "what are your business hours"}) {
    INFO(u);
    CHECK(content_of(u) == intent::hours);
  }
}

TEST_CASE("the day an hours question is about is picked out") {
  auto a = matcher().analyse("what are you hours saturday");
  CHECK(a.day_kind == day_ref::named);
  CHECK(a.day == weekday::saturday);
  CHECK_FALSE(a.asks_if_open);

  auto b = matcher().analyse("uh are you open saturday");
  CHECK(b.asks_if_open);
  CHECK(b.day == weekday::saturday);

  auto c = matcher().analyse("what time do you close today");
  CHECK(c.day_kind == day_ref::today);
  CHECK(c.asks_closing_time);

  CHECK(matcher().analyse("are you open on weekends").day_kind == day_ref::weekend);
  CHECK(matcher().analyse("what time do you close tomorrow").day_kind == day_ref::tomorrow);
}

TEST_CASE("a named service is found by keyword, name or distinctive word") {
  auto oil = matcher().analyse("how much is an oil change");
  CHECK(oil.content == intent::service_info);
  REQUIRE(oil.services.size() == 1);
  CHECK(oil.services[0] == 0);

  CHECK(matcher().analyse("how much oil change").services == std::vector<std::size_t>{0});
  CHECK(matcher().analyse("i need my tires rotated").services == std::vector<std::size_t>{1});
  CHECK(matcher().analyse("how much for new brakes").services == std::vector<std::size_t>{3});
  CHECK(matcher().analyse("how long does a wheel alignment take").services == std::vector<std::size_t>{5});
  CHECK(matcher().analyse("my check engine light is on").services == std::vector<std::size_t>{7});
  CHECK(matcher().analyse("how much to fix the a c").services == std::vector<std::size_t>{8});
}

TEST_CASE("an ambiguous service word yields every candidate") {
  auto a = matcher().analyse("how much are brakes");
  CHECK(a.content == intent::service_info);
  CHECK(a.services == std::vector<std::size_t>{2, 3});
}

TEST_CASE("a price question without a service is still a price question") {
  CHECK(content_of("how much does it cost") == intent::price);
  CHECK(content_of("how long does it take") == intent::duration);
}

TEST_CASE("requests for a person are recognised in many phrasings") {
  for (auto u : {"i want to talk to a person", "can i speak with someone", "representative", "operator please",
                 "get me a human", "let me talk to a service advisor", "transfer me"}) {
    INFO(u);
    CHECK(content_of(u) == intent::human);
  }
  CHECK(content_of("okay talk to you later") != intent::human);
}

TEST_CASE("appointment requests are recognised and sorted by kind") {
  auto book = matcher().analyse("can i book an appointment for tuesday");
  CHECK(book.content == intent::appointment);
  CHECK(book.appointment == appointment_kind::book);
  CHECK(matcher().analyse("i need to reschedule my appointment").appointment == appointment_kind::reschedule);
  CHECK(matcher().analyse("i want to cancel my appointment").appointment == appointment_kind::cancel);
  CHECK(matcher().analyse("when is my appointment").appointment == appointment_kind::check);
  CHECK(content_of("is my car ready") == intent::appointment);
  CHECK(content_of("i want to bring my car in for an oil change") == intent::appointment);
}

TEST_CASE("makes are recognised with plurals and nicknames") {
  auto honda = matcher().analyse("do you work on hondas");
  CHECK(honda.content == intent::makes);
  CHECK(honda.make == "Honda");
  CHECK(honda.make_serviced);

  auto chevy = matcher().analyse("do you fix chevys");
  CHECK(chevy.make == "Chevrolet");
  CHECK(chevy.make_serviced);

  auto bmw = matcher().analyse("do you work on b m w");
  CHECK(bmw.content == intent::makes);
  CHECK(bmw.make == "BMW");
  CHECK_FALSE(bmw.make_serviced);

  CHECK(content_of("what makes do you work on") == intent::makes);
}

TEST_CASE("yes and no are read, and the earlier one wins when both occur") {
  CHECK(matcher().analyse("yes").reply == intent::yes);
  CHECK(matcher().analyse("yeah sure").reply == intent::yes);
  CHECK(matcher().analyse("uh huh").reply == intent::yes);
  CHECK(matcher().analyse("nope").reply == intent::no);
  CHECK(matcher().analyse("no thank you").reply == intent::no);
  CHECK(matcher().analyse("no yes").reply == intent::no);
  CHECK(matcher().analyse("what are your hours").reply == intent::none);
}

TEST_CASE("conversational endings are recognised") {
  CHECK(matcher().analyse("thank you").thanks);
  CHECK(matcher().analyse("okay bye").goodbye);
  CHECK(matcher().analyse("no that's it").done);
  CHECK(matcher().analyse("that's all").done);
  CHECK(matcher().analyse("i'm all set thanks").done);
  CHECK(matcher().analyse("can you repeat that").repeat);
  CHECK(matcher().analyse("hello are you there").greeting);
}

TEST_CASE("noise and unrelated speech match nothing") {
  CHECK(matcher().analyse("").heard_nothing());
  CHECK(matcher().analyse("uh um").heard_nothing());
  auto a = matcher().analyse("purple monkey dishwasher");
  CHECK(a.content == intent::none);
  CHECK(a.reply == intent::none);
  CHECK_FALSE(a.thanks);
}

TEST_CASE("other questions are told apart") {
  CHECK(content_of("where are you located") == intent::address);
  CHECK(content_of("how do i get there") == intent::address);
  CHECK(content_of("what's your phone number") == intent::phone);
  CHECK(content_of("what services do you offer") == intent::services);
  CHECK(content_of("what can you help me with") == intent::capabilities);
  CHECK(to_string(intent::service_info) == "service_info");
}

TEST_CASE("a zero inside a spoken number is not a request for an operator") {
  CHECK(content_of("six two seven zero four") != intent::human);
  CHECK(content_of("my zip is one zero zero one two") != intent::human);
  CHECK(content_of("zero") == intent::human);
  CHECK(content_of("press zero") == intent::human);
}

TEST_CASE("a day next to booking words is a booking request, not an hours question") {
  CHECK(content_of("i'd like to schedule a tire rotation for tomorrow morning") == intent::appointment);
  CHECK(content_of("can i book something for saturday") == intent::appointment);
  CHECK(content_of("are you open saturday") == intent::hours);
}

TEST_CASE("questions are told apart from bare days, services and makes") {
  auto asks = [](std::string_view u) { return asks_question(matcher().analyse(u)); };
  CHECK(asks("what are your hours on saturday"));
  CHECK(asks("how much is an oil change"));
  CHECK(asks("where are you located"));
  CHECK(asks("do you work on hondas"));
  CHECK_FALSE(asks("tuesday"));
  CHECK_FALSE(asks("tuesday at nine"));
  CHECK_FALSE(asks("an oil change"));
  CHECK_FALSE(asks("my honda"));
  CHECK_FALSE(asks("yes"));
}

TEST_CASE("moving or changing an appointment is a reschedule") {
  CHECK(matcher().analyse("can you move my appointment to friday").appointment == appointment_kind::reschedule);
  CHECK(matcher().analyse("i need to change one").content == intent::appointment);
  CHECK(matcher().analyse("i need to change one").appointment == appointment_kind::reschedule);
}
