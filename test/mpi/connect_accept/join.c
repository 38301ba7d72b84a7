/* MPI_Comm_join between ranks 0 and 1 of one job over a TCP socket on 127.0.0.1 that
   they open themselves (rank 0 listens, tells rank 1 its port, rank 1 connects); then
   messages both ways, MPI_Intercomm_merge, MPI_Allreduce on the merged communicator and
   MPI_Comm_disconnect. Other ranks only look on. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mpi_check.h"
#include "ports_common.h"

static int listen_on_loopback(int *port) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(listener >= 0, "socket");
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(listener, (struct sockaddr *)&address, sizeof address) == 0, "bind");
  CHECK(listen(listener, 1) == 0, "listen");
  socklen_t length = sizeof address;
  CHECK(getsockname(listener, (struct sockaddr *)&address, &length) == 0, "getsockname");
  *port = ntohs(address.sin_port);
  return listener;
}

static int connect_to_loopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0, "socket");
  struct sockaddr_in address = {0};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons((unsigned short)port);
  CHECK(connect(fd, (struct sockaddr *)&address, sizeof address) == 0, "connect to 127.0.0.1:%d", port);
  return fd;
}

/* The socket between ranks 0 and 1. */
static int open_socket(void) {
  int port = 0;
  if (world_rank() == 0) {
    const int listener = listen_on_loopback(&port);
    CHECK_MPI(MPI_Send(&port, 1, MPI_INT, 1, 0, MPI_COMM_WORLD));
    const int fd = accept(listener, NULL, NULL);
    CHECK(fd >= 0, "accept");
    close(listener);
    return fd;
  }
  CHECK_MPI(MPI_Recv(&port, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  return connect_to_loopback(port);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  CHECK(world_size() >= 2, "join needs two ranks");
  if (world_rank() < 2) {
    const int fd = open_socket();
    MPI_Comm inter;
    CHECK_MPI(MPI_Comm_join(fd, &inter));
    int size = 0, remote_size = 0;
    CHECK_MPI(MPI_Comm_size(inter, &size));
    CHECK_MPI(MPI_Comm_remote_size(inter, &remote_size));
    out("joined: %d local and %d remote processes", size, remote_size);
    exchange_both_ways(inter, world_rank());
    out("messages both ways: ok");
    out("merged, allreduce %d", merge_and_reduce(inter, world_rank()));
    disconnect(&inter);
    out("disconnected");
    close(fd);
  }
  finish("join");
  return 0;
}
