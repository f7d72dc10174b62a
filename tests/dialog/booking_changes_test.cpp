// Rescheduling, cancelling and reading back a verified caller's upcoming appointments.
#include "dialog/booking_script.hpp"

using namespace ce::dialog;
using namespace ce::dialog::test;
using nlohmann::json;

namespace {

const std::string anything_else = "Is there anything else I can help you with?";

/// John asked for `request` and was verified; the call waits for get_appointments.
scripted_call verified_for(std::string_view request) {
  scripted_call call;
  call.say(request);
  call.say("six two seven zero four");
  call.answer(results::verified(true));
  REQUIRE(call.tool() == "get_appointments");
  return call;
}

} // namespace

TEST_CASE("an existing caller moves their one appointment to another day") {
  auto call = verified_for("i need to reschedule my appointment");
  CHECK(call.args() == json::object());
  call.answer(results::appointments({results::oil_change_tuesday}));
  CHECK(call.last().sentences ==
        std::vector<std::string>{"I see your oil change on Tuesday, November twenty-fourth at nine a.m.",
                                 "When would you like to move it to?"});

  call.say("how about thursday afternoon");
  CHECK(call.args() == json{{"service_type", "oil_change"},
                            {"date_from", "2026-11-26"},
                            {"date_to", "2026-11-26"},
                            {"part_of_day", "afternoon"},
                            {"max", 8}});
  call.answer(results::slots({"2026-11-26 13:00", "2026-11-26 13:30", "2026-11-26 14:30", "2026-11-26 15:00"}));
  CHECK(call.last().sentences.front() == "I have Thursday, November twenty-sixth at one p.m., or two thirty p.m.");

  call.say("two thirty");
  CHECK(call.last().sentences ==
        std::vector<std::string>{"So I'll move your oil change to Thursday, November twenty-sixth at two thirty p.m.",
                                 "Shall I make that change?"});
  call.say("yes please");
  CHECK(call.tool() == "reschedule_appointment");
  CHECK(call.args() == json{{"appointment_id", 41}, {"new_start", "2026-11-26 14:30"}});

  auto moved = results::oil_change_tuesday;
  moved["start"] = "2026-11-26 14:30";
  call.answer(results::changed(moved));
  CHECK(call.last().sentences ==
        std::vector<std::string>{"All done.", "Your oil change is now on Thursday, November twenty-sixth at two thirty p.m.",
                                 "Your confirmation code is B, 7, K, 2, M, 9.", anything_else});
}

TEST_CASE("a new day named in the reschedule request is searched right away") {
  auto call = verified_for("can you move my appointment to friday");
  call.answer(results::appointments({results::oil_change_tuesday}));
  CHECK(call.last().sentences == std::vector<std::string>{"I see your oil change on Tuesday, November twenty-fourth at nine a.m."});
  CHECK(call.tool() == "get_available_slots");
  CHECK(call.args()["date_from"] == "2026-11-27");
}

TEST_CASE("a caller with several appointments is asked which one to change") {
  for (auto answer : {"the tire rotation", "the second one", "the one on monday", "uh the rotation"}) {
    INFO(answer);
    auto call = verified_for("i want to reschedule");
    call.answer(results::appointments({results::oil_change_tuesday, results::rotation_monday}));
    CHECK(call.last().sentences ==
          std::vector<std::string>{"You have an oil change on Tuesday, November twenty-fourth at nine a.m. and a tire "
                                   "rotation on Monday, November thirtieth at ten a.m.",
                                   "Which one would you like to change?"});
    call.say(answer);
    CHECK(call.text() == "When would you like to move it to?");
    call.say("next week tuesday");
    CHECK(call.args()["service_type"] == "tire_rotation");
    CHECK(call.args()["date_from"] == "2026-12-01");
  }
}

TEST_CASE("a caller without upcoming appointments is offered a booking") {
  auto call = verified_for("i need to change my appointment");
  call.answer(results::appointments({}));
  CHECK(call.last().sentences == std::vector<std::string>{"I don't see any upcoming appointments for you.",
                                                          "Would you like to book one?"});
  call.say("yes please");
  CHECK(call.last().sentences == std::vector<std::string>{"Great."});
  CHECK(call.tool() == "get_vehicles");

  auto no = verified_for("cancel my appointment");
  no.answer(results::appointments({}));
  no.say("no thanks");
  CHECK(no.last().sentences == std::vector<std::string>{"Okay.", anything_else});
}

TEST_CASE("an existing caller cancels their appointment after confirming") {
  auto call = verified_for("i want to cancel my appointment");
  call.answer(results::appointments({results::oil_change_tuesday}));
  CHECK(call.last().sentences == std::vector<std::string>{
                                   "Do you want me to cancel your oil change on Tuesday, November twenty-fourth at nine a.m.?"});
  call.say("yes");
  CHECK(call.tool() == "cancel_appointment");
  CHECK(call.args() == json{{"appointment_id", 41}});
  auto cancelled = results::oil_change_tuesday;
  cancelled["status"] = "cancelled";
  call.answer(results::changed(cancelled));
  CHECK(call.last().sentences == std::vector<std::string>{"It's cancelled.", anything_else});
}

TEST_CASE("no to the cancellation keeps the appointment") {
  auto call = verified_for("i need to cancel");
  call.answer(results::appointments({results::oil_change_tuesday}));
  call.say("no actually keep it");
  CHECK(call.last().sentences == std::vector<std::string>{"Okay, I'll leave it as it is.", anything_else});
  CHECK(call.last().tool_calls.empty());
}

TEST_CASE("the appointment to cancel can be picked by service from the request") {
  auto call = verified_for("please cancel my tire rotation");
  call.answer(results::appointments({results::oil_change_tuesday, results::rotation_monday}));
  CHECK(contains(call.text(), "cancel your tire rotation on Monday, November thirtieth"));
  call.say("yes");
  CHECK(call.args() == json{{"appointment_id", 42}});
}

TEST_CASE("cancelled appointments in the list are not offered") {
  auto call = verified_for("cancel my appointment");
  call.answer(results::appointments(
    {results::appointment(40, "OLD111", "battery", "2026-11-25 08:00", "cancelled"), results::rotation_monday}));
  CHECK(contains(call.text(), "cancel your tire rotation"));
}

TEST_CASE("a caller can hear when their appointments are") {
  auto call = verified_for("when is my appointment");
  call.answer(results::appointments({results::oil_change_tuesday}));
  CHECK(call.last().sentences == std::vector<std::string>{
                                   "I see your oil change on Tuesday, November twenty-fourth at nine a.m.", anything_else});
}

TEST_CASE("an appointment that is gone by the time it is cancelled gets a transfer offer") {
  auto call = verified_for("cancel my appointment");
  call.answer(results::appointments({results::oil_change_tuesday}));
  call.say("yes");
  call.answer(results::error("not_found", "No such appointment."));
  CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, I couldn't find that appointment.",
                                                          "Would you like me to connect you with a service advisor?"});
  call.say("yes");
  CHECK(call.tool() == "transfer_to_human");
}

TEST_CASE("a new time refused as outside business hours is asked for again") {
  auto call = verified_for("reschedule my appointment");
  call.answer(results::appointments({results::oil_change_tuesday}));
  call.say("wednesday at four thirty");
  call.answer(results::slots({"2026-11-25 16:30"}));
  call.say("yes");
  REQUIRE(call.tool() == "reschedule_appointment");
  call.answer(results::error("outside_hours", "Too late for that service."));
  CHECK(call.last().sentences == std::vector<std::string>{"I'm sorry, I can't book that time.",
                                                          "What other day or time would work for you?"});
  call.say("thursday morning");
  CHECK(call.args()["date_from"] == "2026-11-26");
  CHECK(call.args()["part_of_day"] == "morning");
}
