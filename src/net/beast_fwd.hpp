// Private to src/net: the Beast/Asio names the edge uses.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace ce::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

/// Every connection lives on one shard (runtime/shards.hpp): an io_context run by one
/// thread, so its sockets and timers use that io_context's executor directly (no strand,
/// no type-erased executor per operation).
using executor = asio::io_context::executor_type;
using socket_type = asio::basic_stream_socket<tcp, executor>;
using tcp_stream = beast::basic_stream<tcp, executor>;
using steady_timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                                asio::wait_traits<std::chrono::steady_clock>, executor>;

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

} // namespace ce::net
