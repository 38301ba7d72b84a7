#include "binding.h"

! MPI-IO through the Fortran bindings: file handles, offsets of MPI_OFFSET_KIND, statuses
! and requests of file calls. Every rank writes its block collectively and a piece in rank
! order through the shared pointer, reads its neighbour's block back, and rank 0 prints a
! checksum of the whole file; the file goes when it is closed (MPI_MODE_DELETE_ON_CLOSE).
program file_io
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: BLOCK = 8
  integer :: rank, nranks

  call start('file_io')
  rank = world_rank()
  nranks = world_size()
  call blocks_and_ordered_pieces()
  call finish()

contains

  function scratch_name() result(name)
    character(len=256) :: name
    HANDLE(MPI_Comm) :: world
    name = ' '
    if (rank == 0) write (name, '(a, i0, a)') '/tmp/ferry-io-fortran-', getpid(), '.dat'
    world = MPI_COMM_WORLD
    call MPI_Bcast(name, len(name), MPI_CHARACTER, 0, world, ierr); CHK
  end function scratch_name

  subroutine blocks_and_ordered_pieces()
    HANDLE(MPI_File) :: file
    HANDLE(MPI_Request) :: request
    STATUS_T :: STATUS_VAR(status)
    integer(kind=MPI_OFFSET_KIND) :: offset, bytes, position
    integer :: mine(BLOCK), theirs(BLOCK), piece(BLOCK), everything(BLOCK * 4 + 16), i, got, total, amode
    integer :: next, checksum
    amode = MPI_MODE_CREATE + MPI_MODE_RDWR + MPI_MODE_DELETE_ON_CLOSE
    call MPI_File_open(MPI_COMM_WORLD, trim(scratch_name()), amode, MPI_INFO_NULL, file, ierr); CHK
    mine = [(rank * 100 + i, i = 1, BLOCK)]
    offset = int(rank, MPI_OFFSET_KIND) * BLOCK * 4
    call MPI_File_write_at_all(file, offset, mine, BLOCK, MPI_INTEGER, status, ierr); CHK
    call MPI_Get_count(status, MPI_INTEGER, got, ierr); CHK
    call check_int(got, BLOCK, 'count written', __LINE__)
    ! The pieces go after the blocks, each rank's rank + 1 integers in rank order.
    offset = int(nranks, MPI_OFFSET_KIND) * BLOCK * 4
    call MPI_File_set_view(file, offset, MPI_INTEGER, MPI_INTEGER, 'native', MPI_INFO_NULL, ierr); CHK
    piece = [(-(rank * 10 + i), i = 1, BLOCK)]
    call MPI_File_write_ordered(file, piece, rank + 1, MPI_INTEGER, status, ierr); CHK
    call MPI_Barrier(MPI_COMM_WORLD, ierr); CHK
    call MPI_File_get_position_shared(file, position, ierr); CHK
    total = nranks * (nranks + 1) / 2
    call check_int(int(position), total, 'shared pointer after write_ordered', __LINE__)
    call MPI_File_set_view(file, 0_MPI_OFFSET_KIND, MPI_BYTE, MPI_BYTE, 'native', MPI_INFO_NULL, ierr); CHK
    call MPI_File_sync(file, ierr); CHK
    next = mod(rank + 1, nranks)
    offset = int(next, MPI_OFFSET_KIND) * BLOCK * 4
    call MPI_File_iread_at(file, offset, theirs, BLOCK, MPI_INTEGER, request, ierr); CHK
    call MPI_Wait(request, status, ierr); CHK
    do i = 1, BLOCK
      call check_int(theirs(i), next * 100 + i, 'neighbour''s block', __LINE__)
    end do
    call MPI_File_get_size(file, bytes, ierr); CHK
    call check_int(int(bytes), (nranks * BLOCK + total) * 4, 'file size', __LINE__)
    if (rank == 0) then
      call MPI_File_read_at(file, 0_MPI_OFFSET_KIND, everything, nranks * BLOCK + total, MPI_INTEGER, status, &
                            ierr); CHK
      checksum = 0
      do i = 1, nranks * BLOCK + total
        checksum = mod(checksum * 31 + everything(i) + 1000003, 1000000007)
      end do
      call out('file of ' // str(int(bytes)) // ' bytes, checksum ' // str(checksum))
    end if
    call MPI_File_close(file, ierr); CHK
    call out('closed; neighbour''s block read back')
    call out_flush()
  end subroutine blocks_and_ordered_pieces

end program file_io
