#include "providers/pocketsphinx/domain_vocabulary.hpp"

#include <map>

namespace ce::stt {

const std::vector<std::string>& common_first_names() {
  static const std::vector<std::string> names = {
    "james",   "john",     "robert",    "michael",  "william",  "david",    "richard",
    "joseph",  "thomas",   "charles",   "christopher", "daniel", "matthew", "anthony",
    "mark",    "donald",   "steven",    "paul",     "andrew",   "joshua",   "kenneth",
    "kevin",   "brian",    "george",    "timothy",  "ronald",   "edward",   "jason",
    "jeffrey", "ryan",     "jacob",     "gary",     "nicholas", "eric",     "jonathan",
    "stephen", "larry",    "justin",    "scott",    "brandon",  "benjamin", "samuel",
    "gregory", "frank",    "alexander", "raymond",  "patrick",  "jack",     "dennis",
    "jerry",   "tyler",    "aaron",     "jose",     "adam",     "henry",    "nathan",
    "peter",   "kyle",     "bart",      "mary",     "patricia", "jennifer", "linda",
    "elizabeth", "barbara", "susan",    "jessica",  "sarah",    "karen",    "nancy",
    "lisa",    "betty",    "margaret",  "sandra",   "ashley",   "kimberly", "emily",
    "donna",   "michelle", "carol",     "amanda",   "melissa",  "deborah",  "stephanie",
    "rebecca", "sharon",   "laura",     "cynthia",  "amy",      "angela",   "helen",
    "anna",    "brenda",   "nicole",    "emma",     "samantha", "katherine", "rachel",
    "maria",   "heather",  "julie",     "olivia",   "kelly",    "megan",    "hannah",
    "grace",   "sophia",   "natalie",   "victoria", "rose"};
  return names;
}

const std::vector<std::string>& common_surnames() {
  static const std::vector<std::string> names = {
    "smith",    "johnson",  "williams", "brown",    "jones",     "garcia",   "miller",
    "davis",    "rodriguez", "martinez", "hernandez", "lopez",   "gonzalez", "wilson",
    "anderson", "thomas",   "taylor",   "moore",    "jackson",   "martin",   "lee",
    "perez",    "thompson", "white",    "harris",   "sanchez",   "clark",    "ramirez",
    "lewis",    "robinson", "walker",   "young",    "allen",     "king",     "wright",
    "scott",    "torres",   "nguyen",   "hill",     "flores",    "green",    "adams",
    "nelson",   "baker",    "hall",     "rivera",   "campbell",  "mitchell", "carter",
    "roberts",  "gomez",    "phillips", "evans",    "turner",    "diaz",     "parker",
    "cruz",     "edwards",  "collins",  "reyes",    "stewart",   "morris",   "morales",
    "murphy",   "cook",     "rogers",   "ortiz",    "morgan",    "cooper",   "peterson",
    "bailey",   "reed",     "kelly",    "howard",   "ramos",     "kim",      "cox",
    "ward",     "richardson", "watson", "brooks",   "chavez",    "wood",     "james",
    "bennett",  "gray",     "mendoza",  "ruiz",     "hughes",    "price",    "alvarez",
    "castillo", "sanders",  "patel",    "myers",    "long",      "ross",     "foster"};
  return names;
}

namespace {

const std::map<std::string, std::vector<std::string>, std::less<>>& model_table() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> table = {
    {"toyota", {"camry", "corolla", "highlander", "tacoma", "tundra", "prius", "sienna",
                "four runner"}},
    {"honda", {"civic", "accord", "pilot", "odyssey", "c r v", "fit"}},
    {"ford", {"f one fifty", "explorer", "escape", "focus", "fusion", "mustang", "ranger",
              "edge", "expedition"}},
    {"chevrolet", {"silverado", "malibu", "equinox", "tahoe", "impala", "camaro", "cruze",
                   "traverse", "suburban", "colorado"}},
    {"nissan", {"altima", "sentra", "rogue", "maxima", "pathfinder", "frontier", "murano",
                "versa"}},
    {"hyundai", {"sonata", "tucson", "santa fe", "accent"}},
    {"kia", {"soul", "sorento", "optima", "forte"}},
    {"jeep", {"wrangler", "cherokee", "grand cherokee", "compass", "liberty"}},
    {"dodge", {"ram", "charger", "challenger", "durango", "grand caravan", "journey"}},
    {"ram", {"fifteen hundred", "twenty five hundred"}},
    {"g m c", {"sierra", "yukon", "acadia", "terrain"}},
    {"subaru", {"outback", "forester", "legacy", "ascent"}},
    {"volkswagen", {"jetta", "passat", "golf", "beetle", "atlas"}},
    {"mazda", {"three", "six", "c x five"}},
    {"chrysler", {"three hundred", "pacifica"}},
    {"buick", {"enclave", "encore", "lacrosse"}},
    {"cadillac", {"escalade"}},
    {"tesla", {"model three", "model y"}},
    {"bmw", {"three series", "five series", "x five"}},
  };
  return table;
}

} // namespace

const std::vector<std::string>& common_makes() {
  static const std::vector<std::string> makes = {
    "toyota", "honda",  "ford",  "chevrolet", "nissan",   "hyundai", "kia",
    "jeep",   "dodge",  "ram",   "g m c",     "subaru",   "volkswagen", "mazda",
    "chrysler", "buick", "cadillac", "lexus", "acura",    "tesla",   "bmw",
    "audi",   "mercedes", "volvo", "lincoln"};
  return makes;
}

const std::vector<std::string>& models_of(std::string_view make) {
  static const std::vector<std::string> none;
  std::string_view key = make == "chevy" ? std::string_view("chevrolet") : make;
  if (key == "gmc") key = "g m c";
  auto it = model_table().find(key);
  return it == model_table().end() ? none : it->second;
}

std::vector<std::string> make_aliases(std::string_view make) {
  if (make == "chevrolet") return {"chevy"};
  if (make == "volkswagen") return {"v w"};
  if (make == "mercedes") return {"mercedes benz"};
  return {};
}

const std::vector<service_words>& common_services() {
  static const std::vector<service_words> services = {
    {{"oil change", "synthetic oil change", "oil and filter change"}, {"my oil changed"}},
    {{"tire rotation", "flat tire", "new tire"}, {"new tires", "my tires rotated", "tires"}},
    {{"brake inspection", "brake job", "brake service"}, {"brakes", "new brakes",
                                                          "brake pads", "my brakes checked"}},
    {{"battery", "new battery", "battery replacement", "battery test"}, {}},
    {{"wheel alignment", "alignment"}, {}},
    {{"state inspection", "inspection", "safety inspection", "emissions test"}, {}},
    {{"transmission service", "transmission flush"}, {"transmission work"}},
    {{"diagnostic", "check engine light"}, {"diagnostics"}},
    {{"air conditioning service"}, {"air conditioning", "my air conditioning checked"}},
    {{"tune up", "coolant flush", "air filter", "cabin air filter", "timing belt"},
     {"spark plugs", "wiper blades", "maintenance", "scheduled maintenance"}},
    {{"recall"}, {"recall work", "suspension work", "exhaust work"}},
  };
  return services;
}

const std::vector<std::string>& problem_sentences() {
  static const std::vector<std::string> problems = {
    "my check engine light is on",
    "the check engine light came on",
    "my car won't start",
    "my battery is dead",
    "my brakes are squeaking",
    "my brakes are grinding",
    "the brakes make a noise when i stop",
    "my car is making a weird noise",
    "there's a noise coming from the engine",
    "my air conditioning isn't working",
    "the air conditioning is blowing warm air",
    "i have a flat tire",
    "my tire pressure light is on",
    "my car is leaking oil",
    "the car pulls to the left",
    "the steering wheel shakes",
    "the transmission is slipping",
    "it's overheating",
    "my oil light came on",
    "it's due for an oil change",
    "it's time for my oil change",
    "i think i need new brakes",
    "the car is shaking when i drive",
  };
  return problems;
}

std::string with_article(std::string_view phrase) {
  if (phrase.empty()) return {};
  bool vowel = std::string_view("aeio").find(phrase.front()) != std::string_view::npos;
  return std::string(vowel ? "an " : "a ") + std::string(phrase);
}

} // namespace ce::stt
