#include "runtime/ucx/waiter.hpp"

#include <poll.h>

#include <cerrno>
#include <string>

#include "runtime/common/error.hpp"
#include "runtime/ucx/wait_policy.hpp"

namespace ferry::ucx {

WaitMode parse_wait_mode(std::string_view text) {
  if (text == "hot") return WaitMode::hot;
  if (text == "warm") return WaitMode::warm;
  if (text == "adaptive") return WaitMode::adaptive;
  if (text == "auto") return WaitMode::automatic;
  throw Error(Errc::invalid_argument,
              "unknown waiting mode '" + std::string(text) + "' (expected hot, warm, adaptive or auto)");
}

std::string_view wait_mode_name(WaitMode mode) noexcept {
  switch (mode) {
    case WaitMode::hot: return "hot";
    case WaitMode::warm: return "warm";
    case WaitMode::adaptive: return "adaptive";
    case WaitMode::automatic: return "auto";
  }
  return "unknown";
}

Waiter::Waiter(Worker& worker, WaitMode mode, Worker* secondary, bool shared_cores)
    : worker_(worker), secondary_(secondary), mode_(mode), budget_(shared_cores) {
  if (mode == WaitMode::automatic) {
    const WaitChoice choice = choose_wait(mode, observe_core_share());
    set_mode(choice.mode, choice.shared_cores);
  }
}

bool Waiter::arm() { return worker_.arm() && (secondary_ == nullptr || secondary_->arm()); }

void Waiter::sleep_on_events(int timeout_ms) {
  pollfd descriptors[2] = {{worker_.event_fd(), POLLIN, 0}, {secondary_ ? secondary_->event_fd() : -1, POLLIN, 0}};
  if (::poll(descriptors, secondary_ ? 2 : 1, timeout_ms) < 0 && errno != EINTR) {
    throw_system_error("poll on UCX worker event fd");
  }
}

}  // namespace ferry::ucx
