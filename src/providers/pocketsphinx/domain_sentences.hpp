// The sentence templates of the domain corpus, by topic. Slots they use (filled by
// domain_corpus.cpp): day, month, date, time, year, first, last, digits, digit, name,
// address, svc_a, svc, make, vehicle, thousand, problem.
#pragma once

#include "providers/pocketsphinx/phrase_template.hpp"

namespace ce::stt {

/// Greetings, hours, location, services and prices, booking, rescheduling, cancelling,
/// asking for a person, short answers, thanks and goodbyes.
void add_conversation_sentences(corpus_writer& w);

/// Names, phone numbers, vehicles, dates and times, mileage, problems with the car.
void add_details_sentences(corpus_writer& w);

} // namespace ce::stt
