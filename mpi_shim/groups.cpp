// Groups of hybrid communicators are lists of world ranks. An operation with any shim
// group among its arguments yields a shim group; one on native groups alone passes through.

#include <mpi.h>

#include <algorithm>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/world.hpp"

using namespace ferry::mpi;

namespace {

bool contains(const std::vector<int>& members, int rank) {
  return std::find(members.begin(), members.end(), rank) != members.end();
}

/// Errors of group operations go to MPI_COMM_WORLD's handler, as Open MPI's do.
int invalid(int code, const char* function) { return raise(nullptr, code, function); }

int out_of_range(const char* function) { return invalid(MPI_ERR_RANK, function); }

/// MPI_ERR_GROUP when either group is MPI_GROUP_NULL.
int check_groups(MPI_Group a, MPI_Group b) {
  return a == MPI_GROUP_NULL || b == MPI_GROUP_NULL ? MPI_ERR_GROUP : MPI_SUCCESS;
}

/// A list of `n` ranks.
int check_list(int n, const void* list) { return n < 0 || (n > 0 && list == nullptr) ? MPI_ERR_ARG : MPI_SUCCESS; }

}  // namespace

int ferry::mpi::impl::MPI_Group_size(MPI_Group group, int* size) {
  Group* g = hybrid(group);
  *size = g->size();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_rank(MPI_Group group, int* rank) {
  Group* g = hybrid(group);
  *rank = g->rank_of(world().self);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_free(MPI_Group* group) {
  Group* g = hybrid(*group);
  forget_group(g);
  *group = MPI_GROUP_NULL;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_incl(MPI_Group group, int n, const int ranks[], MPI_Group* out) {
  Group* g = hybrid(group);
  if (int error = check_list(n, ranks)) return invalid(error, "MPI_Group_incl");
  std::vector<int> members;
  std::vector<bool> included(size_t(g->size()), false);
  for (int i = 0; i < n; ++i) {
    if (ranks[i] < 0 || ranks[i] >= g->size() || included[size_t(ranks[i])]) return out_of_range("MPI_Group_incl");
    included[size_t(ranks[i])] = true;
    members.push_back(g->members[size_t(ranks[i])]);
  }
  *out = make_group(std::move(members));
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_excl(MPI_Group group, int n, const int ranks[], MPI_Group* out) {
  Group* g = hybrid(group);
  if (int error = check_list(n, ranks)) return invalid(error, "MPI_Group_excl");
  std::vector<bool> excluded(size_t(g->size()), false);
  for (int i = 0; i < n; ++i) {
    if (ranks[i] < 0 || ranks[i] >= g->size() || excluded[size_t(ranks[i])]) return out_of_range("MPI_Group_excl");
    excluded[size_t(ranks[i])] = true;
  }
  std::vector<int> members;
  for (int i = 0; i < g->size(); ++i) {
    if (!excluded[size_t(i)]) members.push_back(g->members[size_t(i)]);
  }
  *out = make_group(std::move(members));
  return MPI_SUCCESS;
}

static std::vector<int> expand_ranges(int n, int ranges[][3], int size, bool& valid) {
  std::vector<int> ranks;
  valid = true;
  for (int i = 0; i < n; ++i) {
    const int first = ranges[i][0], last = ranges[i][1], stride = ranges[i][2];
    if (stride == 0) {
      valid = false;
      return {};
    }
    for (int r = first; stride > 0 ? r <= last : r >= last; r += stride) {
      if (r < 0 || r >= size) {
        valid = false;
        return {};
      }
      ranks.push_back(r);
    }
  }
  return ranks;
}

int ferry::mpi::impl::MPI_Group_range_incl(MPI_Group group, int n, int ranges[][3], MPI_Group* out) {
  Group* g = hybrid(group);
  if (int error = check_list(n, ranges)) return invalid(error, "MPI_Group_range_incl");
  bool valid = false;
  const std::vector<int> ranks = expand_ranges(n, ranges, g->size(), valid);
  if (!valid) return out_of_range("MPI_Group_range_incl");
  return impl::MPI_Group_incl(group, int(ranks.size()), ranks.data(), out);
}

int ferry::mpi::impl::MPI_Group_range_excl(MPI_Group group, int n, int ranges[][3], MPI_Group* out) {
  Group* g = hybrid(group);
  if (int error = check_list(n, ranges)) return invalid(error, "MPI_Group_range_excl");
  bool valid = false;
  const std::vector<int> ranks = expand_ranges(n, ranges, g->size(), valid);
  if (!valid) return out_of_range("MPI_Group_range_excl");
  return impl::MPI_Group_excl(group, int(ranks.size()), ranks.data(), out);
}

int ferry::mpi::impl::MPI_Group_union(MPI_Group a, MPI_Group b, MPI_Group* out) {
  if (int error = check_groups(a, b)) return invalid(error, "MPI_Group_union");
  std::vector<int> members = members_of(a);
  for (int rank : members_of(b)) {
    if (!contains(members, rank)) members.push_back(rank);
  }
  *out = make_group(std::move(members));
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_intersection(MPI_Group a, MPI_Group b, MPI_Group* out) {
  if (int error = check_groups(a, b)) return invalid(error, "MPI_Group_intersection");
  const std::vector<int> second = members_of(b);
  std::vector<int> members;
  for (int rank : members_of(a)) {
    if (contains(second, rank)) members.push_back(rank);
  }
  *out = make_group(std::move(members));
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_difference(MPI_Group a, MPI_Group b, MPI_Group* out) {
  if (int error = check_groups(a, b)) return invalid(error, "MPI_Group_difference");
  const std::vector<int> second = members_of(b);
  std::vector<int> members;
  for (int rank : members_of(a)) {
    if (!contains(second, rank)) members.push_back(rank);
  }
  *out = make_group(std::move(members));
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_translate_ranks(MPI_Group a, int n, const int ranks[], MPI_Group b, int out[]) {
  if (int error = check_groups(a, b)) return invalid(error, "MPI_Group_translate_ranks");
  if (int error = check_list(n, ranks)) return invalid(error, "MPI_Group_translate_ranks");
  if (n > 0 && out == nullptr) return invalid(MPI_ERR_ARG, "MPI_Group_translate_ranks");
  const std::vector<int> first = members_of(a), second = members_of(b);
  for (int i = 0; i < n; ++i) {
    if (ranks[i] == MPI_PROC_NULL) {
      out[i] = MPI_PROC_NULL;
      continue;
    }
    if (ranks[i] < 0 || ranks[i] >= int(first.size())) return out_of_range("MPI_Group_translate_ranks");
    const auto found = std::find(second.begin(), second.end(), first[size_t(ranks[i])]);
    out[i] = found == second.end() ? MPI_UNDEFINED : int(found - second.begin());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Group_compare(MPI_Group a, MPI_Group b, int* result) {
  if (int error = check_groups(a, b)) return invalid(error, "MPI_Group_compare");
  const std::vector<int> first = members_of(a), second = members_of(b);
  if (first == second) {
    *result = MPI_IDENT;
    return MPI_SUCCESS;
  }
  std::vector<int> sorted_first = first, sorted_second = second;
  std::sort(sorted_first.begin(), sorted_first.end());
  std::sort(sorted_second.begin(), sorted_second.end());
  *result = sorted_first == sorted_second ? MPI_SIMILAR : MPI_UNEQUAL;
  return MPI_SUCCESS;
}
