// provider_runtime: the engine's one asio io_context for the cloud provider clients
// (OpenAI, Deepgram), run by a few threads of its own. CAF scheduler threads never block
// on provider I/O: a client's callbacks run on these threads and turn into actor messages.
//
// Owned by the engine (engine_services::providers); every call's provider actors share it.
// stop() (also run by the destructor) ends the threads after the clients are gone: a
// client handle destroyed first cancels its streams, and no callback runs afterwards.
// Free of Asio in this header; the io_context is forward-declared.
#pragma once

#include <memory>

namespace boost::asio {
class io_context;
}

namespace ce::actors {

class provider_runtime {
public:
  /// Starts `threads` threads running the io_context. 0: none; whoever runs io() (the
  /// network server, see runtime.provider_threads) drives the clients.
  explicit provider_runtime(int threads);
  ~provider_runtime();
  provider_runtime(const provider_runtime&) = delete;
  provider_runtime& operator=(const provider_runtime&) = delete;

  boost::asio::io_context& io();
  int threads() const;
  /// Stops the io_context and joins its threads (idempotent; not from one of them).
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace ce::actors
