// io_floor: what this machine's kernel charges for the inbound half of a call's audio,
// with no engine around it. A sender thread plays N Twilio lines (one ~300-byte message
// per line every 20 ms, spread over 5 ms ticks like bench/load/load_gen) over loopback TCP;
// a receiver thread does what the leanest edge could do: epoll_wait, then one recv per
// ready socket (and, with --drain, a second recv to see EAGAIN, as an edge-triggered reader
// must). It prints the receiver's CPU per message and per call-second, and its context
// switches, and the sender's CPU per message (what one send costs on loopback, where the
// sender also runs the receiving side's TCP input), for comparison with the engine's
// figures in bench/RESULTS.md.
//
//   io_floor [--calls 600] [--seconds 10] [--drain] [--tick-us 0]
//
// --tick-us T: the receiver polls (epoll_wait with timeout 0) then sleeps T µs, instead of
// blocking until the next message.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct usage {
  double user = 0, sys = 0;
  long vol = 0, invol = 0;
};

usage thread_usage() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return {static_cast<double>(u.ru_utime.tv_sec) + static_cast<double>(u.ru_utime.tv_usec) * 1e-6,
          static_cast<double>(u.ru_stime.tv_sec) + static_cast<double>(u.ru_stime.tv_usec) * 1e-6, u.ru_nvcsw,
          u.ru_nivcsw};
}

int fail(const char* what) {
  std::perror(what);
  return 1;
}

} // namespace

int main(int argc, char** argv) {
  int calls = 600;
  int seconds = 10;
  bool drain = false;
  int tick_us = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--calls" && i + 1 < argc) calls = std::atoi(argv[++i]);
    else if (a == "--seconds" && i + 1 < argc) seconds = std::atoi(argv[++i]);
    else if (a == "--drain") drain = true;
    else if (a == "--tick-us" && i + 1 < argc) tick_us = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: io_floor [--calls N] [--seconds S] [--drain] [--tick-us T]\n");
      return 64;
    }
  }
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail("bind");
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  listen(listener, 4096);
  std::vector<int> out(static_cast<std::size_t>(calls)), in(static_cast<std::size_t>(calls));
  for (int i = 0; i < calls; ++i) {
    out[static_cast<std::size_t>(i)] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(out[static_cast<std::size_t>(i)], reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      return fail("connect");
    in[static_cast<std::size_t>(i)] = accept(listener, nullptr, nullptr);
    int one = 1;
    setsockopt(out[static_cast<std::size_t>(i)], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  const std::string msg(300, 'x');  // about a Twilio media message
  std::atomic<bool> stop{false};
  std::atomic<long> received{0};
  usage recv_use{};
  std::thread receiver([&] {
    int ep = epoll_create1(0);
    for (int fd : in) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLET;
      ev.data.fd = fd;
      epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    }
    std::vector<epoll_event> evs(256);
    char buf[4096];
    const auto u0 = thread_usage();
    long n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      int k = epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), tick_us > 0 ? 0 : 100);
      for (int j = 0; j < k; ++j) {
        ssize_t r = recv(evs[static_cast<std::size_t>(j)].data.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0) n += r / 300;
        if (drain) recv(evs[static_cast<std::size_t>(j)].data.fd, buf, sizeof buf, MSG_DONTWAIT);
      }
      if (tick_us > 0 && k == 0) std::this_thread::sleep_for(std::chrono::microseconds(tick_us));
    }
    const auto u1 = thread_usage();
    recv_use = {u1.user - u0.user, u1.sys - u0.sys, u1.vol - u0.vol, u1.invol - u0.invol};
    received = n;
    close(ep);
  });
  // sender: every 5 ms tick, a quarter of the lines send (each line every 20 ms)
  const auto s0 = thread_usage();
  auto next = std::chrono::steady_clock::now();
  const auto end = next + std::chrono::seconds(seconds);
  int slot = 0;
  while (std::chrono::steady_clock::now() < end) {
    for (int i = slot; i < calls; i += 4) send(out[static_cast<std::size_t>(i)], msg.data(), msg.size(), MSG_NOSIGNAL);
    slot = (slot + 1) % 4;
    next += std::chrono::milliseconds(5);
    std::this_thread::sleep_until(next);
  }
  const auto s1 = thread_usage();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  stop = true;
  receiver.join();
  const double msgs = static_cast<double>(received.load());
  const double cpu = recv_use.user + recv_use.sys;
  std::printf("io_floor: %d lines, %d s, %.0f messages received%s%s\n", calls, seconds, msgs,
              drain ? ", a second (empty) recv per ready socket" : "",
              tick_us > 0 ? (", polling every " + std::to_string(tick_us) + " us").c_str() : "");
  std::printf("  receiver CPU %.3f s (user %.3f, kernel %.3f): %.2f us per message, %.0f us per call-second "
              "(= %.4f CPU-s per call-minute)\n",
              cpu, recv_use.user, recv_use.sys, cpu / msgs * 1e6, cpu / (calls * seconds) * 1e6,
              cpu / (calls * seconds) * 60);
  std::printf("  receiver context switches: %.0f voluntary/s, %.0f involuntary/s\n",
              static_cast<double>(recv_use.vol) / seconds, static_cast<double>(recv_use.invol) / seconds);
  const double sent_cpu = (s1.user - s0.user) + (s1.sys - s0.sys);
  std::printf("  sender CPU %.3f s: %.2f us per message sent (a send on loopback also runs the receiving side's "
              "TCP input and wakes the receiver)\n",
              sent_cpu, sent_cpu / msgs * 1e6);
  for (int fd : out) close(fd);
  for (int fd : in) close(fd);
  close(listener);
  return 0;
}
