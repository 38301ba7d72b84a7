/* Failures that must be errors, never hangs: `port_errors leave FILE` opens a port,
   writes its name to FILE and ends; `port_errors knock FILE` then connects to it and
   must fail with MPI_ERR_PORT. `port_errors late FILE` opens a port, writes its name to
   FILE and accepts only once FILE.tried exists; `port_errors impatient FILE` connects
   to it with a time-out of 1 s before that (MPI_ERR_PORT), writes FILE.tried and
   connects again, which the acceptor must take without waiting on the attempt that gave
   up. `port_errors names` runs in a job without a manager: publishing fails with
   MPI_ERR_SERVICE and looking up with MPI_ERR_NAME, each with an error string that says
   a manager is needed. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mpi_check.h"
#include "ports_common.h"

static void leave(const char *file) {
  if (world_rank() != 0) return;
  char port[MPI_MAX_PORT_NAME];
  CHECK_MPI(MPI_Open_port(MPI_INFO_NULL, port));
  write_file(file, port);
  out("opened a port and left");
}

static void knock(const char *file) {
  if (world_rank() != 0) return;
  char port[MPI_MAX_PORT_NAME];
  read_file(file, port);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "timeout", "30");
  MPI_Comm inter = MPI_COMM_NULL;
  out("connect to a port whose process is gone: %s",
      class_name(MPI_Comm_connect(port, info, 0, MPI_COMM_SELF, &inter)));
  CHECK(inter == MPI_COMM_NULL, "a failed connect handed out a communicator");
  MPI_Info_free(&info);
}

static void late(const char *file) {
  if (world_rank() != 0) return;
  char port[MPI_MAX_PORT_NAME], tried[4096];
  CHECK_MPI(MPI_Open_port(MPI_INFO_NULL, port));
  write_file(file, port);
  snprintf(tried, sizeof tried, "%s.tried", file);
  const struct timespec pause = {0, 20 * 1000 * 1000};
  while (access(tried, F_OK) != 0) nanosleep(&pause, NULL);
  MPI_Comm inter;
  CHECK_MPI(MPI_Comm_accept(port, MPI_INFO_NULL, 0, MPI_COMM_SELF, &inter));
  int value = 0;
  CHECK_MPI(MPI_Recv(&value, 1, MPI_INT, 0, 0, inter, MPI_STATUS_IGNORE));
  out("accepted the attempt that waited: got %d", value);
  CHECK_MPI(MPI_Comm_disconnect(&inter));
  CHECK_MPI(MPI_Close_port(port));
}

static void impatient(const char *file) {
  if (world_rank() != 0) return;
  char port[MPI_MAX_PORT_NAME], tried[4096];
  read_file(file, port);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "timeout", "1");
  MPI_Comm inter = MPI_COMM_NULL;
  out("connect before the accept, with a time-out of 1 s: %s",
      class_name(MPI_Comm_connect(port, info, 0, MPI_COMM_SELF, &inter)));
  MPI_Info_free(&info);
  snprintf(tried, sizeof tried, "%s.tried", file);
  write_file(tried, "tried\n");
  CHECK_MPI(MPI_Comm_connect(port, MPI_INFO_NULL, 0, MPI_COMM_SELF, &inter));
  const int value = 42;
  CHECK_MPI(MPI_Send(&value, 1, MPI_INT, 0, 0, inter));
  out("connected once accepted");
  CHECK_MPI(MPI_Comm_disconnect(&inter));
}

static void say_why(const char *what, int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  out("%s: %s, %s", what, class_name(code), strstr(text, "manager") ? "needs a manager" : text);
}

static void names(void) {
  if (world_rank() != 0) return;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  char port[MPI_MAX_PORT_NAME];
  CHECK_MPI(MPI_Open_port(MPI_INFO_NULL, port));
  say_why("publish without a manager", MPI_Publish_name("ferry-test-service", MPI_INFO_NULL, port));
  say_why("lookup without a manager", MPI_Lookup_name("ferry-test-service", MPI_INFO_NULL, port));
  say_why("unpublish without a manager", MPI_Unpublish_name("ferry-test-service", MPI_INFO_NULL, port));
  CHECK_MPI(MPI_Close_port(port));
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  CHECK(argc >= 2, "usage: port_errors leave|knock|late|impatient FILE, or port_errors names");
  if (strcmp(argv[1], "leave") == 0 && argc == 3) {
    leave(argv[2]);
  } else if (strcmp(argv[1], "knock") == 0 && argc == 3) {
    knock(argv[2]);
  } else if (strcmp(argv[1], "late") == 0 && argc == 3) {
    late(argv[2]);
  } else if (strcmp(argv[1], "impatient") == 0 && argc == 3) {
    impatient(argv[2]);
  } else if (strcmp(argv[1], "names") == 0) {
    names();
  } else {
    CHECK(0, "unknown role %s", argv[1]);
  }
  finish(argv[1]);
  return 0;
}
