// Private to ce_google: Calendar JSON <-> calendar_types, and Google's error body.
#pragma once

#include "providers/google/calendar_types.hpp"
#include "providers/http/provider_error.hpp"

#include <nlohmann/json.hpp>

namespace ce::google {

nlohmann::json event_to_json(const calendar_event& e);
nlohmann::json patch_to_json(const event_patch& p);
calendar_event event_from_json(const nlohmann::json& j);
nlohmann::json free_busy_to_json(const free_busy_query& q);
free_busy_result free_busy_from_json(const nlohmann::json& j);

/// A Calendar API error ({"error":{"code","message","errors":[{"reason"}],"status"}}),
/// classified (403 rateLimitExceeded -> rate_limited, …), with Retry-After.
http::provider_error calendar_http_error(int status, std::string_view body, std::string_view retry_after);
/// An OAuth token endpoint error ({"error","error_description"}).
http::provider_error oauth_http_error(int status, std::string_view body, std::string_view retry_after);

} // namespace ce::google
