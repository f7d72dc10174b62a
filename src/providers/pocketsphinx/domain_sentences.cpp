#include "providers/pocketsphinx/domain_sentences.hpp"

namespace ce::stt {
namespace {

void add_greetings(corpus_writer& w) {
  w.add_all({"{hi|hello|hey|hi there|hello there|good morning|good afternoon}",
             "{hi|hello|yes hi} {i have a question|i'm calling about my car|i need some help}",
             "{hi|hello} is this {name}", "is this {name}", "is this the service department",
             "{hi|hello} i'm calling about {an appointment|my appointment|a service}",
             "i have a quick question", "can you help me", "i need help with my car",
             "hi i need to bring my car in"},
            50, 2);
}

void add_hours(corpus_writer& w) {
  w.add_all({"what are your hours", "what are your hours {today|tomorrow|on {day}|this week}",
             "what are your {service|business|weekend} hours", "what are the service hours",
             "when are you open", "when are you {open|closed} {today|tomorrow|on {day}}",
             "what time do you {open|close}",
             "what time do you {open|close} {today|tomorrow|on {day}}",
             "what time does the service department {open|close}",
             "are you open {today|tomorrow|right now|now|on the weekend|on weekends}",
             "are you open on {day}", "are you open {day}", "are you open this {day}",
             "are you guys open on {day}", "are you closed on {day}",
             "how late are you open", "how late are you open {today|on {day}}",
             "how early do you open", "how early do you open on {day}",
             "do you have {weekend|saturday|evening} hours", "are you open for lunch",
             "do you close for lunch", "is the service department open on {day}",
             "what days are you open", "are you open on the weekend",
             "what are your hours on the weekend"},
            30, 2);
}

void add_location(corpus_writer& w) {
  w.add_all({"where are you located", "where are you", "what is your address",
             "what's your address", "what's the address", "what is the address",
             "where is {name}", "where is {name} located", "where is the service department",
             "how do i get there", "how do i get to {name}", "can you give me directions",
             "i need directions", "what street are you on", "what's the address of the "
             "dealership", "where is the dealership", "is there parking",
             "is that {address}", "you're at {address} right", "is it on {address}",
             "what's the closest {street|highway|intersection}", "what city are you in",
             "what's your phone number", "can you text me the address"},
            30, 2);
}

void add_services(corpus_writer& w) {
  w.add_all({"how much is {svc_a}", "how much does {svc_a} cost", "how much for {svc_a}",
             "how much do you charge for {svc_a}", "what's the price {of|for} {svc_a}",
             "what is the price {of|for} {svc_a}", "what does {svc_a} cost",
             "what's the cost of {svc_a}", "do you do {svc_a}", "do you guys do {svc_a}",
             "do you offer {svc_a}", "can you do {svc_a}", "can i get {svc_a}",
             "i need {svc_a}", "i think i need {svc_a}", "how long does {svc_a} take",
             "i'm calling about {svc_a}", "i have a question about {svc_a}",
             "i'd like a quote for {svc_a}", "i need a price on {svc_a}",
             "what's included in {svc_a}", "do i need an appointment for {svc_a}",
             "how much is the {svc}", "how much {is|does} {the|a} {svc} cost"},
            40);
  w.add_all({"what services do you {offer|have|do}", "what kind of services do you offer",
             "what do you guys do", "do you work on {make}",
             "do you service {make}", "do you fix {make}",
             "do you do {repairs|maintenance|body work}", "what are your prices",
             "how much do you charge", "do you have any specials", "do you have any coupons",
             "is there a warranty", "do you use synthetic oil", "what kind of oil do you use",
             "do you have a courtesy car", "do you have rental cars", "do you have a shuttle",
             "can i wait for my car",
             "is there a waiting room", "how long will it take", "how long does it take",
             "do i need an appointment", "can i just walk in", "do you take walk ins",
             "do you take credit cards", "is my car ready", "what's the status of my car",
             "when will my car be ready"},
            20);
}

void add_booking(corpus_writer& w) {
  w.add_all({"i'd like to book {svc_a}", "i'd like to schedule {svc_a}",
             "i want to book {svc_a}", "i want to schedule {svc_a}",
             "i need to schedule {svc_a}", "can i book {svc_a}",
             "i'd like to book {svc_a} for {date}", "can i book {svc_a} {when}",
             "i'd like to {make|book|schedule} an appointment",
             "i need to {make|book|schedule} an appointment",
             "can i {make|book|schedule} an appointment", "i want to make an appointment",
             "i'd like to make an appointment for {svc_a}",
             "can i make an appointment for {date}",
             "can i make an appointment for {date} at {clock}",
             "i'd like to schedule an appointment for {date}",
             "i'd like to come in {when}", "can i come in {when}",
             "can i come in {when} at {clock}",
             "can i bring my car in {when}", "can i bring my car in for {svc_a}",
             "can i bring it in {when} {at {clock}|}", "can i drop off my car {when}",
             "do you have anything {available|open} {when}", "do you have any openings {when}",
             "what's your {earliest|next} available appointment",
             "what's the earliest you can get me in", "when can you get me in",
             "book me for {date} {at {clock}|}", "{when} at {clock}", "{when} at {clock} works",
             "{date} {works|is fine|is good|works for me}", "{time} {works|is fine|works for me}",
             "is {clock} available", "is {date} available", "how about {date}",
             "how about {date} at {clock}", "how about {clock}", "do you have {clock}",
             "do you have anything in the {morning|afternoon}", "can i get in {when}",
             "i'd like the {first|earliest|morning|afternoon} one", "the first one",
             "the second one", "the {earlier|later} one", "{morning|afternoon} is better",
             "anything {when}", "at {clock}", "{time}", "{when}"},
            25, 1);
}

void add_changes(corpus_writer& w) {
  w.add_all({"i need to reschedule {my appointment|}", "i'd like to reschedule {my appointment|}",
             "can i reschedule {my appointment|}", "i want to reschedule {my appointment|}",
             "i have to reschedule my appointment", "reschedule my appointment",
             "can i move my appointment {to {date}|}", "i need to change my appointment",
             "can i change my appointment {to {date}|}", "can we change it to {date} {at {clock}|}",
             "can we move it to {date} {at {clock}|}",
             "i'd like to reschedule my {svc} appointment",
             "can i reschedule for {date}", "i need to reschedule for {date} {at {clock}|}",
             "i need to cancel {my appointment|}", "i want to cancel {my appointment|}",
             "i'd like to cancel {my appointment|}", "can i cancel my appointment",
             "cancel my appointment", "please cancel {it|my appointment}",
             "cancel my appointment for {date}", "i need to cancel my appointment for {date}",
             "i'd like to cancel my {svc} appointment", "i can't make it {when}",
             "i can't make my appointment", "something came up", "do i have an appointment",
             "when is my appointment", "i want to check on my appointment",
             "can you confirm my appointment", "i have an appointment {when}",
             "i have an appointment {when} at {clock}"},
            15, 2);
}

void add_people(corpus_writer& w) {
  w.add_all({"can i {talk|speak} to a {person|human|real person|service advisor|"
             "representative|mechanic|manager|technician}",
             "i want to {talk|speak} {to|with} a {person|human|real person|service advisor|"
             "representative|manager}",
             "i'd like to {talk|speak} {to|with} {a person|someone|a human|a service advisor|"
             "a representative|the manager}",
             "let me {talk|speak} to a {person|human|real person}",
             "{transfer|connect} me to a {person|representative|service advisor|human}",
             "{person|human|representative|operator|agent|service advisor} please",
             "{representative|operator|agent|a person|a human}",
             "is there someone i can talk to", "can i talk to someone", "are you a {person|robot}",
             "am i talking to a {person|robot|computer}", "i don't want to talk to a robot"},
            60, 2);
}

void add_answers(corpus_writer& w) {
  w.add_all({"yes", "no", "yeah", "yep", "nope", "okay", "sure", "correct", "right",
             "that's right", "that's correct", "yes please", "no thanks", "no thank you",
             "yes that's right", "yes that's correct", "yes it is", "no it's not",
             "that works", "that works for me", "sounds good", "perfect", "great",
             "alright", "all right", "of course", "absolutely", "definitely", "not really",
             "no that's wrong", "that's not right", "that's wrong", "i don't know",
             "i'm not sure", "maybe", "not yet", "yes i do", "no i don't", "yes i am",
             "no i'm not", "go ahead", "please", "hold on", "one second", "wait",
             "sorry", "what", "can you repeat that", "say that again", "i didn't catch that",
             "okay thanks", "okay great", "yes sir", "no sir", "yes ma'am", "exactly",
             "that's fine", "ok", "uh huh", "yes that works", "no that doesn't work"},
            10, 6);
  w.add_all({"thank you", "thanks", "thanks a lot", "thank you very much", "thank you so much",
             "goodbye", "bye", "bye bye", "have a nice day", "have a good day", "that's all",
             "that's it", "that's all i needed", "nothing else", "no that's all thank you",
             "that's everything", "no that's it", "thanks bye", "okay bye", "you too",
             "thank you goodbye", "great thank you", "perfect thank you", "thanks for your help"},
            10, 4);
}

/// What a customer says when the shop calls them (reminders and follow-ups).
void add_outbound(corpus_writer& w) {
  w.add_all({"speaking", "yes speaking", "this is she", "this is he", "yes it's me", "it's me", "that's me",
             "yes this is {first}", "who's calling", "who is this", "{she's|he's} not here",
             "{she's|he's} not home", "you have the wrong number", "wrong number", "no this is not {first}",
             "yes i'll be there", "i'll be there", "i can make it", "yes i can make it", "i can't make it",
             "i need to reschedule", "i need to reschedule it", "can we move it", "can i move it to another day",
             "please cancel it", "i want to cancel it", "cancel it please", "leave it as it is", "just leave it",
             "keep it", "stop calling me", "please stop calling me", "don't call me again",
             "please don't call me anymore", "take me off your list", "remove me from your list",
             "i don't want these calls", "no more calls please", "do not call me"},
            20, 4);
  w.add_all({"{one|two|three|four|five}", "a {one|two|three|four|five}",
             "i'd give it a {one|two|three|four|five}", "{one|two|three|four|five} out of five",
             "{one|two|three|four|five} stars", "it was {great|fine|good|terrible|excellent|okay}",
             "the service was {great|quick|fine|slow|excellent}", "everyone was friendly",
             "the service was quick and everyone was friendly", "the staff were really friendly",
             "the car is running great", "no complaints", "everything was great", "it took too long",
             "there's still a noise from the {brakes|front wheel|engine}",
             "there is a noise from the {brakes|front wheel|engine}", "the check engine light is back on",
             "nothing", "nothing else", "no that's all"},
            20, 4);
}

void add_names(corpus_writer& w) {
  w.add_all({"my name is {first} {last}", "my name is {first}", "this is {first} {last}",
             "it's {first} {last}", "{first} {last}", "i'm {first} {last}", "i'm {first}",
             "my first name is {first}", "my last name is {last}", "last name {last}",
             "the last name is {last}", "it's under {first} {last}", "under {last}",
             "the appointment is under {first} {last}", "{first}", "{last}",
             "yes this is {first}", "hi this is {first} {last}"},
            60, 1);
}

void add_numbers(corpus_writer& w) {
  w.add_all({"my {phone|} number is {digits}", "my phone number is {digits}", "{digits}",
             "it's {digits}", "you can reach me at {digits}", "call me {back|} at {digits}",
             "my cell is {digits}", "the number is {digits}", "{digit} {digit} {digit}",
             "{digit} {digit} {digit} {digit}", "my zip code is {digit} {digit} {digit} {digit} "
             "{digit}", "the last four digits are {digit} {digit} {digit} {digit}",
             "this number", "the number i'm calling from", "you can use this number"},
            60, 1);
}

void add_vehicles(corpus_writer& w) {
  w.add_all({"it's a {year} {vehicle}", "i have a {year} {vehicle}", "a {year} {vehicle}",
             "{year} {vehicle}", "it's a {vehicle}", "i have a {vehicle}", "i drive a {vehicle}",
             "my car is a {year} {vehicle}", "the car is a {year} {vehicle}",
             "it's a {year} {make}", "a {make}", "it's a {make}", "{make}",
             "my {vehicle} needs {svc_a}", "i need {svc_a} for my {vehicle}",
             "i need {svc_a} for my {year} {vehicle}", "i have a {make} {truck|suv|car|van}",
             "it's a {make} {truck|suv}", "it's a {year}", "the year is {year}", "{year}",
             "i'd like to bring in my {year} {vehicle} for {svc_a}"},
            40, 1);
}

void add_dates_and_mileage(corpus_writer& w) {
  w.add_all({"{when}", "{when} {in the morning|in the afternoon|}", "{when} at {clock}",
             "{when} around {clock}", "{time} {when}", "how about {date}",
             "next {day} at {clock}", "{day} at {clock}", "this {day} at {clock}",
             "{month} {the|} {digit}", "i'm free {when}", "i can do {when}",
             "i can come in {when}", "i can do {clock}", "any time {when}"},
            60);
  w.add_all({"it has {about|around|} {thousand} thousand miles {on it|}",
             "{about|around|} {thousand} thousand miles", "the mileage is {about|} {thousand} "
             "thousand", "it's got {about|} {thousand} thousand miles on it",
"i don't know the mileage",
             "it's at {thousand} thousand", "it's due for the {thousand} thousand mile service"},
            30);
  w.add("{problem}", 100, 2);
  w.add("{hi|yes|} {problem}", 100);
  w.add("{problem} can i bring it in {when}", 30);
  w.add("{problem} and i need {svc_a}", 30);
}

} // namespace

void add_conversation_sentences(corpus_writer& w) {
  add_greetings(w);
  add_hours(w);
  add_location(w);
  add_services(w);
  add_booking(w);
  add_changes(w);
  add_people(w);
  add_answers(w);
  add_outbound(w);
}

void add_details_sentences(corpus_writer& w) {
  add_names(w);
  add_numbers(w);
  add_vehicles(w);
  add_dates_and_mileage(w);
}

} // namespace ce::stt
