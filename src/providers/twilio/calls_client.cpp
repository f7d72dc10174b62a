#include "providers/twilio/calls_client.hpp"

#include "common/base64.hpp"
#include "providers/http/http_exchange.hpp"
#include "providers/http/tls.hpp"
#include "providers/http/url.hpp"
#include "twilio/signature.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace ce::twilio_rest {

std::vector<std::pair<std::string, std::string>> create_form(const outbound_call& c) {
  std::vector<std::pair<std::string, std::string>> f{{"To", c.to}, {"From", c.from}, {"Url", c.url},
                                                     {"Method", "POST"}, {"Timeout", std::to_string(c.timeout_s)}};
  if (!c.status_callback.empty()) {
    f.emplace_back("StatusCallback", c.status_callback);
    f.emplace_back("StatusCallbackMethod", "POST");
    for (const char* e : {"initiated", "ringing", "answered", "completed"}) f.emplace_back("StatusCallbackEvent", e);
  }
  if (!c.amd_callback.empty()) {
    f.emplace_back("MachineDetection", "DetectMessageEnd");
    f.emplace_back("AsyncAmd", "true");
    f.emplace_back("AsyncAmdStatusCallback", c.amd_callback);
    f.emplace_back("AsyncAmdStatusCallbackMethod", "POST");
  }
  return f;
}

http::result<created_call> read_create_answer(int status, std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (status == 201 || status == 200) {
    if (!j.is_object() || !j.contains("sid") || !j["sid"].is_string())
      return http::make_error(http::provider_errc::protocol_violation, "Twilio's answer has no call sid");
    created_call c;
    c.sid = j["sid"].get<std::string>();
    if (j.contains("status") && j["status"].is_string()) c.status = j["status"].get<std::string>();
    if (j.contains("answered_by") && j["answered_by"].is_string()) c.answered_by = j["answered_by"].get<std::string>();
    return c;
  }
  std::string code, message = "Twilio answered " + std::to_string(status);
  if (j.is_object()) {
    if (j.contains("code") && j["code"].is_number_integer()) code = std::to_string(j["code"].get<long>());
    if (j.contains("message") && j["message"].is_string()) message = j["message"].get<std::string>();
  }
  auto e = http::classify_http(status, code, message);
  e.http_status = status;
  return e;
}

struct calls_client::impl : std::enable_shared_from_this<impl> {
  boost::asio::io_context& io;
  calls_options opt;
  std::optional<http::url> base;
  std::shared_ptr<boost::asio::ssl::context> tls;
  bool stopped = false;

  impl(boost::asio::io_context& i, calls_options o) : io(i), opt(std::move(o)), base(http::parse_url(opt.api_base)) {
    if (base && base->secure()) tls = http::client_tls_context();
  }

  std::optional<http::provider_error> unusable() const {
    if (stopped) return http::make_error(http::provider_errc::cancelled, "client stopped");
    if (!base) return http::make_error(http::provider_errc::bad_request, "twilio api_base is not a URL");
    if (opt.account_sid.empty() || opt.auth_token.empty())
      return http::make_error(http::provider_errc::unauthenticated, "no Twilio account SID or auth token");
    return std::nullopt;
  }

  http::http_request_spec request(http::bhttp::verb method, const std::string& path) const {
    http::http_request_spec spec;
    spec.method = method;
    spec.endpoint = *base;
    spec.target = base->target("/2010-04-01/Accounts/" + opt.account_sid + path);
    const std::string credentials = opt.account_sid + ":" + opt.auth_token;
    spec.headers = {
      {"Authorization",
       "Basic " + base64_encode(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(credentials.data()),
                                                              credentials.size()))},
      {"Accept", "application/json"}};
    return spec;
  }

  void place(outbound_call call, std::function<void(http::result<created_call>)> done) {
    if (auto e = unusable()) return done(std::move(*e));
    auto spec = request(http::bhttp::verb::post, "/Calls.json");
    spec.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    spec.body = twilio::form_urlencode(create_form(call));
    send(std::move(spec), std::move(done));
  }

  void fetch(const std::string& call_sid, std::function<void(http::result<created_call>)> done) {
    if (auto e = unusable()) return done(std::move(*e));
    // a SID goes into the path: letters and digits only
    if (call_sid.empty() || call_sid.size() > 64 ||
        !std::all_of(call_sid.begin(), call_sid.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
      return done(http::make_error(http::provider_errc::bad_request, "not a call SID"));
    send(request(http::bhttp::verb::get, "/Calls/" + call_sid + ".json"), std::move(done));
  }

  void send(http::http_request_spec spec, std::function<void(http::result<created_call>)> done) {
    http::http_timeouts t;
    t.connect = opt.connect_timeout;
    t.first_byte = opt.answer_timeout;
    t.idle = opt.answer_timeout;
    http::buffered_request(io.get_executor(), tls, std::move(spec), t, 64 * 1024,
                           [done = std::move(done)](std::optional<http::provider_error> err,
                                                    http::buffered_response r) {
                             // a non-2xx answer with a body is Twilio's error, read like any answer
                             if (err && r.head.status == 0) return done(std::move(*err));
                             done(read_create_answer(r.head.status, r.body));
                           });
  }
};

calls_client::calls_client(boost::asio::io_context& io, calls_options options)
  : impl_(std::make_shared<impl>(io, std::move(options))) {}

calls_client::~calls_client() {
  boost::asio::post(impl_->io, [i = impl_] { i->stopped = true; });
}

void calls_client::place(outbound_call call, std::function<void(http::result<created_call>)> done) {
  boost::asio::post(impl_->io, [i = impl_, call = std::move(call), done = std::move(done)]() mutable {
    i->place(std::move(call), std::move(done));
  });
}

void calls_client::fetch(std::string call_sid, std::function<void(http::result<created_call>)> done) {
  boost::asio::post(impl_->io, [i = impl_, sid = std::move(call_sid), done = std::move(done)]() mutable {
    i->fetch(sid, std::move(done));
  });
}

} // namespace ce::twilio_rest
