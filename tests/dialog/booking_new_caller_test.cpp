// A caller the shop does not know yet: an account (name), a vehicle, then the booking.
#include "dialog/booking_script.hpp"

using namespace ce::dialog;
using namespace ce::dialog::test;
using nlohmann::json;

namespace {

const std::string created = R"({"ok":true,"customer":{"id":99,"first_name":"John","last_name":"Smith"},"verified":true})";
const std::string civic_added = R"({"ok":true,"vehicle":{"id":55,"year":2019,"make":"Honda","model":"Civic","vin_last6":""}})";

scripted_call new_caller(std::string_view request = "i'd like to book a tire rotation") {
  scripted_call call(caller_not_found);
  call.say(request);
  return call;
}

} // namespace

TEST_CASE("a new caller sets up an account and a vehicle, then books") {
  auto call = new_caller();
  CHECK(call.last().sentences == std::vector<std::string>{"Sure, I can help with that.",
                                                          "I don't see an account for this number yet.",
                                                          "Let's set one up.", "What's your first and last name?"});
  call.say("my name is john smith");
  CHECK(call.tool() == "create_customer");
  CHECK(call.args() == json{{"first_name", "John"}, {"last_name", "Smith"}});

  call.answer(created);
  CHECK(call.last().sentences == std::vector<std::string>{
                                   "Thanks, John. Your account is set up.",
                                   "What vehicle is it for? Please tell me the year, make and model."});
  CHECK(call.last().tool_calls.empty());

  call.say("it's a twenty nineteen honda civic");
  CHECK(call.tool() == "add_vehicle");
  CHECK(call.args() == json{{"make", "Honda"}, {"model", "Civic"}, {"year", 2019}});

  call.answer(civic_added);
  CHECK(call.last().sentences == std::vector<std::string>{"Got it, your 2019 Honda Civic."});
  CHECK(call.tool() == "get_available_slots");
  CHECK(call.args()["service_type"] == "tire_rotation");

  call.answer(results::slots({"2026-11-24 08:00", "2026-11-24 10:00"}, "tire_rotation"));
  call.say("ten");
  CHECK(call.last().sentences.front() ==
        "So that's a tire rotation for your 2019 Honda Civic on Tuesday, November twenty-fourth at ten a.m.");
  call.say("sounds good");
  CHECK(call.args() == json{{"service_type", "tire_rotation"}, {"vehicle_id", 55}, {"start", "2026-11-24 10:00"}});
}

TEST_CASE("names are heard in the ways callers give them") {
  struct heard {
    const char* said;
    const char* first;
    const char* last;
  };
  for (auto h : {heard{"john smith", "John", "Smith"}, heard{"it's maria lopez", "Maria", "Lopez"},
                 heard{"yeah this is maria garcia lopez", "Maria", "Lopez"},
                 heard{"uh my name's john smith", "John", "Smith"}, heard{"john s m i t h", "John", "Smith"}}) {
    INFO(h.said);
    auto call = new_caller();
    call.say(h.said);
    REQUIRE(call.tool() == "create_customer");
    CHECK(call.args() == json{{"first_name", h.first}, {"last_name", h.last}});
  }
}

TEST_CASE("a first name alone is followed by a question for the last name") {
  auto call = new_caller();
  call.say("john");
  CHECK(call.last().sentences == std::vector<std::string>{"And what's your last name?"});
  call.say("smith");
  CHECK(call.args() == json{{"first_name", "John"}, {"last_name", "Smith"}});
}

TEST_CASE("a vehicle is asked for part by part when the caller leaves something out") {
  auto call = new_caller();
  call.say("john smith");
  call.answer(created);
  call.say("a honda civic");
  CHECK(call.last().sentences == std::vector<std::string>{"And what year is your Honda Civic?"});
  call.say("twenty nineteen");
  CHECK(call.args() == json{{"make", "Honda"}, {"model", "Civic"}, {"year", 2019}});

  auto model_only = new_caller();
  model_only.say("john smith");
  model_only.answer(created);
  model_only.say("two thousand eighteen rav four");
  CHECK(model_only.args() == json{{"make", "Toyota"}, {"model", "RAV4"}, {"year", 2018}});
}

TEST_CASE("a vehicle can be given by its VIN") {
  auto call = new_caller();
  call.say("john smith");
  call.answer(created);
  call.say("the vin is one h g c m eight two six three three a zero zero four three five two");
  CHECK(call.tool() == "add_vehicle");
  CHECK(call.args() == json{{"vin", "1HGCM82633A004352"}});
}

TEST_CASE("a vehicle the tools refuse is asked for again") {
  auto call = new_caller();
  call.say("john smith");
  call.answer(created);
  call.say("twenty nineteen honda civic");
  call.answer(results::error("invalid_argument", "The model year is not valid."));
  CHECK(call.last().sentences == std::vector<std::string>{"Sorry, I couldn't add that vehicle.",
                                                          "Could you tell me the year, make and model again?"});
  call.say("twenty eighteen honda civic");
  CHECK(call.args()["year"] == 2018);
}

TEST_CASE("the service is asked for after the vehicle when the request had none") {
  auto call = new_caller("i want to make an appointment");
  call.say("john smith");
  call.answer(created);
  call.say("twenty nineteen honda civic");
  call.answer(civic_added);
  CHECK(call.last().sentences == std::vector<std::string>{"Got it, your 2019 Honda Civic.",
                                                          "What service would you like to book?"});
  call.say("an oil change");
  CHECK(call.args()["service_type"] == "oil_change");
}

TEST_CASE("a known caller whose car is not on file adds it") {
  auto call = verified_booking();
  call.answer(results::civic);
  call.say("no it's for my twenty fifteen toyota camry");
  CHECK(call.tool() == "add_vehicle");
  CHECK(call.args() == json{{"make", "Toyota"}, {"model", "Camry"}, {"year", 2015}});
}

TEST_CASE("an account that cannot be created for an unreachable system is offered a retry") {
  auto call = new_caller();
  call.say("john smith");
  call.answer(results::error("unavailable", "The database is down."));
  CHECK(call.last().sentences ==
        std::vector<std::string>{"I'm sorry, I can't reach our scheduling system right now.",
                                 "Would you like me to try again, or connect you with a service advisor?"});
  call.say("yes try again");
  CHECK(call.tool() == "create_customer");
  CHECK(call.args() == json{{"first_name", "John"}, {"last_name", "Smith"}});
}
