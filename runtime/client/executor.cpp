// Executor, Future and Program: the handles of things a client started on a spawner.
#include <cstring>

#include "runtime/client/client.hpp"
#include "runtime/client/session.hpp"
#include "runtime/common/log.hpp"
#include "runtime/ucx/request.hpp"

namespace ferry {

namespace {
// Returns once the process has exited (or the timeout passed), so that its cores are
// free again when an Executor or Program handle is gone.
void stop_remote(client::Session& session, client::ExecutorState& state, const char* why) {
  session.bury(state, why);
  const bool running = !state.exit && state.spawner != nullptr;
  if (running) session.channel().send(state.spawner, wire::KillExecutor{state.executor_id});
  state.threads.clear();
  state.one_sided_threads.clear();
  state.control.reset();
  if (running) {
    try {
      session.wait_for([&] { return state.exit.has_value() || state.spawner_lost; }, "stopping an executor");
    } catch (const Error& error) {
      spdlog::warn("executor {}: {}", state.executor_id, error.what());
    }
  }
  session.untrack(state);
}

Error invocation_error(const client::ExecutorState& state, uint32_t function, int64_t result) {
  const std::string name = function < state.functions.size() ? state.functions[function] : "?";
  switch (result) {
    case wire::result_executor_dead:
      return Error(Errc::executor_dead, "the executor is dead: " + state.death_reason);
    case wire::result_bad_function:
      return Error(Errc::invalid_argument, "the executor has no function " + std::to_string(function));
    case wire::result_output_overflow:
      return Error(Errc::invalid_argument, "function '" + name + "' wrote more than the output capacity");
    case wire::result_bad_request:
      return Error(Errc::transport, "invocation of '" + name + "' could not be delivered");
    case wire::result_no_memory:
      return Error(Errc::no_resources,
                   "the executor has no memory for the input or output of '" + name + "' within its lease");
    default:
      return Error(Errc::function_failed, "function '" + name + "' returned " + std::to_string(result));
  }
}
}  // namespace

// ---------------------------------------------------------------- Executor

Executor::Executor(std::shared_ptr<client::Session> session, std::shared_ptr<client::ExecutorState> state)
    : session_(std::move(session)), state_(std::move(state)) {}

Executor::Executor(Executor&&) noexcept = default;

Executor& Executor::operator=(Executor&& other) noexcept {
  if (this != &other) {
    if (state_) stop_remote(*session_, *state_, "the executor was closed");
    session_ = std::move(other.session_);
    state_ = std::move(other.state_);
  }
  return *this;
}

Executor::~Executor() {
  if (state_) stop_remote(*session_, *state_, "the executor was closed");
}

bool Executor::alive() const { return !state_->dead; }
std::string Executor::death_reason() const { return state_->death_reason; }
size_t Executor::threads() const { return state_->threads.size(); }
int32_t Executor::pid() const { return state_->pid; }
const StartupTimes& Executor::startup() const { return state_->startup; }

uint32_t Executor::function(const std::string& name) const {
  for (uint32_t i = 0; i < state_->functions.size(); ++i) {
    if (state_->functions[i] == name) return i;
  }
  throw Error(Errc::not_found, "function '" + name + "' was not named when the executor was allocated");
}

int64_t Executor::invoke(uint32_t index, std::span<const std::byte> input, std::span<std::byte> output) {
  return start(index, input.data(), input.size(), output.data(), output.size(), nullptr).get();
}

Future Executor::invoke_async(uint32_t index, std::span<const std::byte> input, std::span<std::byte> output) {
  return start(index, input.data(), input.size(), output.data(), output.size(), nullptr);
}

Future Executor::invoke_async(uint32_t index, const Buffer& input, size_t input_size, Buffer& output) {
  return invoke_async(index, input, input_size, output.span());
}

Future Executor::invoke_async(uint32_t index, const Buffer& input, size_t input_size, std::span<std::byte> output) {
  if (input_size > input.size()) throw Error(Errc::invalid_argument, "input size exceeds the buffer");
  return start(index, input.data(), input_size, output.data(), output.size(), input.memh_);
}

Future Executor::start(uint32_t index, const void* input, size_t input_size, void* output, size_t output_capacity,
                       void* input_memh) {
  client::ExecutorState& state = *state_;
  if (state.dead) throw Error(Errc::executor_dead, "the executor is dead: " + state.death_reason);
  if (index >= state.functions.size()) {
    throw Error(Errc::invalid_argument, "function index " + std::to_string(index) + " out of range");
  }
  uint32_t thread = 0;
  for (uint32_t t = 1; t < state.outstanding.size(); ++t) {
    if (state.outstanding[t] < state.outstanding[thread]) thread = t;
  }
  auto& slots = session_->slots();
  const uint32_t slot_index = slots.acquire();
  client::InvocationSlot& slot = slots[slot_index];
  slot.header = wire::InvokeHeader{slots.invocation_id(slot_index), index, 0, output_capacity};
  slot.output = output;
  slot.capacity = output_capacity;
  slot.executor = &state;
  slot.thread = thread;
  auto& endpoints = input_memh != nullptr ? state.one_sided_threads : state.threads;
  slot.send = endpoints[thread]->send_am(wire::am_invoke, wire::header_bytes(slot.header), input, input_size,
                                             static_cast<ucp_mem_h>(input_memh));
  if (UCS_PTR_IS_ERR(slot.send)) {
    const ucs_status_t status = UCS_PTR_STATUS(slot.send);
    slots.release(slot_index);
    throw Error(Errc::executor_dead, std::string("sending an invocation failed: ") + ucs_status_string(status));
  }
  ++state.outstanding[thread];
  return Future(session_, slot_index);
}

// ---------------------------------------------------------------- Future

Future::Future(Future&& other) noexcept
    : session_(std::move(other.session_)), slot_(std::exchange(other.slot_, UINT32_MAX)) {}

Future& Future::operator=(Future&& other) noexcept {
  if (this != &other) {
    if (slot_ != UINT32_MAX) {
      try {
        get();
      } catch (const Error&) {
      }
    }
    session_ = std::move(other.session_);
    slot_ = std::exchange(other.slot_, UINT32_MAX);
  }
  return *this;
}

Future::~Future() {
  if (slot_ == UINT32_MAX) return;
  try {
    get();
  } catch (const Error& error) {
    spdlog::debug("an unclaimed invocation failed: {}", error.what());
  }
}

static bool slot_complete(client::InvocationSlot& slot) {
  if (slot.state == client::InvocationSlot::State::receiving &&
      ucp_request_check_status(slot.receive) != UCS_INPROGRESS) {
    if (ucp_request_check_status(slot.receive) != UCS_OK) slot.result = wire::result_bad_request;
    ucp_request_free(slot.receive);
    slot.receive = nullptr;
    slot.state = client::InvocationSlot::State::done;
  }
  return slot.state == client::InvocationSlot::State::done;
}

bool Future::ready() {
  if (slot_ == UINT32_MAX) return true;
  session_->data_worker().progress();
  session_->worker().progress();
  session_->channel().dispatch();
  return slot_complete(session_->slots()[slot_]);
}

int64_t Future::get() {
  if (slot_ == UINT32_MAX) throw Error(Errc::invalid_argument, "this future was already consumed");
  client::Session& session = *session_;
  // A dead executor is noticed by its endpoints' failure handlers, inside progress, or by
  // its spawner's ExecutorExit, dispatched here: an endpoint made from a worker address
  // sees its peer die only at UCX's keepalive, 20 s later.
  session.waiter().wait_until([&] {
    if (slot_complete(session.slots()[slot_])) return true;
    return session.channel().dispatch() > 0 && slot_complete(session.slots()[slot_]);
  });
  session.channel().dispatch();
  client::InvocationSlot& done = session.slots()[slot_];  // the table may have grown
  client::ExecutorState& state = *done.executor;
  if (done.send != nullptr) {
    if (state.dead) {
      ucx::release(done.send);
    } else {
      ucx::wait_request(done.send, session.waiter());
    }
  }
  ucx::release(done.receive);
  if (done.thread < state.outstanding.size() && state.outstanding[done.thread] > 0) --state.outstanding[done.thread];
  const int64_t result = done.result;
  const uint32_t function = done.header.function_index;
  session.slots().release(std::exchange(slot_, UINT32_MAX));
  if (result < 0) throw invocation_error(state, function, result);
  return result;
}

// ---------------------------------------------------------------- Program

Program::Program(std::shared_ptr<client::Session> session, std::shared_ptr<client::ExecutorState> state)
    : session_(std::move(session)), state_(std::move(state)) {}

Program::Program(Program&&) noexcept = default;

Program& Program::operator=(Program&& other) noexcept {
  if (this != &other) {
    if (state_) stop_remote(*session_, *state_, "the program handle was closed");
    session_ = std::move(other.session_);
    state_ = std::move(other.state_);
  }
  return *this;
}

Program::~Program() {
  if (state_) stop_remote(*session_, *state_, "the program handle was closed");
}

int32_t Program::pid() const { return state_->pid; }

std::optional<ProgramExit> Program::wait(std::chrono::milliseconds timeout) {
  client::Session& session = *session_;
  session.waiter().wait_until(
      [&] {
        session.channel().dispatch();
        return state_->exit.has_value() || state_->dead;
      },
      Deadline::after(timeout));
  if (!state_->exit && state_->dead) return ProgramExit{-1, 0, state_->death_reason, {}};
  return state_->exit;
}

void Program::kill() {
  if (!state_->exit) session_->channel().send(state_->spawner, wire::KillExecutor{state_->executor_id});
}

}  // namespace ferry
