// Private to the seed: the word lists and model tables realistic seed data is drawn from.
#pragma once

#include <string_view>

namespace ce::store::seed_data {

inline constexpr std::string_view first_names[] = {
  "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
  "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
  "Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
  "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
  "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie",
  "Ronald", "Dorothy", "Jason", "Rebecca", "Edward", "Sharon", "Jeffrey", "Laura", "Ryan", "Cynthia",
  "Jacob", "Amy", "Gary", "Kathleen", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Brenda",
  "Stephen", "Emma", "Larry", "Anna", "Justin", "Pamela", "Scott", "Nicole", "Brandon", "Samantha",
  "Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Helen", "Alexander", "Debra", "Patrick", "Rachel",
  "Frank", "Carolyn", "Raymond", "Janet", "Jack", "Maria", "Dennis", "Olivia", "Jerry", "Heather",
  "Tyler", "Diane", "Aaron", "Julie", "Jose", "Joyce", "Adam", "Victoria", "Nathan", "Ruth",
  "Henry", "Virginia", "Zachary", "Lauren", "Douglas", "Kelly", "Peter", "Christina", "Kyle", "Joan",
  "Noah", "Evelyn", "Ethan", "Judith", "Jeremy", "Andrea", "Walter", "Hannah", "Christian", "Megan",
  "Keith", "Cheryl", "Roger", "Jacqueline", "Terry", "Martha", "Austin", "Madison", "Sean", "Teresa",
  "Luis", "Sofia", "Carlos", "Gabriela", "Miguel", "Lucia", "Wei", "Mei", "Raj", "Priya",
  "Darnell", "Keisha", "Andre", "Tanisha", "Hiroshi", "Yuki", "Mohammed", "Fatima", "Dmitri", "Olga",
};

inline constexpr std::string_view last_names[] = {
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
  "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
  "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
  "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
  "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
  "Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
  "Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
  "Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
  "Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
  "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
  "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
  "Schmidt", "Mueller", "Schneider", "Olson", "Larson", "Novak", "Kowalski", "O'Brien", "McCarthy", "Chen",
};

inline constexpr std::string_view streets[] = {
  "Main Street", "Oak Avenue", "Maple Drive", "Washington Street", "Lincoln Avenue", "Park Road",
  "Cedar Lane", "Elm Street", "Walnut Street", "Jefferson Street", "Monroe Street", "Adams Street",
  "Wabash Avenue", "Chatham Road", "Stevenson Drive", "Dirksen Parkway", "Veterans Parkway",
  "MacArthur Boulevard", "Lawrence Avenue", "South Grand Avenue", "North Grand Avenue", "Peoria Road",
  "Sangamon Avenue", "Iles Avenue", "Koke Mill Road", "West Old State Capitol Plaza", "Cherry Road",
  "Meadowbrook Road", "Hazel Dell Road", "Plummer Boulevard",
};

struct town {
  std::string_view city;
  std::string_view zip;
};
inline constexpr town towns[] = {
  {"Springfield, IL", "62701"}, {"Springfield, IL", "62702"}, {"Springfield, IL", "62703"},
  {"Springfield, IL", "62704"}, {"Springfield, IL", "62707"}, {"Springfield, IL", "62711"},
  {"Springfield, IL", "62712"}, {"Chatham, IL", "62629"},     {"Rochester, IL", "62563"},
  {"Sherman, IL", "62684"},     {"Riverton, IL", "62561"},    {"Auburn, IL", "62615"},
  {"Petersburg, IL", "62675"},  {"Jacksonville, IL", "62650"}, {"Decatur, IL", "62521"},
  {"Taylorville, IL", "62568"}, {"Lincoln, IL", "62656"},     {"Pawnee, IL", "62558"},
};

/// Real area codes (the Midwest first). Seeded numbers are NNN-555-01XX, the range kept for
/// fiction, so nobody real is ever called by a reminder from seed data.
inline constexpr int area_codes[] = {
  217, 309, 312, 618, 630, 708, 773, 815, 847, 224, 331, 779, 872, 464, 447, 314, 636, 573, 816, 417,
  317, 765, 812, 219, 260, 574, 319, 563, 515, 712, 641, 414, 608, 920, 262, 715, 313, 248, 586, 734,
  616, 517, 269, 989, 216, 614, 513, 419, 330, 937, 440, 502, 859, 615, 901, 865, 423, 612, 651, 763,
  952, 507, 402, 531, 913, 785, 316, 620, 405, 918, 214, 469, 972, 817, 713, 281, 832, 512, 210, 303,
  720, 602, 480, 623, 702, 801, 206, 253, 425, 503, 971, 415, 510, 408, 650, 213, 310, 323, 818, 626,
  909, 951, 619, 858, 916, 404, 770, 678, 305, 786, 954, 561, 407, 813, 727, 904, 704, 919, 336, 757,
  804, 703, 202, 301, 410, 443, 215, 267, 412, 724, 717, 610, 201, 973, 732, 908, 212, 718, 917, 646,
};

struct model_spec {
  std::string_view make;
  std::string_view model;
  std::string_view wmi;
  std::string_view vds;  ///< positions 4-8
  int first_year;
  int last_year;         ///< 0 = still made
  int weight;            ///< relative share of the dealership's customers
};

inline constexpr model_spec models[] = {
  {"Ford", "F-150", "1FT", "EW1EP", 2009, 0, 9},
  {"Ford", "Escape", "1FM", "CU9GD", 2008, 0, 6},
  {"Ford", "Explorer", "1FM", "5K8D8", 2011, 0, 5},
  {"Ford", "Focus", "1FA", "DP3F2", 2008, 2018, 3},
  {"Ford", "Fusion", "3FA", "6P0H7", 2010, 2020, 3},
  {"Ford", "Mustang", "1FA", "6P8TH", 2010, 0, 2},
  {"Ford", "Edge", "2FM", "PK4J9", 2010, 0, 2},
  {"Chevrolet", "Silverado 1500", "1GC", "UYDED", 2009, 0, 8},
  {"Chevrolet", "Equinox", "2GN", "AXKEV", 2010, 0, 6},
  {"Chevrolet", "Malibu", "1G1", "ZD5ST", 2008, 0, 4},
  {"Chevrolet", "Tahoe", "1GN", "SKBKC", 2008, 0, 3},
  {"Chevrolet", "Traverse", "1GN", "EVGKW", 2009, 0, 3},
  {"Chevrolet", "Cruze", "1G1", "BE5SM", 2011, 2019, 2},
  {"Toyota", "Camry", "4T1", "B11HK", 2008, 0, 8},
  {"Toyota", "Corolla", "2T1", "BURHE", 2008, 0, 7},
  {"Toyota", "RAV4", "2T3", "P1RFV", 2008, 0, 7},
  {"Toyota", "Tacoma", "3TM", "CZ5AN", 2008, 0, 4},
  {"Toyota", "Highlander", "5TD", "JZRFH", 2008, 0, 4},
  {"Toyota", "Tundra", "5TF", "DY5F1", 2008, 0, 2},
  {"Toyota", "Prius", "JTD", "KARFU", 2008, 0, 2},
  {"Honda", "Civic", "2HG", "FC2F5", 2008, 0, 8},
  {"Honda", "Accord", "1HG", "CV1F3", 2008, 0, 7},
  {"Honda", "CR-V", "5J6", "RW2H5", 2008, 0, 7},
  {"Honda", "Pilot", "5FN", "YF6H5", 2009, 0, 3},
  {"Honda", "Odyssey", "5FN", "RL6H7", 2008, 0, 2},
  {"Nissan", "Altima", "1N4", "BL4BV", 2008, 0, 5},
  {"Nissan", "Rogue", "5N1", "AT2MV", 2008, 0, 5},
  {"Nissan", "Sentra", "3N1", "AB8CV", 2008, 0, 3},
  {"Nissan", "Frontier", "1N6", "ED1EK", 2008, 0, 2},
  {"Nissan", "Pathfinder", "5N1", "DR2MM", 2008, 0, 2},
  {"Hyundai", "Elantra", "5NP", "D84LF", 2008, 0, 5},
  {"Hyundai", "Sonata", "5NP", "E34AF", 2008, 0, 3},
  {"Hyundai", "Tucson", "5NM", "S33AD", 2010, 0, 4},
  {"Hyundai", "Santa Fe", "5NM", "S3CAD", 2008, 0, 3},
  {"Kia", "Optima", "5XX", "GT4L3", 2011, 2020, 3},
  {"Kia", "Sorento", "5XY", "PG4A3", 2008, 0, 3},
  {"Kia", "Soul", "KND", "JP3A5", 2010, 0, 2},
  {"Kia", "Forte", "3KP", "F24AD", 2010, 0, 2},
  {"Kia", "Sportage", "KND", "PM3AC", 2008, 0, 2},
  {"Subaru", "Outback", "4S4", "BSANC", 2008, 0, 4},
  {"Subaru", "Forester", "JF2", "SKAGC", 2008, 0, 3},
  {"Subaru", "Crosstrek", "JF2", "GTAEC", 2013, 0, 2},
  {"Subaru", "Impreza", "4S3", "GTAA6", 2008, 0, 2},
  {"Subaru", "Ascent", "4S4", "WMAFD", 2019, 0, 1},
  {"Jeep", "Grand Cherokee", "1C4", "RJFAG", 2011, 0, 5},
  {"Jeep", "Wrangler", "1C4", "HJXDG", 2008, 0, 4},
  {"Jeep", "Cherokee", "1C4", "PJMCB", 2014, 2023, 3},
  {"Jeep", "Compass", "3C4", "NJDBB", 2008, 0, 2},
  {"Ram", "1500", "1C6", "RR7LT", 2011, 0, 6},
  {"Ram", "2500", "3C6", "UR5CL", 2011, 0, 2},
};

} // namespace ce::store::seed_data
