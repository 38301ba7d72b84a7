/* One of two jobs that connect: `pair server FILE [SERVICE]` opens a port and accepts on
   MPI_COMM_WORLD, `pair client FILE [SERVICE]` connects to it. Without SERVICE the server
   writes the port name to FILE; with it, the server publishes the port under SERVICE,
   then writes FILE to say so, and the client looks the port up. Then: messages both ways,
   MPI_Intercomm_merge and MPI_Allreduce on the merged communicator, connects that must
   fail with MPI_ERR_PORT (a closed port, a malformed name), names that are no longer
   published, and MPI_Comm_disconnect. */
#include <string.h>

#include "mpi_check.h"
#include "ports_common.h"

enum { port_tag = 99, done_tag = 100 };

/* The server's root: a port that is closed at once, for the client's root to try. */
static void offer_closed_port(MPI_Comm inter, const char *service, const char *port) {
  char closed[MPI_MAX_PORT_NAME];
  CHECK_MPI(MPI_Open_port(MPI_INFO_NULL, closed));
  CHECK_MPI(MPI_Close_port(closed));
  if (service != NULL) {
    CHECK_MPI(MPI_Unpublish_name(service, MPI_INFO_NULL, port));
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    out("unpublishing again: %s", class_name(MPI_Unpublish_name(service, MPI_INFO_NULL, port)));
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  }
  CHECK_MPI(MPI_Send(closed, MPI_MAX_PORT_NAME, MPI_CHAR, 0, port_tag, inter));
  int done = 0;
  CHECK_MPI(MPI_Recv(&done, 1, MPI_INT, 0, done_tag, inter, MPI_STATUS_IGNORE));
  CHECK_INT(done, 1, "the client's root is done");
}

/* The client's root: connects that fail, while the server's root waits for it. */
static void try_closed_port(MPI_Comm inter, const char *service) {
  char closed[MPI_MAX_PORT_NAME];
  CHECK_MPI(MPI_Recv(closed, MPI_MAX_PORT_NAME, MPI_CHAR, 0, port_tag, inter, MPI_STATUS_IGNORE));
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  MPI_Comm failed = MPI_COMM_NULL;
  out("connect to a closed port: %s",
      class_name(MPI_Comm_connect(closed, MPI_INFO_NULL, 0, MPI_COMM_SELF, &failed)));
  out("connect to a malformed port name: %s",
      class_name(MPI_Comm_connect("tcp://127.0.0.1:1", MPI_INFO_NULL, 0, MPI_COMM_SELF, &failed)));
  CHECK(failed == MPI_COMM_NULL, "a failed connect handed out a communicator");
  if (service != NULL) {
    char port[MPI_MAX_PORT_NAME];
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    out("lookup after unpublishing: %s", class_name(MPI_Lookup_name(service, MPI_INFO_NULL, port)));
    out("lookup of an unknown name: %s",
        class_name(MPI_Lookup_name("ferry-test-no-such-service", MPI_INFO_NULL, port)));
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
  }
  const int done = 1;
  CHECK_MPI(MPI_Send(&done, 1, MPI_INT, 0, done_tag, inter));
}

static MPI_Comm accept_client(const char *file, const char *service, char port[MPI_MAX_PORT_NAME]) {
  if (world_rank() == 0) {
    CHECK_MPI(MPI_Open_port(MPI_INFO_NULL, port));
    if (service != NULL) {
      CHECK_MPI(MPI_Publish_name(service, MPI_INFO_NULL, port));
      MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
      out("publishing again: %s", class_name(MPI_Publish_name(service, MPI_INFO_NULL, port)));
      MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    }
    write_file(file, service != NULL ? "published\n" : port);
  }
  MPI_Comm inter;
  CHECK_MPI(MPI_Comm_accept(port, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &inter));
  return inter;
}

static MPI_Comm connect_server(const char *file, const char *service) {
  char port[MPI_MAX_PORT_NAME] = "";
  if (world_rank() == 0) {
    if (service != NULL) {
      CHECK_MPI(MPI_Lookup_name(service, MPI_INFO_NULL, port));
      out("looked the port up");
    } else {
      read_file(file, port);
    }
  }
  MPI_Comm inter;
  CHECK_MPI(MPI_Comm_connect(port, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &inter));
  return inter;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  CHECK(argc == 3 || argc == 4, "usage: pair server|client FILE [SERVICE]");
  const int server = strcmp(argv[1], "server") == 0;
  const char *service = argc == 4 ? argv[3] : NULL;
  char port[MPI_MAX_PORT_NAME] = "";
  MPI_Comm inter = server ? accept_client(argv[2], service, port) : connect_server(argv[2], service);

  int flag = 0, size = 0, remote_size = 0;
  CHECK_MPI(MPI_Comm_test_inter(inter, &flag));
  CHECK_INT(flag, 1, "MPI_Comm_test_inter");
  CHECK_MPI(MPI_Comm_size(inter, &size));
  CHECK_MPI(MPI_Comm_remote_size(inter, &remote_size));
  out("connected: %d local and %d remote processes", size, remote_size);

  exchange_both_ways(inter, server ? 0 : 1);
  out("messages both ways: ok");
  const int sum = merge_and_reduce(inter, server ? 0 : 1);
  out("merged %d processes, allreduce %d", size + remote_size, sum);
  if (world_rank() == 0) {
    if (server) offer_closed_port(inter, service, port);
    if (!server) try_closed_port(inter, service);
  }
  disconnect(&inter);
  out("disconnected");
  if (server && world_rank() == 0) CHECK_MPI(MPI_Close_port(port));
  finish(argv[1]);
  return 0;
}
