// Dealership facts shared by the pocketsphinx tests (declared where used: tests/providers
// holds only test sources).
#include "callengine/config.hpp"

namespace ce::stt::test {

dealership_facts bart_facts() {
  dealership_facts f;
  f.name = "Bart's Automotive";
  f.address = "1200 N. Main St., Springfield";
  f.phone = "+15555550123";
  f.hours = {{"monday", "07:30", "18:00"},   {"tuesday", "07:30", "18:00"},
             {"wednesday", "07:30", "18:00"}, {"thursday", "07:30", "18:00"},
             {"friday", "07:30", "18:00"},    {"saturday", "08:00", "13:00"},
             {"sunday", "", ""}};
  f.lunch_break = "12:00-13:00";
  f.services = {
    {"oil_change", "an oil change", {"oil change", "synthetic oil change"}, 30,
     "from forty nine dollars"},
    {"tire_rotation", "a tire rotation", {"tire rotation", "rotate my tires"}, 30,
     "twenty nine dollars"},
    {"brakes", "a brake inspection", {"brake inspection", "brakes", "brake pads"}, 60,
     "free"},
    {"battery", "a battery test", {"battery", "battery replacement"}, 20, "free"},
    {"alignment", "a wheel alignment", {"alignment", "wheel alignment"}, 60,
     "ninety nine dollars"},
    {"state_inspection", "a state inspection", {"state inspection", "inspection"}, 45,
     "twenty five dollars"},
    {"ac", "an A/C service", {"air conditioning", "A/C recharge"}, 60,
     "from one hundred nineteen dollars"},
  };
  f.makes_serviced = {"Toyota", "Honda", "Ford", "Chevrolet", "Nissan", "Hyundai", "GMC"};
  return f;
}

} // namespace ce::stt::test
