#pragma once
// One tagged UCX send or receive in flight, completed by polling (no callbacks, so a
// Transfer can be moved and stored anywhere).

#include <ucp/api/ucp.h>

#include "runtime/common/deadline.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

namespace ferry::mpi {

/// The UCX datatype of plain bytes; a generic one (streamed_datatype()) takes a
/// descriptor with a count of 1 instead of bytes and a length.
inline const ucp_datatype_t bytes_datatype = ucp_dt_make_contig(1);

class Transfer {
 public:
  Transfer() = default;
  Transfer(Transfer&& other) noexcept { *this = static_cast<Transfer&&>(other); }
  Transfer& operator=(Transfer&& other) noexcept;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  /// Cancels and releases a transfer still in flight.
  ~Transfer();

  /// Starts a send of `size` bytes to `world_rank`; `synchronous` completes only once a
  /// receive has matched it (MPI_Ssend).
  static Transfer send(int world_rank, ucp_tag_t tag, const void* data, size_t size, bool synchronous = false,
                       ucp_datatype_t datatype = bytes_datatype);
  /// Starts a send of `size` bytes on `endpoint` (one of the transport's, or another).
  static Transfer send_on(ucp_ep_h endpoint, ucp_tag_t tag, const void* data, size_t size, bool synchronous = false,
                          ucp_datatype_t datatype = bytes_datatype);
  /// Starts a receive of at most `capacity` bytes of a message matching tag/mask.
  static Transfer receive(ucp_tag_t tag, ucp_tag_t mask, void* data, size_t capacity,
                          ucp_datatype_t datatype = bytes_datatype);
  /// Receives a message already taken off the matching queue by a probe (`info` is what
  /// the probe saw of it).
  static Transfer receive_probed(ucp_tag_message_h message, const ucp_tag_recv_info_t& info, void* data,
                                 size_t capacity, ucp_datatype_t datatype = bytes_datatype);

  /// True once complete (call transport().progress() between tests).
  bool test() noexcept;
  /// Asks UCX to cancel it (receives only); it completes with UCS_ERR_CANCELED.
  void cancel() noexcept;
  bool active() const noexcept { return started_; }

  /// Final status: UCS_OK, UCS_ERR_MESSAGE_TRUNCATED, UCS_ERR_CANCELED, or a transport error.
  ucs_status_t status() const noexcept { return status_; }
  /// Receives: the sender's full tag and the bytes received.
  ucp_tag_t sender_tag() const noexcept { return info_.sender_tag; }
  size_t length() const noexcept { return info_.length; }

 private:
  void* request_ = nullptr;
  bool started_ = false;
  bool is_receive_ = false;
  ucs_status_t status_ = UCS_INPROGRESS;
  ucp_tag_recv_info_t info_{};
};

/// Tests every transfer; true once all have completed.
bool all_complete(Transfer* transfers, size_t count) noexcept;
/// Waits for every transfer (in the job's waiting mode).
void wait_all(Transfer* transfers, size_t count);

/// Waits for a message matching tag/mask, of any length, and returns it whole;
/// `sender` receives its full tag. Nothing when `deadline` passes or `stop()` holds
/// before it is in, or when the receive fails.
std::optional<std::vector<std::byte>> receive_whole_until(ucp_tag_t tag, ucp_tag_t mask, Deadline deadline,
                                                          const std::function<bool()>& stop = {},
                                                          ucp_tag_t* sender = nullptr);
/// The same without a bound; throws Error(transport) when the receive fails.
std::vector<std::byte> receive_whole(ucp_tag_t tag, ucp_tag_t mask, ucp_tag_t* sender = nullptr);
/// Sends `data` to process `index` and waits until it is gone.
void send_whole(int index, ucp_tag_t tag, const std::vector<std::byte>& data);
/// Sends `data` to process `index` tagged `out`, receives the message tagged exactly `in`,
/// and returns it once both are done (two leaders trading what their groups know).
std::vector<std::byte> swap_whole(int index, ucp_tag_t out, ucp_tag_t in, const std::vector<std::byte>& data);

}  // namespace ferry::mpi
