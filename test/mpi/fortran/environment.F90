#include "binding.h"

! Environment queries: init/finalize state as LOGICAL flags, thread support, processor name,
! error classes and strings (also user-defined ones) in Fortran strings, version and timers.
program environment
  MPI_USE
  use ferry_check
  use, intrinsic :: iso_fortran_env, only: output_unit
  implicit none
  MPI_INCLUDE

  logical :: initialized_before, finalized_before, flag
  integer :: provided, rank

  initialized_before = .true.
  finalized_before = .true.
  call MPI_Initialized(initialized_before, ierr)
  if (ierr == MPI_SUCCESS) call MPI_Finalized(finalized_before, ierr)
  if (ierr /= MPI_SUCCESS .or. initialized_before .or. finalized_before) then
    write (output_unit, '(a)') 'FAIL Initialized or Finalized before MPI_Init_thread'
    error stop 1
  end if
  call name_program('environment')
  provided = -1
  call MPI_Init_thread(MPI_THREAD_SERIALIZED, provided, ierr); CHK
  rank = world_rank()
  flag = .false.
  call MPI_Initialized(flag, ierr); CHK
  call check(flag, 'Initialized is false after MPI_Init_thread', __LINE__)
  flag = .true.
  call MPI_Finalized(flag, ierr); CHK
  call check(.not. flag, 'Finalized is true before MPI_Finalize', __LINE__)
  if (rank == 0) then
    call out('world size ' // str(world_size()))
    call out('before init: initialized ' // truth(initialized_before) // ', finalized ' // &
             truth(finalized_before))
  end if
  call check_thread_queries()
  call check_processor_name()
  call check_error_strings()
  call check_timers()
  call check_versions()
  call finish()
  flag = .false.
  call MPI_Finalized(flag, ierr)
  if (ierr /= MPI_SUCCESS .or. .not. flag) then
    write (output_unit, '(a)') 'FAIL Finalized is false after MPI_Finalize'
    error stop 1
  end if

contains

  function thread_level_name(level) result(name)
    integer, intent(in) :: level
    character(len=:), allocatable :: name
    if (level == MPI_THREAD_SINGLE) then
      name = 'single'
    else if (level == MPI_THREAD_FUNNELED) then
      name = 'funneled'
    else if (level == MPI_THREAD_SERIALIZED) then
      name = 'serialized'
    else if (level == MPI_THREAD_MULTIPLE) then
      name = 'multiple'
    else
      name = 'unknown'
    end if
  end function thread_level_name

  subroutine check_thread_queries()
    integer :: queried
    logical :: is_main, granted_at_least, all_at_least
    queried = -1
    call MPI_Query_thread(queried, ierr); CHK
    call check_int(queried, provided, 'Query_thread level', __LINE__)
    is_main = .false.
    call MPI_Is_thread_main(is_main, ierr); CHK
    call check(is_main, 'Is_thread_main is false on the thread that initialized MPI', __LINE__)
    granted_at_least = provided >= MPI_THREAD_SERIALIZED
    call MPI_Allreduce(granted_at_least, all_at_least, 1, MPI_LOGICAL, MPI_LAND, MPI_COMM_WORLD, &
                       ierr); CHK
    call out('thread level granted ' // thread_level_name(provided))
    if (rank == 0) call out('every rank granted at least serialized: ' // truth(all_at_least))
  end subroutine check_thread_queries

  subroutine check_processor_name()
    character(len=MPI_MAX_PROCESSOR_NAME) :: name
    integer :: length
    name = repeat('#', len(name))
    length = -1
    call MPI_Get_processor_name(name, length, ierr); CHK
    call check(length > 0 .and. length < MPI_MAX_PROCESSOR_NAME, 'processor name length ' // &
               str(length), __LINE__)
    call check(len_trim(name) == length, 'processor name not blank after its length', __LINE__)
    call check(index(name(1:length), ' ') == 0, 'processor name contains a blank', __LINE__)
    call out('processor name non-empty, blank-padded after its length')
  end subroutine check_processor_name

  subroutine check_error_strings()
    character(len=MPI_MAX_ERROR_STRING) :: text
    integer :: length, error_class, new_class, new_code
    text = repeat('#', len(text))
    length = -1
    call MPI_Error_string(MPI_ERR_RANK, text, length, ierr); CHK
    call check(length > 0 .and. length < MPI_MAX_ERROR_STRING, 'error string length ' // &
               str(length), __LINE__)
    call check(len_trim(text) == length, 'error string not blank after its length', __LINE__)
    call MPI_Error_class(MPI_ERR_RANK, error_class, ierr); CHK
    call check_int(error_class, MPI_ERR_RANK, 'class of MPI_ERR_RANK', __LINE__)
    call MPI_Add_error_class(new_class, ierr); CHK
    call MPI_Add_error_code(new_class, new_code, ierr); CHK
    call MPI_Add_error_string(new_code, 'ferry test error', ierr); CHK
    call MPI_Error_string(new_code, text, length, ierr); CHK
    call check(text(1:length) == 'ferry test error' .and. text(length + 1:) == '', &
               'string of a user-defined error code: ' // trim(text), __LINE__)
    call MPI_Error_class(new_code, error_class, ierr); CHK
    call check_int(error_class, new_class, 'class of a user-defined error code', __LINE__)
    if (rank == 0) call out('error strings: MPI_ERR_RANK non-empty, user-defined code ''' // &
                            text(1:length) // ''' in its own class')
  end subroutine check_error_strings

  subroutine check_timers()
    double precision :: previous, now, tick, before_barrier
    logical :: monotonic
    integer :: i
    previous = MPI_Wtime()
    before_barrier = previous
    monotonic = .true.
    do i = 1, 1000
      now = MPI_Wtime()
      if (now < previous) monotonic = .false.
      previous = now
    end do
    call MPI_Barrier(MPI_COMM_WORLD, ierr); CHK
    now = MPI_Wtime()
    call check(monotonic .and. now >= before_barrier, 'MPI_Wtime went backwards', __LINE__)
    tick = MPI_Wtick()
    call check(tick > 0d0 .and. tick < 1d0, 'MPI_Wtick is not in (0, 1)', __LINE__)
    call out('wtime monotonic, wtick positive')
  end subroutine check_timers

  subroutine check_versions()
    integer :: version, subversion, length
    character(len=MPI_MAX_LIBRARY_VERSION_STRING) :: library
    logical :: open_mpi
    version = 0
    subversion = 0
    call MPI_Get_version(version, subversion, ierr); CHK
    call check_int(version, MPI_VERSION, 'Get_version version', __LINE__)
    call check_int(subversion, MPI_SUBVERSION, 'Get_version subversion', __LINE__)
    length = -1
    call MPI_Get_library_version(library, length, ierr); CHK
    call check(length > 0, 'library version string is empty', __LINE__)
    open_mpi = library(1:8) == 'Open MPI'
    call check(open_mpi, 'library version does not start with Open MPI', __LINE__)
    call out('version ' // str(version) // '.' // str(subversion) // ', library is Open MPI: ' // &
             truth(open_mpi))
  end subroutine check_versions

end program environment
