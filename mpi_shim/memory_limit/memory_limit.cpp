// libferry_memory_limit: preloaded last into every function rank. A function rank runs
// under its lease's memory limit (RLIMIT_DATA); when an allocation fails at that limit,
// this library says so once on stderr, which the spawner forwards to the job's output:
//
//   ferry: function rank 3 (lease 2): an allocation of 4096 MiB failed: the lease's memory
//   limit is 2048 MiB (set FERRY_MEMORY_MIB, in MiB per function rank, to raise it)
//
// Every call goes on to the next allocator in the search order (glibc's, or one that the
// program links or preloads), so blocks are always freed by the allocator that made them.
// Being last in LD_PRELOAD, it is not in front of an allocator the user preloads at all.
// Batch ranks never load it.
//
// Past the first call, which looks the next allocator up with dlsym, the allocation
// functions here allocate nothing, take no lock and use no stdio: the message is put
// together on the stack and written with write(2), once.
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* block, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void* __libc_valloc(size_t size);
void* __libc_pvalloc(size_t size);
}

namespace {

// ---------------------------------------------------------------- the next allocator

int libc_posix_memalign(void** block, size_t alignment, size_t size) noexcept {
  if (alignment % sizeof(void*) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* made = __libc_memalign(alignment, size);
  if (made == nullptr) return ENOMEM;
  *block = made;
  return 0;
}

void* libc_aligned_alloc(size_t alignment, size_t size) noexcept { return __libc_memalign(alignment, size); }

void* libc_reallocarray(void* block, size_t count, size_t size) noexcept {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  return __libc_realloc(block, bytes);
}

struct Allocator {
  void* (*malloc)(size_t);
  void* (*calloc)(size_t, size_t);
  void* (*realloc)(void*, size_t);
  void* (*reallocarray)(void*, size_t, size_t);
  int (*posix_memalign)(void**, size_t, size_t);
  void* (*aligned_alloc)(size_t, size_t);
  void* (*memalign)(size_t, size_t);
  void* (*valloc)(size_t);
  void* (*pvalloc)(size_t);
};

constexpr Allocator glibc{__libc_malloc,       __libc_calloc,      __libc_realloc,
                          libc_reallocarray,   libc_posix_memalign, libc_aligned_alloc,
                          __libc_memalign,     __libc_valloc,      __libc_pvalloc};

enum : int { unresolved, resolving, resolved };
// constinit: set before any constructor runs, this library's own included.
constinit std::atomic<int> next_state{unresolved};
constinit Allocator next_found = glibc;
// Initial-exec: reading it must not call into the loader, which may allocate.
constinit thread_local bool resolving_here __attribute__((tls_model("initial-exec"))) = false;

template <class Function>
void take_next(Function& slot, const char* name) noexcept {
  if (void* symbol = ::dlsym(RTLD_NEXT, name)) slot = reinterpret_cast<Function>(symbol);
}

// The next allocator is found on the first call, since other libraries' constructors
// allocate before this one's would run. An allocation that dlsym itself makes meanwhile
// is served by glibc; other threads wait the moment it takes.
const Allocator& next() noexcept {
  if (next_state.load(std::memory_order_acquire) == resolved) [[likely]] return next_found;
  if (resolving_here) return glibc;
  int expected = unresolved;
  if (!next_state.compare_exchange_strong(expected, resolving, std::memory_order_acq_rel)) {
    while (next_state.load(std::memory_order_acquire) != resolved) ::sched_yield();
    return next_found;
  }
  resolving_here = true;
  take_next(next_found.malloc, "malloc");
  take_next(next_found.calloc, "calloc");
  take_next(next_found.realloc, "realloc");
  take_next(next_found.reallocarray, "reallocarray");
  take_next(next_found.posix_memalign, "posix_memalign");
  take_next(next_found.aligned_alloc, "aligned_alloc");
  take_next(next_found.memalign, "memalign");
  take_next(next_found.valloc, "valloc");
  take_next(next_found.pvalloc, "pvalloc");
  resolving_here = false;
  next_state.store(resolved, std::memory_order_release);
  return next_found;
}

// ---------------------------------------------------------------- the message

/// Text on a fixed buffer; what does not fit is cut.
struct Text {
  char bytes[512] = {};
  size_t length = 0;

  void add(const char* text) noexcept {
    while (*text != '\0' && length < sizeof bytes) bytes[length++] = *text++;
  }
  void add(uint64_t number) noexcept {
    char digits[20];
    size_t count = 0;
    do {
      digits[count++] = char('0' + number % 10);
      number /= 10;
    } while (number != 0);
    while (count > 0 && length < sizeof bytes) bytes[length++] = digits[--count];
  }
  void add_size(uint64_t size) noexcept {
    constexpr uint64_t kib = 1024, mib = kib * kib;
    if (size >= mib) {
      add((size + mib - 1) / mib);
      add(" MiB");
    } else if (size >= kib) {
      add((size + kib - 1) / kib);
      add(" KiB");
    } else {
      add(size);
      add(" bytes");
    }
  }
};

// Set once, before main, by the constructor below.
struct Watch {
  bool active = false;
  uint64_t limit_bytes = 0;
  uint64_t page_bytes = 4096;
  Text prefix;  ///< "ferry: function rank R (lease L): "
};
constinit Watch watch;
constinit std::atomic<bool> reported{false};

// An allocation this close to the limit may fail for want of the allocator's own
// bookkeeping (heap padding, page rounding) rather than of the bytes asked for.
constexpr uint64_t limit_margin_bytes = 4ULL << 20;

/// The process's data pages (statm's sixth field: data and stack), or 0 if unknown.
uint64_t data_pages() noexcept {
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[160];
  const ssize_t length = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  if (length <= 0) return 0;
  uint64_t value = 0;
  int field = 1;
  for (ssize_t i = 0; i < length; ++i) {
    if (text[i] == ' ') {
      if (field++ == 6) return value;
      value = 0;
    } else if (text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + uint64_t(text[i] - '0');
    }
  }
  return field == 6 ? value : 0;
}

/// Whether an allocation of `size` bytes failing with `error` ran into the limit: the
/// data the process holds plus the request reach it (unknown data counts as reaching it).
bool hit_the_limit(uint64_t size, int error) noexcept {
  if (error != ENOMEM) return false;
  const uint64_t pages = data_pages();
  if (pages == 0) return true;
  return pages * watch.page_bytes + size + limit_margin_bytes > watch.limit_bytes;
}

void note_failure(uint64_t size, int error) noexcept {
  if (!watch.active || reported.load(std::memory_order_relaxed)) return;
  const int saved_errno = errno;
  if (hit_the_limit(size, error) && !reported.exchange(true)) {
    Text message = watch.prefix;
    message.add("an allocation of ");
    message.add_size(size);
    message.add(" failed: the lease's memory limit is ");
    message.add_size(watch.limit_bytes);
    message.add(" (set FERRY_MEMORY_MIB, in MiB per function rank, to raise it)\n");
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, message.bytes, message.length);
  }
  errno = saved_errno;
}

bool read_number(const char* name, uint64_t& value) noexcept {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return false;
  char* end = nullptr;
  value = std::strtoull(text, &end, 10);
  return *end == '\0';
}

__attribute__((constructor)) void start_watching() noexcept {
  const char* role = std::getenv("FERRY_ROLE");
  rlimit limit{};
  if (role == nullptr || std::strcmp(role, "function") != 0) return;
  if (::getrlimit(RLIMIT_DATA, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  uint64_t rank = 0, lease = 0;
  watch.prefix.add("ferry: function rank ");
  if (read_number("FERRY_RANK", rank)) {
    watch.prefix.add(rank);
  } else {
    watch.prefix.add("?");
  }
  if (read_number("FERRY_LEASE_ID", lease)) {
    watch.prefix.add(" (lease ");
    watch.prefix.add(lease);
    watch.prefix.add(")");
  }
  watch.prefix.add(": ");
  watch.limit_bytes = limit.rlim_cur;
  if (const long page = ::sysconf(_SC_PAGESIZE); page > 0) watch.page_bytes = uint64_t(page);
  watch.active = true;
}

/// The size of `count` elements of `size` bytes, or none when it overflows (the request
/// failed for that, not for the limit).
bool product(size_t count, size_t size, size_t& bytes) noexcept { return !__builtin_mul_overflow(count, size, &bytes); }

}  // namespace

// ---------------------------------------------------------------- the interposed functions

extern "C" {

void* malloc(size_t size) noexcept {
  void* block = next().malloc(size);
  if (block == nullptr) note_failure(size, errno);
  return block;
}

void* calloc(size_t count, size_t size) noexcept {
  void* block = next().calloc(count, size);
  size_t bytes = 0;
  if (block == nullptr && product(count, size, bytes)) note_failure(bytes, errno);
  return block;
}

void* realloc(void* block, size_t size) noexcept {
  void* moved = next().realloc(block, size);
  if (moved == nullptr && size != 0) note_failure(size, errno);
  return moved;
}

void* reallocarray(void* block, size_t count, size_t size) noexcept {
  void* moved = next().reallocarray(block, count, size);
  size_t bytes = 0;
  if (moved == nullptr && product(count, size, bytes) && bytes != 0) note_failure(bytes, errno);
  return moved;
}

int posix_memalign(void** block, size_t alignment, size_t size) noexcept {
  const int result = next().posix_memalign(block, alignment, size);
  if (result != 0) note_failure(size, result);
  return result;
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  void* block = next().aligned_alloc(alignment, size);
  if (block == nullptr) note_failure(size, errno);
  return block;
}

void* memalign(size_t alignment, size_t size) noexcept {
  void* block = next().memalign(alignment, size);
  if (block == nullptr) note_failure(size, errno);
  return block;
}

void* valloc(size_t size) noexcept {
  void* block = next().valloc(size);
  if (block == nullptr) note_failure(size, errno);
  return block;
}

void* pvalloc(size_t size) noexcept {
  void* block = next().pvalloc(size);
  if (block == nullptr) note_failure(size, errno);
  return block;
}

}  // extern "C"
