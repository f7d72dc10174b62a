// Small HTTP helpers for the simulated Twilio side (not engine code).
#pragma once

#include "sim/caller.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <string>

namespace ce::sim {

struct url_parts {
  std::string scheme;
  std::string host;
  std::string port;
  std::string target;  ///< path and query, at least "/"
};

/// Splits scheme://host[:port]/target. False when the URL has no scheme or host.
bool split_url(const std::string& url, url_parts& out);

/// Asynchronous POST of a form, for use on a call's io_context.
void async_post_form(boost::asio::io_context& ioc, const std::string& url,
                     const std::vector<std::pair<std::string, std::string>>& form, const std::string& signature,
                     std::function<void(http_reply)> done);

} // namespace ce::sim
