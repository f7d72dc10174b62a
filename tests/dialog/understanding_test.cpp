// What callers who do not speak the demo's script say, as the recogniser hands it over:
// a problem described instead of a service, a reschedule said with "move" or "push back".
// (Recognition itself is measured by bench/understanding; these pin the dialog's part.)
#include "booking_script.hpp"

#include <catch2/catch.hpp>

using namespace ce::dialog::test;

namespace {

/// The service a booking goes on with, once the caller is verified and the car confirmed:
/// the get_available_slots arguments, or what the agent asked instead.
std::string booked_service(std::string_view opening) {
  scripted_call call;
  call.say(opening);
  if (!contains(call.text(), "ZIP code")) return "answered: " + call.text();
  call.say("six two seven zero four");
  call.answer(results::verified(true));
  call.answer(results::civic);
  if (!contains(call.text(), "Is this for your")) return "asked: " + call.text();
  call.say("yes");
  if (call.tool() != "get_available_slots") return "asked: " + call.text();
  return call.args()["service_type"].get<std::string>();
}

} // namespace

TEST_CASE("a caller who describes a problem books the service that looks at it") {
  struct problem {
    const char* said;
    const char* service;
  };
  for (auto p : {problem{"my check engine light came on can you take a look at it", "diagnostic"},
                 problem{"the engine light is on", "diagnostic"},
                 problem{"my brakes are squeaking", "brake_inspection"},
                 problem{"my battery keeps dying", "battery"},
                 problem{"the car won't start in the morning", "battery"},
                 problem{"it's pulling to the left", "alignment"},
                 problem{"the air conditioning isn't blowing cold", "ac_service"}}) {
    INFO(p.said);
    CHECK(booked_service(p.said) == p.service);
  }
}

TEST_CASE("moving, pushing back or changing the day of an appointment is a reschedule") {
  for (const char* said : {"i need to move my appointment to a different day", "can we push my appointment back a few days",
                           "i'd like to change the day of my appointment", "i can't make my appointment can we do another day",
                           "i need to rebook my appointment", "something came up and i need a different time"}) {
    INFO(said);
    scripted_call call;
    call.say(said);
    REQUIRE(contains(call.text(), "ZIP code"));
    call.say("six two seven zero four");
    call.answer(results::verified(true));
    REQUIRE(call.tool() == "get_appointments");
    call.answer(results::appointments({results::oil_change_tuesday}));
    CHECK(contains(call.text(), "When would you like to move it to?"));
  }
}

TEST_CASE("calling off an appointment or taking it off the schedule is a cancel") {
  for (const char* said : {"i'd like to call off my appointment", "take me off the schedule please",
                           "please cancel my booking"}) {
    INFO(said);
    scripted_call call;
    call.say(said);
    REQUIRE(contains(call.text(), "ZIP code"));
    call.say("six two seven zero four");
    call.answer(results::verified(true));
    REQUIRE(call.tool() == "get_appointments");
    call.answer(results::appointments({results::oil_change_tuesday}));
    CHECK(contains(call.text(), "cancel your oil change"));
  }
}

TEST_CASE("two vehicles of the same year, make and model are told apart by the end of their VINs") {
  scripted_call call;
  call.say("i'd like to book an oil change");
  call.say("six two seven zero four");
  call.answer(results::verified(true));
  REQUIRE(call.tool() == "get_vehicles");
  call.answer(R"({"ok":true,"vehicles":[
    {"id":7,"year":2021,"make":"Toyota","model":"Camry","vin_last6":"104567"},
    {"id":8,"year":2021,"make":"Toyota","model":"Camry","vin_last6":"209876"},
    {"id":9,"year":2012,"make":"Kia","model":"Optima","vin_last6":"334455"}]})");
  CHECK(call.text() ==
        "Which vehicle is this for, your 2021 Toyota Camry with the VIN ending in 4, 5, 6, 7, your 2021 Toyota Camry "
        "with the VIN ending in 9, 8, 7, 6, or your 2012 Kia Optima?");
  call.say("the camry ending in nine eight seven six");
  REQUIRE(call.tool() == "get_available_slots");
  call.answer(results::slots({"2026-11-24 09:00", "2026-11-24 10:30"}));
  call.say("the first one");
  CHECK(contains(call.text(), "for your 2021 Toyota Camry with the VIN ending in 9, 8, 7, 6 on"));
  call.say("yes");
  CHECK(call.args()["vehicle_id"] == 8);
}

TEST_CASE("a lone 'human' beside a service is a misheard word, not a request for a person") {
  scripted_call call;
  call.say("i'm human an oil change");
  CHECK_FALSE(contains(call.text(), "connect you"));
  CHECK(contains(call.text(), "oil change"));
  scripted_call person;
  person.say("can i talk to a human");
  CHECK(contains(person.text(), "connect you"));
}
