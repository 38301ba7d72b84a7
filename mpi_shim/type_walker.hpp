#pragma once
// (buffer, count, datatype) as a sequence of pieces that can each be packed on its own
// with PMPI_Pack, none (much) larger than a limit: how messages too large to pack at once
// are streamed. A piece is a few elements of the type, or, when one element is itself
// larger than the limit, a part of it found by looking into the type's constructor
// (contiguous, vector, hvector, indexed, hindexed, indexed_block, struct, dup, resized):
// runs of a vector become sub-vectors of about the limit's size.

#include <mpi.h>

#include <cstddef>
#include <optional>
#include <vector>

namespace ferry::mpi {

class TypeWalker {
 public:
  struct Piece {
    std::byte* address = nullptr;  ///< where the piece's first element starts
    int count = 0;
    MPI_Datatype type = MPI_DATATYPE_NULL;
    size_t bytes = 0;  ///< packed size
  };

  TypeWalker(const void* buffer, int count, MPI_Datatype type, size_t piece_limit);
  /// Throws unless every piece of `type` fits PMPI_Pack (2 GiB): only an element of a type
  /// it cannot divide (subarray, darray, ...) may be larger.
  static void require_walkable(MPI_Datatype type);
  TypeWalker(const TypeWalker&) = delete;
  TypeWalker& operator=(const TypeWalker&) = delete;
  ~TypeWalker();

  /// The next piece, or nothing at the end. Throws where require_walkable() does.
  std::optional<Piece> next();
  /// Back to the first piece.
  void restart();

 private:
  struct Run {
    std::byte* address;
    int count;
    MPI_Datatype type;
  };
  /// The runs that make up one element of a type (or the whole data, at the bottom).
  struct Frame {
    std::byte* base = nullptr;
    int combiner = MPI_COMBINER_NAMED;
    std::vector<int> integers;
    std::vector<MPI_Aint> addresses;
    std::vector<MPI_Datatype> types;
    int runs = 0;
    int run = 0;
    int element = 0;  ///< elements of the current run already walked
    // Vectors: runs are sub-vectors of `chunk_blocks` blocks (the last one `tail`).
    int chunk_blocks = 0;
    MPI_Datatype chunk = MPI_DATATYPE_NULL;
    MPI_Datatype tail = MPI_DATATYPE_NULL;
  };

  Run run_at(const Frame& frame, int index) const;
  /// A frame for the constructor of `type` at `base`, or nothing for a type it cannot divide.
  std::optional<Frame> open(std::byte* base, MPI_Datatype type);
  void plan_chunks(Frame& frame, int blocks, int block_length, MPI_Aint stride_bytes, MPI_Datatype old);
  MPI_Datatype keep(MPI_Datatype made);

  Frame bottom_;
  std::vector<Frame> stack_;
  size_t limit_;
  std::vector<MPI_Datatype> owned_;  // types this walker made or was handed by PMPI_Type_get_contents
};

}  // namespace ferry::mpi
