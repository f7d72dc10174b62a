// Deepgram live STT mock: WebSocket `/v1/listen` (protocols.md §5, §9.3).
//
// Handshake: an `Authorization: Token|Bearer` header (or the `token, <key>` subprotocol)
// is required (401 with dg-error/dg-request-id otherwise); `encoding` (mulaw) and
// `sample_rate` are required (400); boolean options must be true/false. Faults matching
// "stt.connect" apply here (status, delay; drop/stall with "at":"connect").
//
// Stream: binary frames are mu-law audio heard by `stt_transcriber`; text frames are
// KeepAlive, Finalize and CloseStream. An empty binary frame or JSON sent as binary closes
// 1008 DATA-0000; `idle_timeout_ms` without a frame (audio first: KeepAlive alone does not
// count before any audio) closes 1011 NET-0001. Drop/stall faults matching "stt.speech"
// are drawn at every utterance onset and fire `after` audio ms into it. Finals can be
// held back `final_delay_ms` of wall time (later messages wait behind them).
#pragma once

#include "mocks/http_core.hpp"

#include <memory>
#include <string>
#include <unordered_map>

namespace ce::mocks {

class stt_service {
public:
  explicit stt_service(mock_context& ctx);

  /// Handles a WebSocket upgrade to `/v1/listen` (on the connection's strand).
  void accept(http_request&& req, const connection_ptr& conn);
  /// Starts the idle sweep; `shutdown` stops it (before the io_context goes away).
  void start();
  void shutdown();
  std::size_t disconnect_all() { return sessions_.kill_all(); }
  std::size_t open_sessions() const { return sessions_.size(); }
  /// Forgets the shared script cursors.
  void reset();

  mock_context& ctx() { return ctx_; }
  session_registry& sessions() { return sessions_; }
  /// The line for a connection's `index`th utterance: with a script key value, the
  /// cursor shared by every connection carrying that value moves instead.
  script_line line_for(const std::string& key_value, std::size_t index, const stt_config& cfg);

private:
  void do_sweep();

  mock_context& ctx_;
  session_registry sessions_;
  std::unique_ptr<asio::steady_timer> sweep_timer_;
  std::mutex cursor_mutex_;
  std::unordered_map<std::string, std::size_t> cursors_;
};

} // namespace ce::mocks
