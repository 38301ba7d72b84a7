#include "binding.h"

! Process topologies: Cartesian (LOGICAL periods, reorder and remain_dims), graph and
! distributed graph communicators (weighted and MPI_UNWEIGHTED), their queries, and
! neighbourhood collectives on them.
program topology
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: UNTOUCHED = -7
  integer :: rank, nranks

  call start('topology')
  rank = world_rank()
  nranks = world_size()
  if (rank == 0) call out('world size ' // str(nranks))
  call check_dims_create()
  call check_cart_queries()
  call check_cart_neighbors()
  call check_graph()
  call check_dist_graph()
  call check_unweighted()
  call finish()

contains

  ! Printed neighbour ranks use -1 for MPI_PROC_NULL, whose value is implementation-defined.
  integer function shown(of_rank)
    integer, intent(in) :: of_rank
    shown = of_rank
    if (of_rank == MPI_PROC_NULL) shown = -1
  end function shown

  subroutine check_dims_create()
    integer :: dims(2), fixed(3)
    dims = 0
    call MPI_Dims_create(nranks, 2, dims, ierr); CHK
    call check_int(dims(1) * dims(2), nranks, 'Dims_create product', __LINE__)
    call check(dims(1) >= dims(2), 'Dims_create not in non-increasing order', __LINE__)
    fixed = [0, 1, 0]
    call MPI_Dims_create(nranks, 3, fixed, ierr); CHK
    call check_int(fixed(2), 1, 'Dims_create changed a fixed dimension', __LINE__)
    call check_int(fixed(1) * fixed(3), nranks, 'Dims_create product with a fixed dimension', &
                   __LINE__)
    if (rank == 0) call out('dims_create: ' // str(dims(1)) // 'x' // str(dims(2)) // &
                            ', with fixed middle ' // str(fixed(1)) // 'x' // str(fixed(2)) // &
                            'x' // str(fixed(3)))
  end subroutine check_dims_create

  function make_cart(periodic_first, dims) result(cart)
    logical, intent(in) :: periodic_first
    integer, intent(out) :: dims(2)
    HANDLE(MPI_Comm) :: cart
    dims = 0
    call MPI_Dims_create(nranks, 2, dims, ierr); CHK
    call MPI_Cart_create(MPI_COMM_WORLD, 2, dims, [periodic_first, .false.], .false., cart, ierr)
    CHK
  end function make_cart

  subroutine check_cart_queries()
    HANDLE(MPI_Comm) :: cart, row
    integer :: dims(2), cart_rank, status, ndims, got_dims(2), coords(2), again(2), back
    integer :: wrapped(2), source(2), dest(2), up, row_size, row_rank, row_sum
    logical :: periods(2)
    cart = make_cart(.true., dims)
    call MPI_Comm_rank(cart, cart_rank, ierr); CHK
    call MPI_Topo_test(cart, status, ierr); CHK
    call check_int(status, MPI_CART, 'Topo_test of a Cartesian comm', __LINE__)
    call MPI_Cartdim_get(cart, ndims, ierr); CHK
    call check_int(ndims, 2, 'Cartdim_get', __LINE__)
    periods = [.false., .true.]
    call MPI_Cart_get(cart, 2, got_dims, periods, coords, ierr); CHK
    call check(all(got_dims == dims), 'Cart_get dims', __LINE__)
    call check(periods(1) .and. .not. periods(2), 'Cart_get periods', __LINE__)
    call check(coords(1) == cart_rank / dims(2) .and. coords(2) == mod(cart_rank, dims(2)), &
               'Cart_get coords', __LINE__)
    call MPI_Cart_coords(cart, cart_rank, 2, again, ierr); CHK
    call check(all(again == coords), 'Cart_coords', __LINE__)
    call MPI_Cart_rank(cart, coords, back, ierr); CHK
    call check_int(back, cart_rank, 'Cart_rank of own coords', __LINE__)
    wrapped = [coords(1) + dims(1), coords(2)]
    call MPI_Cart_rank(cart, wrapped, back, ierr); CHK
    call check_int(back, cart_rank, 'Cart_rank wraps a periodic dimension', __LINE__)
    call MPI_Cart_shift(cart, 0, 1, source(1), dest(1), ierr); CHK
    call MPI_Cart_shift(cart, 1, 1, source(2), dest(2), ierr); CHK
    up = mod(coords(1) + dims(1) - 1, dims(1)) * dims(2) + coords(2)
    call check_int(source(1), up, 'periodic shift source', __LINE__)
    if (coords(2) + 1 < dims(2)) then
      call check_int(dest(2), cart_rank + 1, 'non-periodic shift destination', __LINE__)
    else
      call check_int(dest(2), MPI_PROC_NULL, 'non-periodic shift off the edge', __LINE__)
    end if
    call MPI_Cart_sub(cart, [.false., .true.], row, ierr); CHK
    call MPI_Comm_size(row, row_size, ierr); CHK
    call MPI_Comm_rank(row, row_rank, ierr); CHK
    call check_int(row_size, dims(2), 'Cart_sub size', __LINE__)
    call check_int(row_rank, coords(2), 'Cart_sub rank', __LINE__)
    call MPI_Allreduce(cart_rank, row_sum, 1, MPI_INTEGER, MPI_SUM, row, ierr); CHK
    call out('cart: coords (' // str(coords(1)) // ',' // str(coords(2)) // '), shift dim0 ' // &
             str(shown(source(1))) // '->' // str(shown(dest(1))) // ', dim1 ' // &
             str(shown(source(2))) // '->' // str(shown(dest(2))) // ', row ' // &
             str(row_rank) // ' of ' // str(row_size) // ', row sum ' // str(row_sum))
    call MPI_Comm_free(row, ierr); CHK
    call MPI_Comm_free(cart, ierr); CHK
  end subroutine check_cart_queries

  ! Neighbour order on a Cartesian comm: per dimension, the -1 then the +1 neighbour.
  subroutine check_cart_neighbors()
    HANDLE(MPI_Comm) :: cart
    HANDLE(MPI_Request) :: request
    integer :: dims(2), cart_rank, neighbors(4), gathered(4), sent(4), received(4)
    integer :: counts(4), displs(4), j, from, expected_gathered, expected_received, pass
    cart = make_cart(.false., dims)
    call MPI_Comm_rank(cart, cart_rank, ierr); CHK
    call MPI_Cart_shift(cart, 0, 1, neighbors(1), neighbors(2), ierr); CHK
    call MPI_Cart_shift(cart, 1, 1, neighbors(3), neighbors(4), ierr); CHK
    counts = 1
    displs = [0, 1, 2, 3]
    do j = 1, 4
      sent(j) = cart_rank * 10 + j - 1
    end do
    do pass = 0, 2
      gathered = UNTOUCHED
      received = UNTOUCHED
      select case (pass)
      case (0)
        call MPI_Neighbor_allgather(cart_rank, 1, MPI_INTEGER, gathered, 1, MPI_INTEGER, cart, &
                                    ierr); CHK
        call MPI_Neighbor_alltoall(sent, 1, MPI_INTEGER, received, 1, MPI_INTEGER, cart, ierr)
        CHK
      case (1)
        call MPI_Neighbor_allgatherv(cart_rank, 1, MPI_INTEGER, gathered, counts, displs, &
                                     MPI_INTEGER, cart, ierr); CHK
        call MPI_Neighbor_alltoallv(sent, counts, displs, MPI_INTEGER, received, counts, displs, &
                                    MPI_INTEGER, cart, ierr); CHK
      case default
        call MPI_Ineighbor_allgather(cart_rank, 1, MPI_INTEGER, gathered, 1, MPI_INTEGER, cart, &
                                     request, ierr); CHK
        call MPI_Wait(request, MPI_STATUS_IGNORE, ierr); CHK
        call MPI_Ineighbor_alltoall(sent, 1, MPI_INTEGER, received, 1, MPI_INTEGER, cart, &
                                    request, ierr); CHK
        call MPI_Wait(request, MPI_STATUS_IGNORE, ierr); CHK
      end select
      do j = 1, 4
        from = neighbors(j)
        expected_gathered = UNTOUCHED
        expected_received = UNTOUCHED
        if (from /= MPI_PROC_NULL) then
          expected_gathered = from
          ! The neighbour sent its j-th block the opposite way: -1 and +1 swap.
          expected_received = from * 10 + ieor(j - 1, 1)
        end if
        call check_int(gathered(j), expected_gathered, 'cart neighbor allgather', __LINE__)
        call check_int(received(j), expected_received, 'cart neighbor alltoall', __LINE__)
      end do
    end do
    call out('cart neighbors ' // str(shown(neighbors(1))) // ' ' // str(shown(neighbors(2))) // &
             ' ' // str(shown(neighbors(3))) // ' ' // str(shown(neighbors(4))) // &
             ': allgather(v), alltoall(v), also nonblocking, ok')
    call MPI_Comm_free(cart, ierr); CHK
  end subroutine check_cart_neighbors

  ! An undirected ring (a single edge when there are two ranks).
  subroutine check_graph()
    HANDLE(MPI_Comm) :: graph
    integer :: degree, index(8), edges(16), r, status, nnodes, nedges, count
    integer :: got_index(8), got_edges(16), neighbors(2), gathered(2), j
    degree = 1
    if (nranks > 2) degree = 2
    do r = 0, nranks - 1
      index(r + 1) = degree * (r + 1)
      edges(degree * r + 1) = mod(r + 1, nranks)
      if (degree == 2) edges(degree * r + 2) = mod(r + nranks - 1, nranks)
    end do
    call MPI_Graph_create(MPI_COMM_WORLD, nranks, index, edges, .false., graph, ierr); CHK
    call MPI_Topo_test(graph, status, ierr); CHK
    call check_int(status, MPI_GRAPH, 'Topo_test of a graph comm', __LINE__)
    call MPI_Graphdims_get(graph, nnodes, nedges, ierr); CHK
    call check_int(nnodes, nranks, 'Graphdims_get nodes', __LINE__)
    call check_int(nedges, degree * nranks, 'Graphdims_get edges', __LINE__)
    call MPI_Graph_get(graph, nranks, degree * nranks, got_index, got_edges, ierr); CHK
    do j = 1, nranks
      call check_int(got_index(j), index(j), 'Graph_get index', __LINE__)
    end do
    do j = 1, degree * nranks
      call check_int(got_edges(j), edges(j), 'Graph_get edges', __LINE__)
    end do
    call MPI_Graph_neighbors_count(graph, rank, count, ierr); CHK
    call check_int(count, degree, 'Graph_neighbors_count', __LINE__)
    call MPI_Graph_neighbors(graph, rank, degree, neighbors, ierr); CHK
    gathered = UNTOUCHED
    call MPI_Neighbor_allgather(rank, 1, MPI_INTEGER, gathered, 1, MPI_INTEGER, graph, ierr); CHK
    do j = 1, degree
      call check_int(neighbors(j), edges(degree * rank + j), 'Graph_neighbors', __LINE__)
      call check_int(gathered(j), neighbors(j), 'graph neighbor_allgather', __LINE__)
    end do
    call out('graph: ' // str(count) // ' neighbors, first ' // str(neighbors(1)) // &
             ', allgather ok')
    call MPI_Comm_free(graph, ierr); CHK
  end subroutine check_graph

  ! Each rank sends to the two ranks after it and receives from the two before it.
  subroutine check_dist_graph()
    HANDLE(MPI_Comm) :: graph
    integer :: sources(2), dests(2), source_weights(2), dest_weights(2), status
    integer :: indegree, outdegree, j
    integer :: got_sources(2), got_dests(2), got_source_weights(2), got_dest_weights(2)
    integer :: sent(3), received(3), gathered(2), counts(2), displs(2), placed(3)
    integer(kind=MPI_ADDRESS_KIND) :: byte_displs(2)
    HANDLE(MPI_Datatype) :: types(2)
    logical :: weighted
    sources = [mod(rank + nranks - 1, nranks), mod(rank + 2 * nranks - 2, nranks)]
    dests = [mod(rank + 1, nranks), mod(rank + 2, nranks)]
    source_weights = [rank + 1, rank + 2]
    dest_weights = [dests(1) + 1, dests(2) + 2]
    call MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 2, sources, source_weights, 2, dests, &
                                        dest_weights, MPI_INFO_NULL, .false., graph, ierr); CHK
    call MPI_Topo_test(graph, status, ierr); CHK
    call check_int(status, MPI_DIST_GRAPH, 'Topo_test of a distributed graph comm', __LINE__)
    weighted = .false.
    call MPI_Dist_graph_neighbors_count(graph, indegree, outdegree, weighted, ierr); CHK
    call check(indegree == 2 .and. outdegree == 2 .and. weighted, 'Dist_graph_neighbors_count', &
               __LINE__)
    call MPI_Dist_graph_neighbors(graph, 2, got_sources, got_source_weights, 2, got_dests, &
                                  got_dest_weights, ierr); CHK
    do j = 1, 2
      call check_int(got_sources(j), sources(j), 'Dist_graph_neighbors source', __LINE__)
      call check_int(got_dests(j), dests(j), 'Dist_graph_neighbors destination', __LINE__)
      call check_int(got_source_weights(j), source_weights(j), 'source weight', __LINE__)
      call check_int(got_dest_weights(j), dest_weights(j), 'destination weight', __LINE__)
    end do
    sent = [rank * 10, rank * 10 + 1, rank * 10 + 2]
    received = UNTOUCHED
    call MPI_Neighbor_allgather(rank, 1, MPI_INTEGER, gathered, 1, MPI_INTEGER, graph, ierr); CHK
    call MPI_Neighbor_alltoall(sent, 1, MPI_INTEGER, received, 1, MPI_INTEGER, graph, ierr); CHK
    do j = 1, 2
      call check_int(gathered(j), sources(j), 'dist graph neighbor_allgather', __LINE__)
      call check_int(received(j), sources(j) * 10 + j - 1, 'dist graph neighbor_alltoall', &
                     __LINE__)
    end do
    counts = [1, 2]
    displs = [0, 1]
    received = UNTOUCHED
    call MPI_Neighbor_alltoallv(sent, counts, displs, MPI_INTEGER, received, counts, displs, &
                                MPI_INTEGER, graph, ierr); CHK
    call check_int(received(1), sources(1) * 10, 'dist graph neighbor_alltoallv first', __LINE__)
    call check_int(received(2), sources(2) * 10 + 1, 'dist graph neighbor_alltoallv second', &
                   __LINE__)
    call check_int(received(3), sources(2) * 10 + 2, 'dist graph neighbor_alltoallv third', &
                   __LINE__)
    ! Neighbor_alltoallw runs here rather than on a Cartesian comm: Open MPI's Fortran
    ! binding converts as many datatypes as the comm has ranks, not as many as neighbours.
    byte_displs = [8_MPI_ADDRESS_KIND, 0_MPI_ADDRESS_KIND]
    types = MPI_INTEGER
    received = UNTOUCHED
    call MPI_Neighbor_alltoallw(sent, [1, 1], byte_displs, types, received, [1, 1], &
                                byte_displs, types, graph, ierr); CHK
    call check_int(received(3), sources(1) * 10 + 2, 'dist graph neighbor_alltoallw first', &
                   __LINE__)
    call check_int(received(1), sources(2) * 10, 'dist graph neighbor_alltoallw second', __LINE__)
    call check_int(received(2), UNTOUCHED, 'dist graph neighbor_alltoallw beyond the counts', &
                   __LINE__)
    placed = UNTOUCHED
    call MPI_Neighbor_allgatherv(rank, 1, MPI_INTEGER, placed, [1, 1], [1, 0], MPI_INTEGER, &
                                 graph, ierr); CHK
    call check_int(placed(2), sources(1), 'dist graph neighbor_allgatherv first source', __LINE__)
    call check_int(placed(1), sources(2), 'dist graph neighbor_allgatherv second source', __LINE__)
    call check_int(placed(3), UNTOUCHED, 'dist graph neighbor_allgatherv beyond the counts', &
                   __LINE__)
    call out('dist graph: from ' // str(sources(1)) // ' and ' // str(sources(2)) // &
             ', weights ' // str(got_source_weights(1)) // ' ' // str(got_source_weights(2)) // &
             ', allgather(v), alltoall(v,w) ok')
    call MPI_Comm_free(graph, ierr); CHK
  end subroutine check_dist_graph

  ! A ring without weights, built from MPI_UNWEIGHTED edges: one in, one out.
  subroutine check_unweighted()
    HANDLE(MPI_Comm) :: graph
    integer :: sources(1), dests(1), indegree, outdegree, got_sources(1), got_dests(1)
    integer :: source_weights(1), dest_weights(1), gathered(1)
    logical :: weighted
    sources(1) = mod(rank + nranks - 1, nranks)
    dests(1) = mod(rank + 1, nranks)
    call MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 1, sources, MPI_UNWEIGHTED, 1, dests, &
                                        MPI_UNWEIGHTED, MPI_INFO_NULL, .false., graph, ierr); CHK
    weighted = .true.
    call MPI_Dist_graph_neighbors_count(graph, indegree, outdegree, weighted, ierr); CHK
    call check(indegree == 1 .and. outdegree == 1, 'unweighted Dist_graph_neighbors_count', &
               __LINE__)
    call check(.not. weighted, 'a graph made with MPI_UNWEIGHTED reports weights', __LINE__)
    source_weights = UNTOUCHED
    dest_weights = UNTOUCHED
    call MPI_Dist_graph_neighbors(graph, 1, got_sources, source_weights, 1, got_dests, &
                                  dest_weights, ierr); CHK
    call check_int(got_sources(1), sources(1), 'unweighted source', __LINE__)
    call check_int(got_dests(1), dests(1), 'unweighted destination', __LINE__)
    gathered = UNTOUCHED
    call MPI_Neighbor_allgather(rank, 1, MPI_INTEGER, gathered, 1, MPI_INTEGER, graph, ierr); CHK
    call check_int(gathered(1), sources(1), 'unweighted neighbor_allgather', __LINE__)
    call out('unweighted dist graph: weighted ' // truth(weighted) // ', from ' // &
             str(gathered(1)))
    call MPI_Comm_free(graph, ierr); CHK
  end subroutine check_unweighted

end program topology
