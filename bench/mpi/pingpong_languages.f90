! The 8-byte ping-pong through the Fortran binding (`use mpi`) and through the C one, in
! the same two processes: alternating rounds of each, so that both see the same cores,
! placement and neighbours. Rank 0 prints "latency-c 8 USEC" and "latency-fortran 8 USEC",
! each the median over the rounds of the half round trip.
! Usage: pingpong_languages [ROUNDS [ROUND_TRIPS]] (default 30 rounds of 2000).
program pingpong_languages
  use mpi
  use, intrinsic :: iso_c_binding, only: c_double, c_int
  use, intrinsic :: iso_fortran_env, only: output_unit, error_unit
  implicit none
  interface
    function c_round_trips(rank, round_trips) bind(C, name='c_round_trips') result(seconds)
      import :: c_double, c_int
      integer(c_int), value :: rank, round_trips
      real(c_double) :: seconds
    end function c_round_trips
  end interface
  integer :: rank, world_size, ierror, rounds, round_trips, round
  double precision, allocatable :: c_seconds(:), fortran_seconds(:)

  call MPI_Init(ierror)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierror)
  call MPI_Comm_size(MPI_COMM_WORLD, world_size, ierror)
  rounds = integer_argument(1, 30)
  round_trips = integer_argument(2, 2000)
  if (world_size /= 2 .or. rounds < 1 .or. round_trips < 1) then
    if (rank == 0) write (error_unit, '(a)') 'usage: pingpong_languages [ROUNDS >= 1 [ROUND_TRIPS >= 1]], on 2 ranks'
    call MPI_Abort(MPI_COMM_WORLD, 2, ierror)
  end if
  allocate (c_seconds(rounds), fortran_seconds(rounds))
  fortran_seconds(1) = fortran_round_trips(round_trips / 10 + 1)  ! warm-up
  c_seconds(1) = c_round_trips(rank, round_trips / 10 + 1)
  do round = 1, rounds
    fortran_seconds(round) = fortran_round_trips(round_trips)
    c_seconds(round) = c_round_trips(rank, round_trips)
  end do
  if (rank == 0) then
    write (output_unit, '(a,f7.4)') 'latency-c 8 ', half_round_trip_us(c_seconds)
    write (output_unit, '(a,f7.4)') 'latency-fortran 8 ', half_round_trip_us(fortran_seconds)
  end if
  flush (output_unit)
  call MPI_Finalize(ierror)

contains

  double precision function fortran_round_trips(count)
    integer, intent(in) :: count
    character :: buffer(8)
    integer :: i
    double precision :: start
    buffer = ' '
    start = MPI_Wtime()
    do i = 1, count
      if (rank == 0) then
        call MPI_Send(buffer, 8, MPI_CHARACTER, 1, 1, MPI_COMM_WORLD, ierror)
        call MPI_Recv(buffer, 8, MPI_CHARACTER, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierror)
      else
        call MPI_Recv(buffer, 8, MPI_CHARACTER, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierror)
        call MPI_Send(buffer, 8, MPI_CHARACTER, 0, 1, MPI_COMM_WORLD, ierror)
      end if
    end do
    fortran_round_trips = MPI_Wtime() - start
  end function fortran_round_trips

  ! The median round's time, as microseconds per half round trip.
  double precision function half_round_trip_us(seconds)
    double precision, intent(in) :: seconds(:)
    double precision :: sorted(size(seconds)), swap
    integer :: i, j
    sorted = seconds
    do i = 2, size(sorted)
      swap = sorted(i)
      j = i - 1
      do while (j >= 1)
        if (sorted(j) <= swap) exit
        sorted(j + 1) = sorted(j)
        j = j - 1
      end do
      sorted(j + 1) = swap
    end do
    half_round_trip_us = sorted(size(sorted) / 2 + 1) * 1d6 / (2d0 * round_trips)
  end function half_round_trip_us

  integer function integer_argument(position, default)
    integer, intent(in) :: position, default
    character(32) :: text
    integer :: status
    integer_argument = default
    if (command_argument_count() < position) return
    call get_command_argument(position, text)
    read (text, *, iostat=status) integer_argument
    if (status /= 0) integer_argument = 0
  end function integer_argument

end program pingpong_languages
