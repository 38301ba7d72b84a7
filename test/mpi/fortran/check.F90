#include "binding.h"
#undef CHK
#define CHK call chk(__LINE__, 'check.F90')
#undef OPT_CHK
#if defined(BINDING_F08)
#  define OPT_CHK
#else
#  define OPT_CHK call chk(__LINE__, 'check.F90')
#endif

! Result recording and self-checking shared by the Fortran MPI conformance programs, as
! mpi_check.h is for the C ones: ranks record lines, rank 0 prints everyone's in rank order,
! and any failed check prints a FAIL line and aborts the job with exit code 1.
module ferry_check
  MPI_USE
  use, intrinsic :: iso_fortran_env, only: output_unit
  implicit none
  private
  MPI_INCLUDE

  public :: ierr, chk, start, name_program, out, out_flush, finish, fail
  public :: check, check_int, world_rank, world_size, str, truth, near

  integer, parameter :: LINE_LEN = 160
  ! Every call with ierr must overwrite it: chk resets it to this value after each check.
  integer, parameter :: IERR_UNSET = -32766
  integer :: ierr = IERR_UNSET
  character(len=32) :: program_name = 'unnamed'
  character(len=LINE_LEN), allocatable :: records(:)
  integer :: record_count = 0

  interface str
    module procedure str_default, str_address
  end interface str

  ! For floating-point results of exactly representable values, where == would trip
  ! -Wcompare-reals.
  interface near
    module procedure near_real, near_complex
  end interface near

contains

  subroutine name_program(name)
    character(len=*), intent(in) :: name
    program_name = name
  end subroutine name_program

  ! MPI_Init, and the name the FAIL lines and the closing line use.
  subroutine start(name)
    character(len=*), intent(in) :: name
    call name_program(name)
    call MPI_Init(ierr); CHK
  end subroutine start

  integer function world_rank()
    integer :: code
    call MPI_Comm_rank(MPI_COMM_WORLD, world_rank, code)
  end function world_rank

  integer function world_size()
    integer :: code
    call MPI_Comm_size(MPI_COMM_WORLD, world_size, code)
  end function world_size

  subroutine fail(line, message, file)
    integer, intent(in) :: line
    character(len=*), intent(in) :: message
    character(len=*), intent(in), optional :: file
    integer :: code
    character(len=:), allocatable :: where
    if (present(file)) then
      where = file
    else
      where = trim(program_name) // '.F90'
    end if
    write (output_unit, '(a)') 'FAIL ' // where // ':' // str(line) // ': rank ' // &
      str(world_rank()) // ': ' // message
    flush (output_unit)
    call MPI_Abort(MPI_COMM_WORLD, 1, code)
    error stop 1
  end subroutine fail

  ! Checks the ierr of the call just made and marks it unset again.
  subroutine chk(line, file)
    integer, intent(in) :: line
    character(len=*), intent(in), optional :: file
    if (ierr /= MPI_SUCCESS) call fail(line, 'MPI call returned ' // str(ierr), file)
    ierr = IERR_UNSET
  end subroutine chk

  subroutine check(condition, what, line)
    logical, intent(in) :: condition
    character(len=*), intent(in) :: what
    integer, intent(in) :: line
    if (.not. condition) call fail(line, what)
  end subroutine check

  subroutine check_int(actual, expected, what, line)
    integer, intent(in) :: actual, expected
    character(len=*), intent(in) :: what
    integer, intent(in) :: line
    if (actual /= expected) &
      call fail(line, what // ': got ' // str(actual) // ', expected ' // str(expected))
  end subroutine check_int

  function str_default(value) result(text)
    integer, intent(in) :: value
    character(len=:), allocatable :: text
    character(len=24) :: buffer
    write (buffer, '(i0)') value
    text = trim(buffer)
  end function str_default

  function str_address(value) result(text)
    integer(kind=MPI_ADDRESS_KIND), intent(in) :: value
    character(len=:), allocatable :: text
    character(len=24) :: buffer
    write (buffer, '(i0)') value
    text = trim(buffer)
  end function str_address

  elemental logical function near_real(a, b)
    double precision, intent(in) :: a, b
    near_real = abs(a - b) < 1d-9
  end function near_real

  elemental logical function near_complex(a, b)
    double complex, intent(in) :: a, b
    near_complex = abs(a - b) < 1d-9
  end function near_complex

  function truth(value) result(text)
    logical, intent(in) :: value
    character(len=:), allocatable :: text
    if (value) then
      text = 'true'
    else
      text = 'false'
    end if
  end function truth

  ! Records one result line of the calling rank; out_flush prints it later.
  subroutine out(line)
    character(len=*), intent(in) :: line
    character(len=LINE_LEN), allocatable :: grown(:)
    if (len(line) > LINE_LEN) call fail(__LINE__, 'record longer than a line', 'check.F90')
    if (.not. allocated(records)) allocate (records(64))
    if (record_count == size(records)) then
      allocate (grown(2 * size(records)))
      grown(1:record_count) = records(1:record_count)
      call move_alloc(grown, records)
    end if
    record_count = record_count + 1
    records(record_count) = line
  end subroutine out

  ! Collective on MPI_COMM_WORLD: rank 0 prints every rank's recorded lines, in rank order,
  ! each prefixed with the rank that recorded it, and the records are cleared.
  subroutine out_flush()
    integer :: rank, nranks, r, k, total
    integer, allocatable :: counts(:), lengths(:), displs(:)
    character(len=LINE_LEN), allocatable :: gathered(:)
    rank = world_rank()
    nranks = world_size()
    if (.not. allocated(records)) allocate (records(64))
    allocate (counts(nranks), lengths(nranks), displs(nranks))
    counts = 0
    call MPI_Gather(record_count, 1, MPI_INTEGER, counts, 1, MPI_INTEGER, 0, &
                    MPI_COMM_WORLD OPT_IERR); OPT_CHK
    total = 0
    do r = 1, nranks
      displs(r) = total * LINE_LEN
      lengths(r) = counts(r) * LINE_LEN
      total = total + counts(r)
    end do
    allocate (gathered(max(total, 1)))
    call MPI_Gatherv(records, record_count * LINE_LEN, MPI_CHARACTER, gathered, lengths, displs, &
                     MPI_CHARACTER, 0, MPI_COMM_WORLD OPT_IERR); OPT_CHK
    if (rank == 0) then
      do r = 1, nranks
        do k = displs(r) / LINE_LEN + 1, displs(r) / LINE_LEN + counts(r)
          write (output_unit, '(a)') '[' // str(r - 1) // '] ' // trim(gathered(k))
        end do
      end do
      flush (output_unit)
    end if
    record_count = 0
  end subroutine out_flush

  ! Flushes the records, prints "done <name>" from rank 0 and finalizes MPI.
  subroutine finish()
    call out_flush()
    if (world_rank() == 0) then
      write (output_unit, '(a)') 'done ' // trim(program_name)
      flush (output_unit)
    end if
    call MPI_Finalize(ierr); CHK
  end subroutine finish

end module ferry_check
