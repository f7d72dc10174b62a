// Booking by an existing caller: caller-ID greeting, verification before anything
// personal, vehicle and service, offered slots, the caller's pick, read-back and booking.
#include "dialog/booking_script.hpp"

using namespace ce::dialog;
using namespace ce::dialog::test;
using nlohmann::json;

namespace {

const std::string anything_else = "Is there anything else I can help you with?";
const std::string tuesday_slots =
  results::slots({"2026-11-24 09:00", "2026-11-24 09:30", "2026-11-24 10:00", "2026-11-24 10:30"});

/// Verified, one vehicle confirmed, slots offered for an oil change on Tuesday.
scripted_call offered_call() {
  auto call = verified_booking();
  call.answer(results::civic);
  call.say("yes");
  call.answer(tuesday_slots);
  return call;
}

/// Read back: an oil change for the Civic on Tuesday at nine.
scripted_call read_back_call() {
  auto call = offered_call();
  call.say("the first one");
  return call;
}

} // namespace

TEST_CASE("an existing caller books an oil change from the greeting to a confirmation code") {
  scripted_call call;
  CHECK(call.text() == "Thanks for calling Bart's Automotive service department. Hi John! This is the virtual "
                       "service assistant. How can I help you today?");

  call.say("i'd like to book an oil change");
  CHECK(call.last().sentences == std::vector<std::string>{
                                   "Sure, I can help with that.",
                                   "Before I pull up your account, can you tell me the ZIP code we have on file?",
                                   "You can also type it on your keypad."});
  CHECK(call.last().tool_calls.empty());

  call.say("six two seven zero four");
  CHECK(call.last().sentences.empty());
  CHECK(call.tool() == "verify_customer");
  CHECK(call.args() == json{{"method", "zip"}, {"value", "62704"}});
  CHECK_FALSE(call.last().end_of_turn);

  call.answer(results::verified(true));
  CHECK(call.last().sentences == std::vector<std::string>{"Thanks, John."});
  CHECK(call.tool() == "get_vehicles");
  CHECK(call.args() == json::object());

  call.answer(results::civic);
  CHECK(call.last().sentences == std::vector<std::string>{"Is this for your 2019 Honda Civic?"});
  CHECK(call.last().end_of_turn);

  call.say("yes");
  CHECK(call.tool() == "get_available_slots");
  CHECK(call.args() == json{{"service_type", "oil_change"}, {"date_from", "2026-11-23"}, {"max", 8}});

  call.answer(tuesday_slots);
  CHECK(call.last().sentences ==
        std::vector<std::string>{"I have Tuesday, November twenty-fourth at nine a.m., or ten thirty a.m.",
                                 "Which works best?"});

  call.say("the first one");
  CHECK(call.last().sentences == std::vector<std::string>{"So that's an oil change for your 2019 Honda Civic on "
                                                          "Tuesday, November twenty-fourth at nine a.m.",
                                                          "Shall I book it?"});
  CHECK(call.last().tool_calls.empty());

  call.say("yes");
  CHECK(call.tool() == "book_appointment");
  CHECK(call.args() == json{{"service_type", "oil_change"}, {"vehicle_id", 12}, {"start", "2026-11-24 09:00"}});

  call.answer(results::changed(results::oil_change_tuesday));
  CHECK(call.last().sentences == std::vector<std::string>{"You're all set.",
                                                          "Your confirmation code is B, 7, K, 2, M, 9.", anything_else});
  CHECK(call.last().end_of_turn);

  auto bye = call.say("no that's all thanks");
  CHECK(calls_tool(bye, "end_call"));
}

TEST_CASE("nothing personal is looked up before the caller is verified") {
  scripted_call call;
  call.say("i want to schedule service for my civic");
  CHECK(call.last().tool_calls.empty());
  CHECK(contains(call.text(), "ZIP code"));
  for (auto u : {"purple monkey", "yes", "what are your hours on saturday"}) {
    INFO(u);
    call.say(u);
    CHECK(call.last().tool_calls.empty());
  }
  call.say("it's six two seven zero four");
  CHECK(call.tool() == "verify_customer");
}

TEST_CASE("a wrong ZIP is asked again and a date of birth verifies instead") {
  scripted_call call;
  call.say("can i make an appointment");
  call.say("six two six zero four");
  call.answer(results::verified(false, 2));
  CHECK(call.last().sentences ==
        std::vector<std::string>{"Sorry, that doesn't match what we have on file.",
                                 "Could you try the ZIP code again, or tell me your date of birth?"});
  CHECK(call.last().tool_calls.empty());
  call.say("march fifth nineteen eighty five");
  CHECK(call.args() == json{{"method", "date_of_birth"}, {"value", "1985-03-05"}});
  call.answer(results::verified(true, 1));
  CHECK(call.tool() == "get_vehicles");
}

TEST_CASE("part of a ZIP code is asked for again in full") {
  scripted_call call;
  call.say("book an oil change");
  call.say("six two seven");
  CHECK(call.last().sentences.back() == "Could you say all five digits of the ZIP code?");
  CHECK(call.last().tool_calls.empty());
  call.say("six two seven zero four");
  CHECK(call.args()["value"] == "62704");
}

TEST_CASE("a caller with two vehicles is asked which one and can name it several ways") {
  for (auto answer : {"the toyota", "the rav four", "my twenty twenty one", "the second one", "uh the toyota please"}) {
    INFO(answer);
    auto call = verified_booking();
    call.answer(results::civic_and_rav4);
    CHECK(call.text() == "Which vehicle is this for, your 2019 Honda Civic, or your 2021 Toyota RAV4?");
    call.say(answer);
    REQUIRE(call.tool() == "get_available_slots");
    call.answer(tuesday_slots);
    call.say("nine");
    CHECK(contains(call.text(), "for your 2021 Toyota RAV4 on Tuesday"));
    call.say("yes");
    CHECK(call.args()["vehicle_id"] == 13);
  }
}

TEST_CASE("a vehicle named in the request is used without asking") {
  auto call = verified_booking("i need an oil change for my rav four");
  call.answer(results::civic_and_rav4);
  CHECK(call.tool() == "get_available_slots");
}

TEST_CASE("the service is asked for when missing and an ambiguous one is narrowed down") {
  auto call = verified_booking("i want to make an appointment");
  call.answer(results::civic);
  call.say("yeah");
  CHECK(call.last().sentences == std::vector<std::string>{"What service would you like to book?"});
  call.say("my brakes");
  CHECK(call.text() == "Would that be a brake inspection, or a brake pad replacement?");
  call.say("just the inspection");
  CHECK(call.tool() == "get_available_slots");
  CHECK(call.args()["service_type"] == "brake_inspection");
}

TEST_CASE("the caller picks an offered time in the ways people say it") {
  struct pick {
    const char* said;
    const char* start;
  };
  for (auto p : {pick{"the first one", "2026-11-24 09:00"}, pick{"the second", "2026-11-24 10:30"},
                 pick{"nine", "2026-11-24 09:00"}, pick{"ten thirty", "2026-11-24 10:30"},
                 pick{"tuesday at nine", "2026-11-24 09:00"}, pick{"nine a m please", "2026-11-24 09:00"},
                 pick{"uh the last one", "2026-11-24 10:30"}, pick{"how about nine thirty", "2026-11-24 09:30"},
                 pick{"ten thirty a m works", "2026-11-24 10:30"}}) {
    INFO(p.said);
    auto call = offered_call();
    call.say(p.said);
    REQUIRE(contains(call.text(), "Shall I book it?"));
    call.say("yes");
    CHECK(call.args()["start"] == p.start);
  }
}

TEST_CASE("a requested day and time that is free goes straight to the read-back") {
  auto call = verified_booking("can i book an oil change for tuesday at ten");
  call.answer(results::civic);
  call.say("yes");
  CHECK(call.args() == json{{"service_type", "oil_change"},
                            {"date_from", "2026-11-24"},
                            {"date_to", "2026-11-24"},
                            {"part_of_day", "morning"},
                            {"max", 8}});
  call.answer(tuesday_slots);
  CHECK(call.last().sentences.front() ==
        "So that's an oil change for your 2019 Honda Civic on Tuesday, November twenty-fourth at ten a.m.");
}

TEST_CASE("a requested time that is not free is answered with the nearest free ones") {
  auto call = verified_booking("oil change tomorrow at eleven please");
  call.answer(results::civic);
  call.say("yes");
  CHECK(call.args()["date_from"] == "2026-11-24");
  call.answer(tuesday_slots);
  CHECK(call.last().sentences ==
        std::vector<std::string>{"I'm sorry, eleven a.m. isn't available.",
                                 "I have Tuesday, November twenty-fourth at nine thirty a.m., ten a.m., or ten thirty a.m.",
                                 "Which works best?"});
}

TEST_CASE("asking for another day searches again") {
  auto call = offered_call();
  call.say("do you have anything on wednesday");
  CHECK(call.args()["date_from"] == "2026-11-25");
  CHECK(call.args()["date_to"] == "2026-11-25");

  auto again = read_back_call();
  again.say("no another day");
  CHECK(again.tool() == "get_available_slots");
  CHECK(again.args()["date_from"] == "2026-11-25");
  CHECK_FALSE(again.args().contains("date_to"));

  auto afternoon = offered_call();
  afternoon.say("anything in the afternoon");
  CHECK(afternoon.args()["part_of_day"] == "afternoon");
}

TEST_CASE("the caller can change the service at the read-back and the same time is checked again") {
  auto call = read_back_call();
  call.say("actually make it a tire rotation");
  CHECK(call.tool() == "get_available_slots");
  CHECK(call.args()["service_type"] == "tire_rotation");
  CHECK(call.args()["date_from"] == "2026-11-24");
  call.answer(results::slots({"2026-11-24 09:00", "2026-11-24 11:00"}, "tire_rotation"));
  CHECK(call.last().sentences.front() ==
        "So that's a tire rotation for your 2019 Honda Civic on Tuesday, November twenty-fourth at nine a.m.");
  call.say("yes");
  CHECK(call.args() == json{{"service_type", "tire_rotation"}, {"vehicle_id", 12}, {"start", "2026-11-24 09:00"}});
}

TEST_CASE("a booking is made only after a yes to a read-back the caller heard in full") {
  auto call = read_back_call();
  call.barge_in("So that's an oil change for your 2019 Honda Civic on Tuesday");
  call.say("yes");
  CHECK(call.last().tool_calls.empty());
  CHECK(call.last().sentences.back() == "Shall I book it?");
  call.say("yes");
  CHECK(call.tool() == "book_appointment");
}

TEST_CASE("a caller who cuts into the offer can still pick from it") {
  auto call = offered_call();
  call.barge_in("I have Tuesday, November twenty-fourth at nine a.m.");
  call.say("the first one");
  CHECK(call.last().sentences.back() == "Shall I book it?");
  CHECK(contains(call.text(), "at nine a.m."));

  auto other_day = offered_call();
  other_day.barge_in("I have");
  other_day.say("what about wednesday");
  CHECK(other_day.args()["date_from"] == "2026-11-25");
}

TEST_CASE("a read-back heard in full before a barge-in can still be confirmed") {
  auto call = read_back_call();
  call.barge_in("So that's an oil change for your 2019 Honda Civic on Tuesday, November twenty-fourth at nine a.m. "
                "Shall I book it?");
  call.say("yes");
  CHECK(call.tool() == "book_appointment");
}

TEST_CASE("no at the read-back asks what to change, and nothing drops the booking") {
  auto call = read_back_call();
  call.say("no");
  CHECK(call.last().sentences == std::vector<std::string>{"No problem.", "What would you like to change?"});
  call.say("never mind");
  CHECK(call.last().sentences == std::vector<std::string>{"Okay, I won't book it.", anything_else});
  CHECK(call.last().tool_calls.empty());
}

TEST_CASE("a question in the middle of booking is answered and the open question asked again") {
  auto call = offered_call();
  call.say("what are your hours on saturday");
  CHECK(call.last().sentences ==
        std::vector<std::string>{"On Saturday, we're open from eight a.m. to noon.",
                                 "I have Tuesday, November twenty-fourth at nine a.m., or ten thirty a.m.",
                                 "Which works best?"});
  CHECK(call.last().tool_calls.empty());
  call.say("how much is an oil change");
  CHECK(call.last().sentences.front() == "An oil change is forty-nine ninety-five and takes about thirty minutes.");
  call.say("ten thirty");
  CHECK(contains(call.text(), "at ten thirty a.m."));
}

TEST_CASE("asking for a person in the middle of booking transfers") {
  auto call = read_back_call();
  call.say("can i just talk to a person");
  CHECK(call.tool() == "transfer_to_human");
}

TEST_CASE("silence during booking is reprompted and yes repeats the open question") {
  auto call = read_back_call();
  auto reprompt = call.policy().on_silence(1, 2);
  CHECK(reprompt.sentences == std::vector<std::string>{"Are you still there?"});
  call.say("yes");
  CHECK(call.last().tool_calls.empty());
  CHECK(call.last().sentences.front() == "Great.");
  CHECK(call.last().sentences.back() == "Shall I book it?");
}

TEST_CASE("the same booking conversation always gives the same calls and words") {
  auto run = [] {
    auto call = read_back_call();
    call.say("yes");
    auto book = call.last();
    call.answer(results::changed(results::oil_change_tuesday));
    return std::pair{book.tool_calls.front().arguments_json, call.policy().history()};
  };
  CHECK(run() == run());
}

TEST_CASE("an outbound call looks the customer up only when a booking starts") {
  local_policy p(barts_facts(), ce::call_direction::outbound, "+15550001111");
  p.set_date(monday);
  CHECK(p.on_call_started().tool_calls.empty());
  p.on_user("yes");
  auto out = p.on_user("i want to book a battery replacement");
  CHECK(out.sentences == std::vector<std::string>{"Sure, I can help with that."});
  REQUIRE(out.tool_calls.size() == 1);
  CHECK(out.tool_calls[0].name == "lookup_customer");
  auto next = p.on_tool_result(out.tool_calls[0].id, caller_john);
  CHECK(contains(said(next), "ZIP code"));
}

TEST_CASE("a ZIP code typed on the keypad verifies the caller, keys in between say nothing") {
  scripted_call call;
  call.say("book an oil change");
  CHECK(contains(call.text(), "keypad"));
  auto& partial = call.press("6270");
  CHECK(partial.sentences.empty());
  CHECK(partial.tool_calls.empty());
  call.press("4");
  CHECK(call.tool() == "verify_customer");
  CHECK(call.args() == json{{"method", "zip"}, {"value", "62704"}});
  call.answer(results::verified(true));
  CHECK(call.tool() == "get_vehicles");
}

TEST_CASE("on the keypad '*' starts the ZIP code over, '#' sends what was typed, and 0 is a digit") {
  scripted_call call;
  call.say("book an oil change");
  call.press("99*1000");
  CHECK(call.last().tool_calls.empty());
  call.press("2");
  CHECK(call.args() == json{{"method", "zip"}, {"value", "10002"}});

  scripted_call short_zip;
  short_zip.say("book an oil change");
  short_zip.press("627#");
  CHECK(short_zip.last().tool_calls.empty());
  CHECK(short_zip.last().sentences.back() == "Could you say all five digits of the ZIP code?");
}

TEST_CASE("outside a question that takes digits, 0 on the keypad still transfers") {
  scripted_call call;
  call.press("0");
  CHECK(call.tool() == "transfer_to_human");
}

TEST_CASE("a misheard seven among the ZIP digits is not a request for a person") {
  scripted_call call;
  call.say("book an oil change");
  call.say("six two human zero four");
  CHECK(call.tool() != "transfer_to_human");
  CHECK(call.last().sentences.back() == "Could you say all five digits of the ZIP code?");
  call.say("can i talk to a human");
  CHECK(call.tool() == "transfer_to_human");
}

TEST_CASE("keys pressed in quick succession each interrupt the silent turn of the key before") {
  scripted_call call;
  call.say("book an oil change");
  for (char k : std::string("6270")) {
    call.press(std::string(1, k));
    call.barge_in("");  // the engine interrupts the (silent) key turn when the next key comes
  }
  call.press("4");
  CHECK(call.tool() == "verify_customer");
  CHECK(call.args() == json{{"method", "zip"}, {"value", "62704"}});
  const auto& history = call.policy().history();
  bool question_kept = std::any_of(history.begin(), history.end(), [](const auto& turn) {
    return turn.first == "agent" && contains(turn.second, "ZIP code we have on file");
  });
  CHECK(question_kept);
}
