#include "binding.h"

! Ports and names in Fortran: rank 0 opens a port and publishes it, rank 1 looks it up;
! rank 0 accepts on MPI_COMM_SELF and rank 1 connects, a message goes each way, rank 1
! fails to connect to a closed port and to look the name up once it is unpublished, and
! both disconnect. Runs with function ranks under the embedded manager of `ferry run`.
program ports
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  character(len=*), parameter :: SERVICE = 'ferry-fortran-ports'
  character(len=MPI_MAX_PORT_NAME) :: port
  HANDLE(MPI_Comm) :: inter
  integer :: rank, remote_size, value

  call start('ports')
  rank = world_rank()
  call check(world_size() >= 2, 'two ranks needed', __LINE__)
  port = ''
  if (rank == 0) then
    call MPI_Open_port(MPI_INFO_NULL, port, ierr); CHK
    call MPI_Publish_name(SERVICE, MPI_INFO_NULL, port, ierr); CHK
    call out('published')
  end if
  call MPI_Barrier(MPI_COMM_WORLD, ierr); CHK
  if (rank == 1) then
    call MPI_Lookup_name(SERVICE, MPI_INFO_NULL, port, ierr); CHK
    call check(len_trim(port) > 0 .and. len_trim(port) < MPI_MAX_PORT_NAME, 'a port name', __LINE__)
    call out('looked up')
  end if
  if (rank == 0) then
    call MPI_Comm_accept(port, MPI_INFO_NULL, 0, MPI_COMM_SELF, inter, ierr); CHK
  else if (rank == 1) then
    call MPI_Comm_connect(port, MPI_INFO_NULL, 0, MPI_COMM_SELF, inter, ierr); CHK
  end if
  if (rank < 2) then
    call MPI_Comm_remote_size(inter, remote_size, ierr); CHK
    value = exchange(inter, rank)
    call out('connected to ' // str(remote_size) // ' process, got ' // str(value))
    if (rank == 0) call offer_closed_port(inter, port)
    if (rank == 1) call try_closed_port(inter)
    call MPI_Comm_disconnect(inter, ierr); CHK
    call check(inter == MPI_COMM_NULL, 'disconnect left a handle', __LINE__)
  end if
  if (rank == 0) then
    call MPI_Close_port(port, ierr); CHK
  end if
  call finish()

contains

  integer function exchange(comm, rank)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank
    STATUS_T :: STATUS_VAR(status)
    integer :: mine
    mine = 10 + rank
    if (rank == 0) then
      call MPI_Send(mine, 1, MPI_INTEGER, 0, 7, comm, ierr); CHK
      call MPI_Recv(exchange, 1, MPI_INTEGER, 0, 7, comm, status, ierr); CHK
    else
      call MPI_Recv(exchange, 1, MPI_INTEGER, 0, 7, comm, status, ierr); CHK
      call MPI_Send(mine, 1, MPI_INTEGER, 0, 7, comm, ierr); CHK
    end if
    call check_int(exchange, 11 - rank, 'message from the other side', __LINE__)
  end function exchange

  subroutine offer_closed_port(comm, open_port)
    HANDLE(MPI_Comm), intent(in) :: comm
    character(len=*), intent(in) :: open_port
    character(len=MPI_MAX_PORT_NAME) :: closed
    STATUS_T :: STATUS_VAR(status)
    integer :: done
    call MPI_Open_port(MPI_INFO_NULL, closed, ierr); CHK
    call MPI_Close_port(closed, ierr); CHK
    call MPI_Unpublish_name(SERVICE, MPI_INFO_NULL, open_port, ierr); CHK
    call MPI_Send(closed, MPI_MAX_PORT_NAME, MPI_CHARACTER, 0, 8, comm, ierr); CHK
    call MPI_Recv(done, 1, MPI_INTEGER, 0, 9, comm, status, ierr); CHK
  end subroutine offer_closed_port

  subroutine try_closed_port(comm)
    HANDLE(MPI_Comm), intent(in) :: comm
    character(len=MPI_MAX_PORT_NAME) :: closed, found
    HANDLE(MPI_Comm) :: failed
    STATUS_T :: STATUS_VAR(status)
    integer :: code, error_class, done
    call MPI_Recv(closed, MPI_MAX_PORT_NAME, MPI_CHARACTER, 0, 8, comm, status, ierr); CHK
    call MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN, ierr); CHK
    call MPI_Comm_connect(closed, MPI_INFO_NULL, 0, MPI_COMM_SELF, failed, code)
    call MPI_Error_class(code, error_class, ierr); CHK
    call check_int(error_class, MPI_ERR_PORT, 'connect to a closed port', __LINE__)
    call out('connect to a closed port: MPI_ERR_PORT')
    call MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN, ierr); CHK
    call MPI_Lookup_name(SERVICE, MPI_INFO_NULL, found, code)
    call MPI_Error_class(code, error_class, ierr); CHK
    call check_int(error_class, MPI_ERR_NAME, 'lookup after unpublishing', __LINE__)
    call out('lookup after unpublishing: MPI_ERR_NAME')
    call MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL, ierr); CHK
    done = 1
    call MPI_Send(done, 1, MPI_INTEGER, 0, 9, comm, ierr); CHK
  end subroutine try_closed_port

end program ports
