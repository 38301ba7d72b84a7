/* Failures that must be errors, never hangs: `port_errors leave FILE` opens a port,
   writes its name to FILE and ends; `port_errors knock FILE` then connects to it and
   must fail with MPI_ERR_PORT. `port_errors names` runs in a job without a manager:
   publishing fails with MPI_ERR_SERVICE and looking up with MPI_ERR_NAME, each with an
   error string that says a manager is needed. */
#include <string.h>

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
  CHECK(argc >= 2, "usage: port_errors leave FILE | knock FILE | names");
  if (strcmp(argv[1], "leave") == 0 && argc == 3) {
    leave(argv[2]);
  } else if (strcmp(argv[1], "knock") == 0 && argc == 3) {
    knock(argv[2]);
  } else if (strcmp(argv[1], "names") == 0) {
    names();
  } else {
    CHECK(0, "unknown role %s", argv[1]);
  }
  finish(argv[1]);
  return 0;
}
