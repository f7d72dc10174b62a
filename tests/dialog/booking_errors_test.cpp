// Tool failures during booking, each handled politely by its error code, and the
// engine's interruptions (barge-in, the caller speaking over a running tool call).
#include "dialog/booking_script.hpp"

using namespace ce::dialog;
using namespace ce::dialog::test;
using nlohmann::json;

namespace {

const std::string anything_else = "Is there anything else I can help you with?";
const std::string unreachable = "I'm sorry, I can't reach our scheduling system right now.";
const std::string retry_or_transfer = "Would you like me to try again, or connect you with a service advisor?";

scripted_call read_back_call() {
  auto call = verified_booking();
  call.answer(results::civic);
  call.say("yes");
  call.answer(results::slots({"2026-11-24 09:00", "2026-11-24 10:30"}));
  call.say("nine");
  REQUIRE(call.last().sentences.back() == "Shall I book it?");
  return call;
}

} // namespace

TEST_CASE("an unreachable scheduling system at booking offers a retry or a transfer") {
  auto call = read_back_call();
  call.say("yes");
  auto book = call.args();
  call.answer(results::error("unavailable", "The scheduling database is unreachable."));
  CHECK(call.last().sentences == std::vector<std::string>{unreachable, retry_or_transfer});
  CHECK(call.last().end_of_turn);
  call.say("yes please try again");
  CHECK(call.tool() == "book_appointment");
  CHECK(call.args() == book);
  call.answer(results::changed(results::oil_change_tuesday));
  CHECK(call.last().sentences.front() == "You're all set.");

  auto transfer = read_back_call();
  transfer.say("yes");
  transfer.answer(results::error("unavailable"));
  transfer.say("connect me with an advisor");
  CHECK(transfer.tool() == "transfer_to_human");

  auto give_up = read_back_call();
  give_up.say("yes");
  give_up.answer(results::error("unavailable"));
  give_up.say("no");
  CHECK(give_up.last().sentences == std::vector<std::string>{"Okay.", anything_else});
}

TEST_CASE("a system that stays unreachable ends in a transfer offer") {
  auto call = read_back_call();
  call.say("yes");
  call.answer(results::error("unavailable"));
  call.say("try again");
  call.answer(results::error("unavailable"));
  call.say("try again");
  call.answer(results::error("unavailable"));
  CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, our scheduling system is still not responding.",
                                                          "Would you like me to connect you with a service advisor?"});
  call.say("yes");
  CHECK(call.tool() == "transfer_to_human");
  CHECK(call.args()["reason"] == "scheduling system unavailable");
}

TEST_CASE("malformed and unknown results count as an unreachable system") {
  for (auto bad : {"", "not json", "[]", R"({"ok":false})", R"({"ok":false,"error":"unknown_tool"})"}) {
    INFO(bad);
    auto call = read_back_call();
    call.say("yes");
    call.answer(bad);
    CHECK(call.last().sentences == std::vector<std::string>{unreachable, retry_or_transfer});
  }
}

TEST_CASE("a slot taken meanwhile is apologised for and other times are offered") {
  auto call = read_back_call();
  call.say("yes");
  call.answer(results::error("conflict", "That slot was just taken."));
  CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, that time was just taken."});
  CHECK(call.tool() == "get_available_slots");
  call.answer(results::slots({"2026-11-24 09:00", "2026-11-24 10:30", "2026-11-24 13:00"}));
  CHECK(call.last().sentences.front() == "I have Tuesday, November twenty-fourth at ten thirty a.m., or one p.m.");
}

TEST_CASE("a refused time or bad date is asked for again") {
  for (auto code : {"outside_hours", "invalid_argument"}) {
    INFO(code);
    auto call = read_back_call();
    call.say("yes");
    call.answer(results::error(code));
    CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, I can't book that time.",
                                                            "What other day or time would work for you?"});
    call.say("friday at two");
    CHECK(call.args()["date_from"] == "2026-11-27");
  }
}

TEST_CASE("three failed verifications end in a transfer offer, and no keeps the account closed") {
  scripted_call call;
  call.say("i want to book an oil change");
  call.say("one two three four five");
  call.answer(results::error("too_many_attempts", "Verification failed three times."));
  CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, I wasn't able to verify your account.",
                                                          "Would you like me to connect you with a service advisor?"});
  auto yes = call;
  yes.say("yes");
  CHECK(yes.args()["reason"] == "caller could not be verified");
  call.say("no");
  CHECK(call.last().sentences == std::vector<std::string>{
                                   "Okay.", "I'm sorry, I can't make changes without verifying your account.", anything_else});
  call.say("yes can i book an oil change");
  CHECK(call.last().tool_calls.empty());
}

TEST_CASE("a last failed attempt reported as attempts_left zero ends in a transfer offer") {
  scripted_call call;
  call.say("book an oil change");
  call.say("one two three four five");
  call.answer(results::verified(false, 0));
  CHECK(call.last().sentences.front() == "I'm sorry, I wasn't able to verify your account.");
}

TEST_CASE("a tool that asks for verification first gets it") {
  auto call = verified_booking();
  call.answer(R"({"ok":false,"error":"forbidden","verification_required":true,"message":"Verify first."})");
  CHECK(call.last().sentences.front() == "I need to verify your account first.");
  CHECK(contains(call.text(), "ZIP code"));
  call.say("six two seven zero four");
  CHECK(call.tool() == "verify_customer");
}

TEST_CASE("a caller-ID lookup that failed at the start is tried again when booking") {
  scripted_call call(R"({"ok":false,"error":"unavailable","message":"down"})");
  CHECK(call.last().sentences.front() == "Thanks for calling Bart's Automotive service department.");
  call.say("i want to book an oil change");
  CHECK(call.last().sentences == std::vector<std::string>{"Sure, I can help with that."});
  CHECK(call.tool() == "lookup_customer");
  call.answer(R"({"ok":false,"error":"unavailable","message":"down"})");
  CHECK(call.last().sentences == std::vector<std::string>{unreachable, retry_or_transfer});
  call.say("yes");
  CHECK(call.tool() == "lookup_customer");
  call.answer(caller_john);
  CHECK(contains(call.text(), "ZIP code"));
}

TEST_CASE("no openings on the asked day leads to the following days") {
  auto call = verified_booking("book an oil change for tuesday");
  call.answer(results::civic);
  call.say("yes");
  call.answer(results::slots({}));
  CHECK(call.last().sentences ==
        std::vector<std::string>{"I'm sorry, I don't have any openings on Tuesday, November twenty-fourth."});
  CHECK(call.args()["date_from"] == "2026-11-25");
  CHECK_FALSE(call.args().contains("date_to"));
  call.answer(results::slots({}));
  CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, I don't see any openings then.",
                                                          "Is there another day that would work for you?"});
}

TEST_CASE("tool calls dropped by a barge-in are made again, and their late results ignored") {
  auto call = verified_booking();
  auto vehicles_call = call.last().tool_calls.back().id;
  call.barge_in("Thanks");
  call.say("hello are you there");
  CHECK(call.tool() == "get_vehicles");
  CHECK(call.policy().on_tool_result(vehicles_call, results::civic).sentences.empty());
  call.answer(results::civic);
  CHECK(call.text() == "Is this for your 2019 Honda Civic?");
}

TEST_CASE("a caller speaking over a running search gets the search again") {
  auto call = verified_booking();
  call.answer(results::civic);
  call.say("yes");
  auto search = call.last().tool_calls.back().id;
  call.barge_in("");  // nothing was being said: the read of "Is this for your..." stands
  call.say("tomorrow morning if possible");
  CHECK(call.tool() == "get_available_slots");
  CHECK(call.args()["date_from"] == "2026-11-24");
  CHECK(call.args()["part_of_day"] == "morning");
  CHECK(call.policy().on_tool_result(search, results::slots({"2026-11-23 15:00"})).sentences.empty());
}

TEST_CASE("without a known date the caller is asked for a full date") {
  scripted_call call(caller_john, "");
  call.say("book an oil change tomorrow");
  call.say("six two seven zero four");
  call.answer(results::verified(true));
  call.answer(results::civic);
  call.say("yes");
  CHECK(call.last().sentences == std::vector<std::string>{
                                   "I'm sorry, I need the full date.",
                                   "What date would you like? Please tell me the month, the day and the year."});
  call.say("november twenty fourth twenty twenty six");
  CHECK(call.args()["date_from"] == "2026-11-24");
}

TEST_CASE("recogniser noise around the answers is tolerated") {
  scripted_call call;
  call.say("uh yeah i wanna uh bring my car in for an oil change");
  call.say("um it's six two seven oh four");
  CHECK(call.args() == json{{"method", "zip"}, {"value", "62704"}});
  call.answer(results::verified(true));
  call.answer(results::civic);
  call.say("yeah yeah that's the one");
  CHECK(call.tool() == "get_available_slots");
  call.answer(results::slots({"2026-11-24 09:00", "2026-11-24 10:30"}));
  call.say("uh the ten thirty one");
  CHECK(contains(call.text(), "ten thirty a.m."));
  call.say("yep go ahead");
  CHECK(call.tool() == "book_appointment");
}

TEST_CASE("a verification answer the tools cannot use is asked for another way") {
  scripted_call call;
  call.say("book an oil change");
  call.say("march fifth nineteen eighty five");
  CHECK(call.args() == json{{"method", "date_of_birth"}, {"value", "1985-03-05"}});
  call.answer(results::error("invalid_argument", "There is no date of birth on file for this customer."));
  CHECK(call.last().sentences == std::vector<std::string>{"Sorry, I couldn't check that.",
                                                          "Could you tell me the ZIP code we have on file instead?"});
  call.say("six two seven zero four");
  CHECK(call.args() == json{{"method", "zip"}, {"value", "62704"}});
}
