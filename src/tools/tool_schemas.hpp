// The tools of docs/tools.md described for an LLM: the OpenAI Chat Completions `tools`
// array (type "function", name, description, JSON-Schema parameters). A function is marked
// `strict` only when every one of its properties is required (OpenAI's strict mode needs
// that, with additionalProperties false).
#pragma once

#include "callengine/config.hpp"

#include <string>
#include <vector>

namespace ce::tools {

/// The `tools` array as JSON text; service_type is a free string described by example.
std::string tool_definitions_json();
/// The same, with service_type limited to the dealership's service ids (an enum) and the
/// services named in the descriptions. What the LLM should be given.
std::string tool_definitions_json(const dealership_facts& facts);

/// tool_definitions_json(facts) plus the tools of a call the shop placed (reminders and
/// follow-ups): what the model gets on those calls.
std::string outbound_tool_definitions_json(const dealership_facts& facts);
std::vector<std::string> outbound_tool_names();

/// Every tool execute() knows for an inbound call, in the order of docs/tools.md.
std::vector<std::string> tool_names();

} // namespace ce::tools
