// lookup_customer, verify_customer, create_customer: finding who is calling, letting them
// prove it, and registering a new caller.
#include "store/phone.hpp"
#include "store/vin.hpp"
#include "tools/spoken_date.hpp"
#include "tools/tool_impl.hpp"

#include <array>
#include <cctype>

namespace ce::tools {

namespace {

constexpr std::string_view withheld_caller_id =
  "The caller ID is withheld: ask the caller for their phone number and pass it as 'phone'";

json verification_methods(const caller_context& ctx) {
  auto methods = json::array();
  if (ctx.has_date_of_birth) methods.push_back("date_of_birth");
  if (ctx.has_zip) methods.push_back("zip");
  methods.push_back("vin_last6");
  return methods;
}

checked<std::string> phone_argument(const caller_context& ctx, const std::optional<std::string>& given) {
  if (!given) {
    if (auto id = caller_id(ctx)) return *id;
    return fail(tool_errc::invalid_argument, withheld_caller_id);
  }
  auto e164 = store::normalize_phone(*given);
  if (!e164) return fail(tool_errc::invalid_argument, "Argument 'phone': " + e164.error().message);
  return *e164;
}

// "six two seven oh four" -> "62704"; text with anything but digits and digit words is kept.
std::string spoken_digits(std::string_view text) {
  static constexpr std::array<std::string_view, 10> words = {"zero", "one", "two",   "three", "four",
                                                             "five", "six", "seven", "eight", "nine"};
  std::string digits, word;
  bool ok = true;
  auto flush = [&] {
    if (word.empty()) return;
    if (word == "oh" || word == "o") digits.push_back('0');
    else {
      std::size_t i = 0;
      while (i < words.size() && words[i] != word) ++i;
      if (i == words.size()) ok = false;
      else digits.push_back(static_cast<char>('0' + i));
    }
    word.clear();
  };
  for (char ch : text) {
    if (std::isalpha(static_cast<unsigned char>(ch))) word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    else {
      flush();
      if (std::isdigit(static_cast<unsigned char>(ch))) digits.push_back(ch);
    }
  }
  flush();
  return ok ? digits : std::string{text};
}

struct verify_answer {
  store::verify_method method;
  std::string value;
};

checked<verify_answer> read_answer(const caller_context& ctx, std::string_view method, const std::string& value) {
  if (method == "date_of_birth") {
    auto dob = parse_spoken_date(value);
    if (!dob)
      return fail(tool_errc::invalid_argument, "Could not read '" + value +
                                                 "' as a date of birth: pass it as YYYY-MM-DD, e.g. 1985-03-04");
    if (!ctx.has_date_of_birth)
      return fail(tool_errc::invalid_argument,
                  "There is no date of birth on file for this customer: verify with zip or vin_last6 instead");
    return verify_answer{store::verify_method::date_of_birth, *dob};
  }
  if (method == "zip") {
    auto zip = spoken_digits(value);
    if (zip.size() != 5 && zip.size() != 9)
      return fail(tool_errc::invalid_argument, "A ZIP code has 5 digits, and '" + value + "' is not one");
    if (!ctx.has_zip)
      return fail(tool_errc::invalid_argument,
                  "There is no ZIP code on file for this customer: verify with date_of_birth or vin_last6 instead");
    return verify_answer{store::verify_method::zip, zip};
  }
  if (method == "vin_last6") {
    auto last6 = store::normalize_vin(value);
    bool alnum = !last6.empty();
    for (char ch : last6) alnum = alnum && std::isalnum(static_cast<unsigned char>(ch));
    if (last6.size() != 6 || !alnum)
      return fail(tool_errc::invalid_argument, "The last 6 characters of the VIN are needed, and '" + value +
                                                 "' is not 6 letters and digits");
    return verify_answer{store::verify_method::vin_last6, last6};
  }
  return fail(tool_errc::invalid_argument,
              "Unknown verification method '" + std::string{method} + "'; use date_of_birth, zip or vin_last6");
}

json verified_json(const caller_context& ctx) {
  json j{{"ok", true}, {"verified", ctx.verified}, {"attempts_left", ctx.attempts_left()}};
  if (ctx.verified)
    j["customer"] = json{{"id", *ctx.customer_id}, {"first_name", ctx.first_name}, {"last_name", ctx.last_name}};
  return j;
}

// The customer verify_customer is about: the one looked up, else the caller ID's.
std::optional<tool_error> ensure_customer(tool_call& c) {
  if (c.ctx.customer_id) return std::nullopt;
  auto none = fail(tool_errc::not_found, "No customer is selected: look the caller up by phone number first "
                                         "(lookup_customer), or create a record for a new customer");
  auto id = caller_id(c.ctx);
  if (!id) return none;
  auto found = customer_by_phone(c, *id);
  if (!found) return found.error();
  if (!*found) return none;
  select_customer(c.ctx, **found);
  return std::nullopt;
}

} // namespace

tool_result lookup_customer(tool_call& c) {
  auto given = opt_string(c.args, "phone");
  if (!given) return given.error();
  auto phone = phone_argument(c.ctx, *given);
  if (!phone) return phone.error();
  if (c.ctx.verified && *phone != c.ctx.customer_phone)
    return fail(tool_errc::forbidden, "That phone number is not the verified caller's; only their own records can "
                                      "be looked up in this call");
  auto found = customer_by_phone(c, *phone);
  if (!found) return found.error();
  if (!*found) {
    if (!c.ctx.verified) forget_customer(c.ctx);
    return json{{"ok", true}, {"found", false}, {"verified", false}};
  }
  select_customer(c.ctx, **found);
  return json{{"ok", true},
              {"found", true},
              {"customer", {{"id", (*found)->id}, {"first_name", (*found)->first_name}}},
              {"verified", c.ctx.verified},
              {"verification_methods", verification_methods(c.ctx)}};
}

tool_result verify_customer(tool_call& c) {
  auto method = need_string(c.args, "method");
  if (!method) return method.error();
  auto value = need_string(c.args, "value");
  if (!value) return value.error();
  if (c.ctx.verify_attempts >= max_verify_attempts && !c.ctx.verified)
    return fail(tool_errc::too_many_attempts, "Verification failed " + std::to_string(max_verify_attempts) +
                                                " times in this call; offer to transfer the caller to a person");
  if (auto e = ensure_customer(c)) return *e;
  if (c.ctx.verified) return verified_json(c.ctx);
  auto answer = read_answer(c.ctx, *method, *value);
  if (!answer) return answer.error();
  auto match = c.env.store.verify_customer(*c.ctx.customer_id, answer->method, answer->value);
  if (!match) return from_store(match.error());
  if (*match) c.ctx.verified = true;
  else ++c.ctx.verify_attempts;
  return verified_json(c.ctx);
}

tool_result create_customer(tool_call& c) {
  auto first = need_string(c.args, "first_name");
  if (!first) return first.error();
  auto last = need_string(c.args, "last_name");
  if (!last) return last.error();
  auto given_phone = opt_string(c.args, "phone");
  if (!given_phone) return given_phone.error();
  auto zip = opt_string(c.args, "zip");
  if (!zip) return zip.error();
  auto dob_text = opt_string(c.args, "date_of_birth");
  if (!dob_text) return dob_text.error();
  auto email = opt_string(c.args, "email");
  if (!email) return email.error();

  auto phone = phone_argument(c.ctx, *given_phone);
  if (!phone) return phone.error();
  std::optional<std::string> dob;
  if (*dob_text) {
    dob = parse_spoken_date(**dob_text);
    if (!dob)
      return fail(tool_errc::invalid_argument, "Could not read '" + **dob_text +
                                                 "' as a date of birth: pass it as YYYY-MM-DD, e.g. 1985-03-04");
  }
  auto caller = caller_id(c.ctx);
  if (caller && *phone != *caller)
    return fail(tool_errc::forbidden, "Only the number the caller is calling from can be registered in this call");
  if (c.ctx.verified)
    return fail(tool_errc::forbidden, "This call is already about a verified customer; a second customer cannot be "
                                      "created in it");

  store::customer rec;
  rec.first_name = *first;
  rec.last_name = *last;
  rec.phone = *phone;
  rec.zip = zip->value_or("");
  rec.date_of_birth = dob.value_or("");
  rec.email = email->value_or("");
  auto made = c.env.store.create_customer(rec);
  if (!made) {
    if (made.code() == store::store_errc::conflict)
      return fail(tool_errc::conflict, "A customer with this phone number already exists: look them up "
                                       "(lookup_customer) and verify them instead");
    return from_store(made.error());
  }
  invalidate_customer(c, made->phone);
  select_customer(c.ctx, *made);
  c.ctx.verified = true;
  return json{{"ok", true},
              {"customer", {{"id", made->id}, {"first_name", made->first_name}, {"last_name", made->last_name}}},
              {"verified", true}};
}

} // namespace ce::tools
