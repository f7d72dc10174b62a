#include "actors/provider_runtime.hpp"

#include "common/log.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

namespace ce::actors {

struct provider_runtime::impl {
  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
  std::vector<std::thread> threads;
};

provider_runtime::provider_runtime(int threads) : impl_(std::make_unique<impl>()) {
  impl_->guard.emplace(impl_->io.get_executor());
  for (int i = 0; i < threads; ++i)
    impl_->threads.emplace_back([io = &impl_->io] {
      // a throwing handler must not take the process down: log it and keep running
      for (;;) {
        try {
          io->run();
          return;
        } catch (const std::exception& e) {
          log::get("providers")->error("provider I/O handler threw: {}", e.what());
        } catch (...) {
          log::get("providers")->error("provider I/O handler threw a non-standard exception");
        }
      }
    });
}

provider_runtime::~provider_runtime() { stop(); }

boost::asio::io_context& provider_runtime::io() { return impl_->io; }

int provider_runtime::threads() const { return static_cast<int>(impl_->threads.size()); }

void provider_runtime::stop() {
  if (impl_->threads.empty()) return;
  impl_->guard.reset();
  impl_->io.stop();
  for (auto& t : impl_->threads) {
    if (!t.joinable()) continue;
    if (t.get_id() == std::this_thread::get_id()) t.detach();  // the last owner let go on an I/O thread
    else t.join();
  }
  impl_->threads.clear();
}

} // namespace ce::actors
