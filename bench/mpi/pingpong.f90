! Fortran twin of pingpong.c, through `use mpi`: ping-pong latency and windowed bandwidth
! between ranks 0 and 1, 8 B to 4 MiB, with the same iterations, tags and output. Rank 0
! prints "latency BYTES USEC" (half round trip) and "bandwidth BYTES MBPS" (a window of 64
! Isend/Irecv, acknowledged by a zero-byte message).
program pingpong
  use mpi
  use, intrinsic :: iso_fortran_env, only: output_unit, error_unit
  implicit none
  integer, parameter :: window = 64, min_bytes = 8, max_bytes = 4 * 1024 * 1024
  character, allocatable :: buffer(:)
  integer :: rank, world_size, bytes, ierror
  double precision :: latency, bandwidth

  call MPI_Init(ierror)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierror)
  call MPI_Comm_size(MPI_COMM_WORLD, world_size, ierror)
  if (world_size /= 2) then
    if (rank == 0) write (error_unit, '(a,i0)') 'pingpong needs exactly 2 ranks, not ', world_size
    call MPI_Abort(MPI_COMM_WORLD, 2, ierror)
  end if
  allocate (buffer(max_bytes))
  bytes = min_bytes
  do while (bytes <= max_bytes)
    latency = latency_us(bytes)
    bandwidth = bandwidth_mbps(bytes)
    if (rank == 0) then
      write (output_unit, '(a,i0,1x,a)') 'latency ', bytes, number(latency, '(f0.3)')
      write (output_unit, '(a,i0,1x,a)') 'bandwidth ', bytes, number(bandwidth, '(f0.1)')
    end if
    bytes = bytes * 2
  end do
  flush (output_unit)
  deallocate (buffer)
  call MPI_Finalize(ierror)

contains

  integer function iterations(bytes)
    integer, intent(in) :: bytes
    if (bytes <= 4096) then
      iterations = 20000
    else if (bytes <= 65536) then
      iterations = 1000
    else
      iterations = 100
    end if
  end function iterations

  double precision function latency_us(bytes)
    integer, intent(in) :: bytes
    integer :: warmup, count, i
    double precision :: start
    count = iterations(bytes)
    warmup = count / 10
    start = 0
    do i = 0, warmup + count - 1
      if (i == warmup) start = MPI_Wtime()
      if (rank == 0) then
        call MPI_Send(buffer, bytes, MPI_CHARACTER, 1, 1, MPI_COMM_WORLD, ierror)
        call MPI_Recv(buffer, bytes, MPI_CHARACTER, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierror)
      else
        call MPI_Recv(buffer, bytes, MPI_CHARACTER, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierror)
        call MPI_Send(buffer, bytes, MPI_CHARACTER, 0, 1, MPI_COMM_WORLD, ierror)
      end if
    end do
    latency_us = (MPI_Wtime() - start) * 1d6 / (2d0 * count)
  end function latency_us

  double precision function bandwidth_mbps(bytes)
    integer, intent(in) :: bytes
    integer, parameter :: warmup = 2
    integer :: count, i, w
    integer :: requests(window)
    double precision :: start, seconds
    if (bytes <= 65536) then
      count = 50
    else
      count = 10
    end if
    start = 0
    do i = 0, warmup + count - 1
      if (i == warmup) start = MPI_Wtime()
      do w = 1, window
        if (rank == 0) then
          call MPI_Isend(buffer, bytes, MPI_CHARACTER, 1, 2, MPI_COMM_WORLD, requests(w), ierror)
        else
          call MPI_Irecv(buffer, bytes, MPI_CHARACTER, 0, 2, MPI_COMM_WORLD, requests(w), ierror)
        end if
      end do
      call MPI_Waitall(window, requests, MPI_STATUSES_IGNORE, ierror)
      if (rank == 0) then
        call MPI_Recv(buffer, 0, MPI_CHARACTER, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierror)
      else
        call MPI_Send(buffer, 0, MPI_CHARACTER, 0, 3, MPI_COMM_WORLD, ierror)
      end if
    end do
    seconds = MPI_Wtime() - start
    bandwidth_mbps = dble(bytes) * window * count / seconds / 1d6
  end function bandwidth_mbps

  ! `value` written with `format`, with the leading zero that printf's %f gives and F0.d
  ! may leave out.
  function number(value, format) result(text)
    double precision, intent(in) :: value
    character(*), intent(in) :: format
    character(:), allocatable :: text
    character(64) :: field
    write (field, format) value
    text = trim(adjustl(field))
    if (text(1:1) == '.') text = '0' // text
  end function number

end program pingpong
