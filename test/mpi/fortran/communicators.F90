#include "binding.h"

! Attribute callbacks and an error handler written in Fortran. They record what they were
! called with, for the program to check.
module comm_callbacks
  MPI_USE
  implicit none
  private
  MPI_INCLUDE

  public :: copy_attribute, delete_attribute, count_error
  public :: copies, copied_keyval, copied_from, wrong_extra_states
  public :: deletions, deleted_keyval, null_comm_deletions, last_deleted
  public :: handler_calls, handler_class, handler_comm
  public :: EXTRA_STATE
#if !defined(BINDING_F08)
  public :: copy_integer_attribute, delete_integer_attribute
  public :: integer_copies, integer_deletions, last_integer_deleted, INTEGER_EXTRA_STATE
  public :: integer_copied_keyval, integer_copied_from, integer_deleted_keyval
#endif

  integer(kind=MPI_ADDRESS_KIND), parameter :: EXTRA_STATE = 4242
  integer :: copies = 0, copied_keyval = -1, wrong_extra_states = 0
  integer :: deletions = 0, deleted_keyval = -1, null_comm_deletions = 0
  integer(kind=MPI_ADDRESS_KIND) :: last_deleted = -1
  HANDLE(MPI_Comm) :: copied_from, handler_comm
  integer :: handler_calls = 0, handler_class = -1
#if !defined(BINDING_F08)
  integer, parameter :: INTEGER_EXTRA_STATE = 31
  integer :: integer_copies = 0, integer_deletions = 0, last_integer_deleted = -1
  integer :: integer_copied_keyval = -1, integer_copied_from = -1, integer_deleted_keyval = -1
#endif

contains

#if !defined(BINDING_F08)
  ! The callbacks of MPI-1's MPI_KEYVAL_CREATE, whose values are default INTEGERs.
  subroutine copy_integer_attribute(oldcomm, keyval, extra_state, attribute_val_in, &
                                    attribute_val_out, flag, ierror)
    integer :: oldcomm, keyval, extra_state, attribute_val_in, attribute_val_out, ierror
    logical :: flag
    integer_copies = integer_copies + 1
    integer_copied_keyval = keyval
    integer_copied_from = oldcomm
    if (extra_state /= INTEGER_EXTRA_STATE) wrong_extra_states = wrong_extra_states + 1
    attribute_val_out = attribute_val_in * 2
    flag = .true.
    ierror = MPI_SUCCESS
  end subroutine copy_integer_attribute

  subroutine delete_integer_attribute(comm, keyval, attribute_val, extra_state, ierror)
    integer :: comm, keyval, attribute_val, extra_state, ierror
    integer_deletions = integer_deletions + 1
    integer_deleted_keyval = keyval
    if (comm == MPI_COMM_NULL) null_comm_deletions = null_comm_deletions + 1
    last_integer_deleted = attribute_val
    if (extra_state /= INTEGER_EXTRA_STATE) wrong_extra_states = wrong_extra_states + 1
    ierror = MPI_SUCCESS
  end subroutine delete_integer_attribute
#endif

  subroutine copy_attribute(oldcomm, comm_keyval, extra_state, attribute_val_in, &
                            attribute_val_out, flag, ierror)
    HANDLE(MPI_Comm) :: oldcomm
    integer :: comm_keyval, ierror
    integer(kind=MPI_ADDRESS_KIND) :: extra_state, attribute_val_in, attribute_val_out
    logical :: flag
    if (extra_state /= EXTRA_STATE) wrong_extra_states = wrong_extra_states + 1
    copies = copies + 1
    copied_keyval = comm_keyval
    copied_from = oldcomm
    attribute_val_out = attribute_val_in + 1
    flag = .true.
    ierror = MPI_SUCCESS
  end subroutine copy_attribute

  subroutine delete_attribute(comm, comm_keyval, attribute_val, extra_state, ierror)
    HANDLE(MPI_Comm) :: comm
    integer :: comm_keyval, ierror
    integer(kind=MPI_ADDRESS_KIND) :: attribute_val, extra_state
    if (extra_state /= EXTRA_STATE) wrong_extra_states = wrong_extra_states + 1
    deletions = deletions + 1
    deleted_keyval = comm_keyval
    ! Open MPI 4.1 passes the handle of MPI_COMM_WORLD, not that of the comm the attribute
    ! is deleted from, so only its being a communicator is checked.
    if (comm == MPI_COMM_NULL) null_comm_deletions = null_comm_deletions + 1
    last_deleted = attribute_val
    ierror = MPI_SUCCESS
  end subroutine delete_attribute

  subroutine count_error(comm, error_code)
    HANDLE(MPI_Comm) :: comm
    integer :: error_code
    integer :: code
    handler_calls = handler_calls + 1
    handler_comm = comm
    call MPI_Error_class(error_code, handler_class, code)
  end subroutine count_error

end module comm_callbacks

! Communicators: duplication, splitting, creation from groups, comparison,
! attributes with Fortran and predefined callbacks, names as Fortran strings, error handlers,
! and communication on every derived communicator.
program communicators
  MPI_USE
  use ferry_check
  use comm_callbacks
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_RANKS = 8
  integer :: rank, nranks, checked_rank

  call start('communicators')
  rank = world_rank()
  nranks = world_size()
  call check(nranks <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  call MPI_Comm_rank(MPI_COMM_WORLD, checked_rank, ierr); CHK
  call check_int(checked_rank, rank, 'Comm_rank', __LINE__)
  if (rank == 0) call out('world size ' // str(nranks))
  call exercise(MPI_COMM_WORLD, 'world')
  call check_dup_and_compare()
  call check_split()
  call check_create()
  call check_attributes()
#if !defined(BINDING_F08)
  call check_mpi1_attributes()
#endif
  call check_names()
  call check_errhandlers()
  call finish()

contains

  function compare_name(result) result(name)
    integer, intent(in) :: result
    character(len=:), allocatable :: name
    if (result == MPI_IDENT) then
      name = 'ident'
    else if (result == MPI_CONGRUENT) then
      name = 'congruent'
    else if (result == MPI_SIMILAR) then
      name = 'similar'
    else if (result == MPI_UNEQUAL) then
      name = 'unequal'
    else
      name = 'invalid'
    end if
  end function compare_name

  ! A ring exchange and an allreduce of world ranks prove the communicator carries traffic
  ! between the right processes.
  subroutine exercise(comm, label)
    HANDLE(MPI_Comm), intent(in) :: comm
    character(len=*), intent(in) :: label
    integer :: comm_rank, comm_size, from_prev, members(MAX_RANKS), total
    call MPI_Comm_rank(comm, comm_rank, ierr); CHK
    call MPI_Comm_size(comm, comm_size, ierr); CHK
    from_prev = -1
    call MPI_Sendrecv(rank, 1, MPI_INTEGER, mod(comm_rank + 1, comm_size), 3, from_prev, 1, &
                      MPI_INTEGER, mod(comm_rank + comm_size - 1, comm_size), 3, comm, &
                      MPI_STATUS_IGNORE, ierr); CHK
    call MPI_Allgather(rank, 1, MPI_INTEGER, members, 1, MPI_INTEGER, comm, ierr); CHK
    call check_int(members(comm_rank + 1), rank, 'own entry of allgather', __LINE__)
    call check_int(from_prev, members(mod(comm_rank + comm_size - 1, comm_size) + 1), &
                   'ring neighbour on a derived comm', __LINE__)
    total = -1
    call MPI_Allreduce(rank, total, 1, MPI_INTEGER, MPI_SUM, comm, ierr); CHK
    call check_int(total, sum(members(1:comm_size)), 'allreduce of world ranks', __LINE__)
    call out(label // ': rank ' // str(comm_rank) // ' of ' // str(comm_size) // &
             ', world rank of previous ' // str(from_prev) // ', sum of world ranks ' // str(total))
  end subroutine exercise

  subroutine check_dup_and_compare()
    HANDLE(MPI_Comm) :: dup, idup, reversed, parity
    HANDLE(MPI_Request) :: request
    integer :: results(4)
    logical :: inter
    call MPI_Comm_dup(MPI_COMM_WORLD, dup, ierr); CHK
    call MPI_Comm_idup(dup, idup, request, ierr); CHK
    call MPI_Wait(request, MPI_STATUS_IGNORE, ierr); CHK
    call MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_WORLD, results(1), ierr); CHK
    call MPI_Comm_compare(MPI_COMM_WORLD, dup, results(2), ierr); CHK
    call MPI_Comm_split(MPI_COMM_WORLD, 0, -rank, reversed, ierr); CHK
    call MPI_Comm_split(MPI_COMM_WORLD, mod(rank, 2), 0, parity, ierr); CHK
    call MPI_Comm_compare(MPI_COMM_WORLD, reversed, results(3), ierr); CHK
    call MPI_Comm_compare(MPI_COMM_WORLD, parity, results(4), ierr); CHK
    call check_int(results(1), MPI_IDENT, 'compare world with itself', __LINE__)
    call check_int(results(2), MPI_CONGRUENT, 'compare world with its dup', __LINE__)
    call check_int(results(3), MPI_SIMILAR, 'compare world with a reordered split', __LINE__)
    call check_int(results(4), MPI_UNEQUAL, 'compare world with a parity split', __LINE__)
    inter = .true.
    call MPI_Comm_test_inter(dup, inter, ierr); CHK
    call check(.not. inter, 'a dup of MPI_COMM_WORLD reports being an intercommunicator', __LINE__)
    if (rank == 0) call out('compare: self ' // compare_name(results(1)) // ', dup ' // &
                            compare_name(results(2)) // ', reordered ' // &
                            compare_name(results(3)) // ', parity split ' // &
                            compare_name(results(4)) // '; test_inter ' // truth(inter))
    call exercise(dup, 'dup')
    call exercise(idup, 'idup')
    call exercise(reversed, 'split reversed')
    call MPI_Comm_free(idup, ierr); CHK
    call MPI_Comm_free(dup, ierr); CHK
    call MPI_Comm_free(reversed OPT_IERR); OPT_CHK
    call MPI_Comm_free(parity OPT_IERR); OPT_CHK
    call check(dup == MPI_COMM_NULL, 'Comm_free did not null the handle', __LINE__)
  end subroutine check_dup_and_compare

  subroutine check_split()
    HANDLE(MPI_Comm) :: colors, some, shared
    integer :: expected_rank, expected_size, got_rank, got_size, r, color, shared_size
    call MPI_Comm_split(MPI_COMM_WORLD, mod(rank, 3), nranks - rank, colors, ierr); CHK
    expected_rank = 0
    expected_size = 0
    do r = 0, nranks - 1
      if (mod(r, 3) /= mod(rank, 3)) cycle
      expected_size = expected_size + 1
      if (r > rank) expected_rank = expected_rank + 1
    end do
    call MPI_Comm_rank(colors, got_rank, ierr); CHK
    call MPI_Comm_size(colors, got_size, ierr); CHK
    call check_int(got_rank, expected_rank, 'split rank with reversing keys', __LINE__)
    call check_int(got_size, expected_size, 'split size', __LINE__)
    call exercise(colors, 'split color rank%3')
    call MPI_Comm_free(colors, ierr); CHK
    color = 1
    if (rank == nranks - 1) color = MPI_UNDEFINED
    call MPI_Comm_split(MPI_COMM_WORLD, color, rank, some, ierr); CHK
    if (rank == nranks - 1) then
      call check(some == MPI_COMM_NULL, 'MPI_UNDEFINED color did not give MPI_COMM_NULL', __LINE__)
      call out('split with MPI_UNDEFINED: MPI_COMM_NULL')
    else
      call exercise(some, 'split without the last rank')
      call MPI_Comm_free(some, ierr); CHK
    end if
    call MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, shared, &
                             ierr); CHK
    call MPI_Comm_size(shared, shared_size, ierr); CHK
    if (rank == 0) call out('split_type shared: size ' // str(shared_size))
    call MPI_Comm_free(shared, ierr); CHK
  end subroutine check_split

  subroutine check_create()
    HANDLE(MPI_Group) :: world_group, without_first, ends_group
    HANDLE(MPI_Comm) :: created
    integer :: first(1), ends(2)
    call MPI_Comm_group(MPI_COMM_WORLD, world_group, ierr); CHK
    first(1) = 0
    call MPI_Group_excl(world_group, 1, first, without_first, ierr); CHK
    call MPI_Comm_create(MPI_COMM_WORLD, without_first, created, ierr); CHK
    if (rank == 0) then
      call check(created == MPI_COMM_NULL, 'Comm_create gave a comm to a non-member', __LINE__)
      call out('comm_create without rank 0: MPI_COMM_NULL')
    else
      call exercise(created, 'comm_create without rank 0')
      call MPI_Comm_free(created, ierr); CHK
    end if
    ends = [nranks - 1, 0]
    call MPI_Group_incl(world_group, 2, ends, ends_group, ierr); CHK
    if (rank == 0 .or. rank == nranks - 1) then
      call MPI_Comm_create_group(MPI_COMM_WORLD, ends_group, 17, created, ierr); CHK
      call exercise(created, 'comm_create_group last and first')
      call MPI_Comm_free(created, ierr); CHK
    end if
    call MPI_Group_free(ends_group, ierr); CHK
    call MPI_Group_free(without_first, ierr); CHK
    call MPI_Group_free(world_group, ierr); CHK
  end subroutine check_create

#if !defined(BINDING_F08)
  ! The MPI-1 names (mpif.h and `use mpi` only), with INTEGER attribute values.
  subroutine check_mpi1_attributes()
    integer :: first, second, keyval, dup_keyval, value
    logical :: flag
    call MPI_Keyval_create(copy_integer_attribute, delete_integer_attribute, keyval, &
                           INTEGER_EXTRA_STATE, ierr); CHK
    call MPI_Keyval_create(MPI_DUP_FN, MPI_NULL_DELETE_FN, dup_keyval, 0, ierr); CHK
    call MPI_Comm_dup(MPI_COMM_WORLD, first, ierr); CHK
    call MPI_Attr_put(first, keyval, 21, ierr); CHK
    call MPI_Attr_put(first, dup_keyval, 55, ierr); CHK
    call MPI_Comm_dup(first, second, ierr); CHK
    call check_int(integer_copies, 1, 'INTEGER copy callback calls after dup', __LINE__)
    call check_int(integer_copied_keyval, keyval, 'keyval passed to the INTEGER copy callback', __LINE__)
    call check(integer_copied_from == first, 'comm passed to the INTEGER copy callback', __LINE__)
    value = -1
    flag = .false.
    call MPI_Attr_get(second, keyval, value, flag, ierr); CHK
    call check(flag .and. value == 42, 'value copied by the INTEGER callback', __LINE__)
    call MPI_Attr_get(second, dup_keyval, value, flag, ierr); CHK
    call check(flag .and. value == 55, 'value copied by MPI_DUP_FN', __LINE__)
    call MPI_Attr_delete(second, keyval, ierr); CHK
    call check_int(integer_deletions, 1, 'INTEGER delete callback calls after Attr_delete', __LINE__)
    call check_int(last_integer_deleted, 42, 'value passed to the INTEGER delete callback', __LINE__)
    call check_int(integer_deleted_keyval, keyval, 'keyval passed to the INTEGER delete callback', __LINE__)
    call MPI_Attr_get(second, keyval, value, flag, ierr); CHK
    call check(.not. flag, 'attribute deleted by Attr_delete still present', __LINE__)
    call MPI_Comm_free(second, ierr); CHK
    call MPI_Comm_free(first, ierr); CHK
    call check_int(integer_deletions, 2, 'INTEGER delete callback calls after free', __LINE__)
    call check_int(last_integer_deleted, 21, 'value of the original passed at free', __LINE__)
    call check_int(wrong_extra_states, 0, 'INTEGER callbacks given another extra_state', __LINE__)
    call check_int(null_comm_deletions, 0, 'INTEGER delete callbacks given MPI_COMM_NULL', __LINE__)
    call MPI_Keyval_free(keyval, ierr); CHK
    call MPI_Keyval_free(dup_keyval, ierr); CHK
    call check_int(keyval, MPI_KEYVAL_INVALID, 'freed MPI-1 keyval', __LINE__)
    if (rank == 0) call out('MPI-1 attributes: ' // str(integer_copies) // ' copy, ' // &
                            str(integer_deletions) // ' deletes')
  end subroutine check_mpi1_attributes
#endif

  subroutine check_attributes()
    HANDLE(MPI_Comm) :: first, second
    integer :: keyval, dup_keyval, null_keyval
    integer(kind=MPI_ADDRESS_KIND) :: value, tag_ub, wtime_global
    logical :: flag, global_flag
    call MPI_Comm_create_keyval(copy_attribute, delete_attribute, keyval, EXTRA_STATE, ierr); CHK
    call MPI_Comm_create_keyval(MPI_COMM_DUP_FN, MPI_COMM_NULL_DELETE_FN, dup_keyval, &
                                0_MPI_ADDRESS_KIND, ierr); CHK
    call MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, delete_attribute, null_keyval, &
                                EXTRA_STATE, ierr); CHK
    call MPI_Comm_dup(MPI_COMM_WORLD, first, ierr); CHK
    call MPI_Comm_set_attr(first, keyval, 1000_MPI_ADDRESS_KIND, ierr); CHK
    call MPI_Comm_set_attr(first, dup_keyval, 77_MPI_ADDRESS_KIND, ierr); CHK
    call MPI_Comm_set_attr(first, null_keyval, 5_MPI_ADDRESS_KIND, ierr); CHK
    call MPI_Comm_set_attr(first, null_keyval, 6_MPI_ADDRESS_KIND, ierr); CHK
    call check_int(deletions, 1, 'delete callback calls after replacing a value', __LINE__)
    call check(last_deleted == 5, 'replaced value passed to the delete callback', __LINE__)
    call check_int(deleted_keyval, null_keyval, 'keyval passed to the delete callback', __LINE__)
    call MPI_Comm_dup(first, second, ierr); CHK
    call check_int(copies, 1, 'copy callback calls after dup', __LINE__)
    call check_int(copied_keyval, keyval, 'keyval passed to the copy callback', __LINE__)
    call check(copied_from == first, 'comm passed to the copy callback', __LINE__)

    value = -1
    flag = .false.
    call MPI_Comm_get_attr(second, keyval, value, flag, ierr); CHK
    call check(flag .and. value == 1001, 'value copied by the Fortran callback', __LINE__)
    call MPI_Comm_get_attr(second, dup_keyval, value, flag, ierr); CHK
    call check(flag .and. value == 77, 'value copied by MPI_COMM_DUP_FN', __LINE__)
    call MPI_Comm_get_attr(second, null_keyval, value, flag, ierr); CHK
    call check(.not. flag, 'MPI_COMM_NULL_COPY_FN copied a value', __LINE__)

    call MPI_Comm_delete_attr(first, keyval, ierr); CHK
    call check_int(deletions, 2, 'delete callback calls after delete_attr', __LINE__)
    call check(last_deleted == 1000, 'deleted value passed to the delete callback', __LINE__)
    call check_int(deleted_keyval, keyval, 'keyval of a deleted attribute', __LINE__)
    call MPI_Comm_get_attr(first, keyval, value, flag, ierr); CHK
    call check(.not. flag, 'deleted attribute still present', __LINE__)
    call MPI_Comm_free(second, ierr); CHK
    call check_int(deletions, 3, 'delete callback calls after freeing the dup', __LINE__)
    call check(last_deleted == 1001, 'value of the dup passed to the delete callback', __LINE__)
    call check_int(deleted_keyval, keyval, 'keyval deleted with the dup', __LINE__)
    call MPI_Comm_free(first, ierr); CHK
    call check_int(deletions, 4, 'delete callback calls after freeing the original', __LINE__)
    call check(last_deleted == 6, 'value of the original passed to the delete callback', __LINE__)
    call check_int(deleted_keyval, null_keyval, 'keyval deleted with the original', __LINE__)
    call check_int(null_comm_deletions, 0, 'delete callbacks given MPI_COMM_NULL', __LINE__)
    call check_int(wrong_extra_states, 0, 'callbacks given another extra_state', __LINE__)
    call MPI_Comm_free_keyval(keyval, ierr); CHK
    call MPI_Comm_free_keyval(dup_keyval, ierr); CHK
    call MPI_Comm_free_keyval(null_keyval, ierr); CHK
    call check_int(keyval, MPI_KEYVAL_INVALID, 'freed keyval', __LINE__)

    tag_ub = -1
    call MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, tag_ub, flag, ierr); CHK
    call check(flag, 'MPI_TAG_UB is not set', __LINE__)
    wtime_global = -1
    global_flag = .false.
    call MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, wtime_global, global_flag, &
                           ierr); CHK
    call check(global_flag, 'MPI_WTIME_IS_GLOBAL is not set', __LINE__)
    call check(wtime_global == 0 .or. wtime_global == 1, 'MPI_WTIME_IS_GLOBAL is ' // &
               str(wtime_global), __LINE__)
    if (rank == 0) call out('attributes: ' // str(copies) // ' copy, ' // str(deletions) // &
                            ' deletes; tag_ub >= 32767: ' // truth(tag_ub >= 32767) // &
                            '; wtime_is_global set: ' // truth(global_flag))
  end subroutine check_attributes

  subroutine check_names()
    character(len=MPI_MAX_OBJECT_NAME) :: name
    character(len=40) :: padded
    HANDLE(MPI_Comm) :: dup
    integer :: length
    name = 'garbage'
    length = -1
    call MPI_Comm_get_name(MPI_COMM_WORLD, name, length, ierr); CHK
    call check(name == 'MPI_COMM_WORLD', 'name of MPI_COMM_WORLD is ' // trim(name), __LINE__)
    call check_int(length, 14, 'length of the name of MPI_COMM_WORLD', __LINE__)
    call MPI_Comm_dup(MPI_COMM_WORLD, dup, ierr); CHK
    padded = 'ferry test comm'
    call MPI_Comm_set_name(dup, padded, ierr); CHK
    name = 'garbage garbage garbage'
    call MPI_Comm_get_name(dup, name, length, ierr); CHK
    call check(name == 'ferry test comm', 'name of a dup is ' // trim(name), __LINE__)
    call check_int(length, 15, 'length of a name set from a blank-padded string', __LINE__)
    call MPI_Comm_set_name(dup, 'x', ierr); CHK
    call MPI_Comm_get_name(dup, name, length, ierr); CHK
    call check(name == 'x' .and. length == 1, 'one-character name is ' // trim(name), __LINE__)
    call exercise(dup, 'named dup')
    call MPI_Comm_free(dup, ierr); CHK
    if (rank == 0) call out('names: MPI_COMM_WORLD, ''ferry test comm'' of length 15, ''x''')
  end subroutine check_names

  subroutine check_errhandlers()
    HANDLE(MPI_Comm) :: dup
    HANDLE(MPI_Errhandler) :: handler, current
    integer :: payload(1), rc, error_class
    payload = 1
    call MPI_Comm_dup(MPI_COMM_WORLD, dup, ierr); CHK
    call MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN, ierr); CHK
    rc = MPI_SUCCESS
    call MPI_Send(payload, 1, MPI_INTEGER, nranks + 5, 0, dup, rc)
    error_class = MPI_SUCCESS
    call MPI_Error_class(rc, error_class, ierr); CHK
    call check_int(error_class, MPI_ERR_RANK, 'class of a send to an invalid rank', __LINE__)

    call MPI_Comm_create_errhandler(count_error, handler, ierr); CHK
    call MPI_Comm_set_errhandler(dup, handler, ierr); CHK
    call MPI_Comm_get_errhandler(dup, current, ierr); CHK
    call check(current == handler, 'Comm_get_errhandler returned another handler', __LINE__)
    call MPI_Errhandler_free(current, ierr); CHK
    rc = MPI_SUCCESS
    call MPI_Send(payload, 1, MPI_INTEGER, nranks + 5, 0, dup, rc)
    call check(rc /= MPI_SUCCESS, 'a send to an invalid rank succeeded', __LINE__)
    call check_int(handler_calls, 1, 'Fortran error handler calls', __LINE__)
    call check_int(handler_class, MPI_ERR_RANK, 'class seen by the Fortran error handler', __LINE__)
    call check(handler_comm == dup, 'comm passed to the Fortran error handler', __LINE__)
    call MPI_Comm_call_errhandler(dup, MPI_ERR_OTHER, ierr); CHK
    call check_int(handler_calls, 2, 'Fortran error handler calls after call_errhandler', __LINE__)
    call check_int(handler_class, MPI_ERR_OTHER, 'class passed by Comm_call_errhandler', __LINE__)
    call MPI_Errhandler_free(handler, ierr); CHK
    call check(handler == MPI_ERRHANDLER_NULL, 'Errhandler_free did not null the handle', __LINE__)
    call MPI_Comm_free(dup, ierr); CHK
    if (rank == 0) call out('errhandlers: errors_return gives MPI_ERR_RANK, Fortran handler ' // &
                            'called for an invalid rank and by call_errhandler')
  end subroutine check_errhandlers

end program communicators
