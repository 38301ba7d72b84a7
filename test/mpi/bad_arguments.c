/* Malformed arguments on MPI_COMM_WORLD with MPI_ERRORS_RETURN: every call returns the
   error class the MPI standard names for what is wrong with it, and the job stays usable.
   Each call has exactly one thing wrong with it; collectives have the same thing wrong on
   every rank (or, where only the root's argument can be wrong, a wrong count elsewhere),
   so that no rank goes on to communicate. Each check prints `ok CALL: CLASS` or `WRONG
   CALL: expected CLASS, got CLASS`; the program exits with 1 if any is WRONG.

     bad_arguments [--hybrid]

   --hybrid adds the checks of hybrid_only(): calls that Open MPI 4.1 answers wrongly (or
   crashes on) on its own communicators, which the shim serves itself on communicators
   with function ranks. Left out altogether, because Open MPI gets them wrong and the shim
   leaves them to it:
   - MPI_Iprobe on MPI_COMM_NULL: Open MPI calls MPI_COMM_NULL's own error handler, which
     ends the job.
   - MPI_Wait on a null handle (not MPI_REQUEST_NULL): Open MPI dereferences it (the array
     forms, MPI_Cancel and MPI_Request_free check for it, and are checked here).
   - MPI_SUM on MPI_BYTE: Open MPI defines it, and the shim asks Open MPI which operations
     a datatype takes.
   - MPI_Allgatherv with null recvcounts: Open MPI dereferences them.
   - Communicators, groups and datatypes used through a copy of their handle made before
     they were freed: the memory behind it is gone, in Open MPI and in the shim alike. */
#include "mpi_check.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* STRAY_TAG: messages nobody receives (sends that should have failed but went out);
   NEVER_TAG: receives nobody sends to (receives that should have failed but were posted,
   and the pending receives of the completion checks). */
enum { STRAY_TAG = 70, NEVER_TAG = 71, RING_TAG = 72, MESSAGE_TAG = 73 };
enum { BUF = 64 };

static int wrong;
static int rank, size, next, prev;
static MPI_Datatype uncommitted;
static MPI_Group world_group;
static int buf[BUF], other[BUF];

#define CLASS(name) \
  { name, #name }
static const struct {
  int error_class;
  const char *name;
} classes[] = {
    CLASS(MPI_SUCCESS),       CLASS(MPI_ERR_BUFFER),
    CLASS(MPI_ERR_COUNT),     CLASS(MPI_ERR_TYPE),
    CLASS(MPI_ERR_TAG),       CLASS(MPI_ERR_COMM),
    CLASS(MPI_ERR_RANK),      CLASS(MPI_ERR_REQUEST),
    CLASS(MPI_ERR_ROOT),      CLASS(MPI_ERR_GROUP),
    CLASS(MPI_ERR_OP),        CLASS(MPI_ERR_TOPOLOGY),
    CLASS(MPI_ERR_DIMS),      CLASS(MPI_ERR_ARG),
    CLASS(MPI_ERR_UNKNOWN),   CLASS(MPI_ERR_TRUNCATE),
    CLASS(MPI_ERR_OTHER),     CLASS(MPI_ERR_INTERN),
    CLASS(MPI_ERR_IN_STATUS), CLASS(MPI_ERR_PENDING),
    CLASS(MPI_ERR_KEYVAL),    CLASS(MPI_ERR_NO_MEM),
    CLASS(MPI_ERR_INFO),      CLASS(MPI_ERR_UNSUPPORTED_OPERATION),
};
#undef CLASS

static const char *class_name(int error_class) {
  static char unknown[32];
  for (size_t i = 0; i < sizeof classes / sizeof classes[0]; ++i)
    if (classes[i].error_class == error_class) return classes[i].name;
  snprintf(unknown, sizeof unknown, "class %d", error_class);
  return unknown;
}

static int class_of(int code) {
  int error_class = code;
  if (code != MPI_SUCCESS && MPI_Error_class(code, &error_class) != MPI_SUCCESS)
    error_class = -1;
  return error_class;
}

/* Records whether `code` is of class `expected` or, where the standard's descriptions fit
   two classes, of class `also` (either is ok: the line names both). */
static void expect_either(const char *call, int code, int expected, int also) {
  int got = class_of(code);
  if (got == expected && expected == also) {
    out("ok %s: %s", call, class_name(got));
  } else if (got == expected || got == also) {
    out("ok %s: %s or %s", call, class_name(expected), class_name(also));
  } else if (expected == also) {
    out("WRONG %s: expected %s, got %s", call, class_name(expected), class_name(got));
    ++wrong;
  } else {
    out("WRONG %s: expected %s or %s, got %s", call, class_name(expected),
        class_name(also), class_name(got));
    ++wrong;
  }
}

static void expect(const char *call, int code, int expected) {
  expect_either(call, code, expected, expected);
}

static void expect_true(const char *what, int holds) {
  if (holds) {
    out("ok %s", what);
  } else {
    out("WRONG %s: it does not hold", what);
    ++wrong;
  }
}

/* Records a call that should not have started `*request` (then MPI_REQUEST_NULL again);
   an operation it started anyway is cancelled and completed. */
static void expect_not_started(const char *call, int code, int expected,
                               MPI_Request *request) {
  expect(call, code, expected);
  if (code == MPI_SUCCESS && *request != MPI_REQUEST_NULL) {
    MPI_Cancel(request);
    MPI_Wait(request, MPI_STATUS_IGNORE);
    if (*request != MPI_REQUEST_NULL) MPI_Request_free(request);
  }
  *request = MPI_REQUEST_NULL;
}

/* The same for a nonblocking collective, which cannot be cancelled: it is completed. */
static void expect_collective_not_started(const char *call, int code, int expected,
                                          MPI_Request *request) {
  expect(call, code, expected);
  if (code == MPI_SUCCESS && *request != MPI_REQUEST_NULL)
    MPI_Wait(request, MPI_STATUS_IGNORE);
  *request = MPI_REQUEST_NULL;
}

/* A receive that stays pending: a live request for the completion calls to reject. */
static MPI_Request pending_receive(void) {
  MPI_Request request = MPI_REQUEST_NULL;
  CHECK_MPI(MPI_Irecv(other, 1, MPI_INT, next, NEVER_TAG, MPI_COMM_WORLD, &request));
  return request;
}

static void cancel_pending(MPI_Request *request) {
  if (*request == MPI_REQUEST_NULL) return;
  CHECK_MPI(MPI_Cancel(request));
  MPI_Status status;
  CHECK_MPI(MPI_Wait(request, &status));
  int cancelled = 0;
  CHECK_MPI(MPI_Test_cancelled(&status, &cancelled));
  CHECK(cancelled, "the pending receive was not cancelled");
}

/* The job after a section of malformed calls: a ring exchange and an Allreduce give the
   right results. */
static void check_usable(const char *after) {
  int sent = rank * 10 + 1, received = -1;
  CHECK_MPI(MPI_Sendrecv(&sent, 1, MPI_INT, next, RING_TAG, &received, 1, MPI_INT, prev,
                         RING_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  CHECK_INT(received, prev * 10 + 1, "ring exchange");
  int one = 1, sum = 0;
  CHECK_MPI(MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  CHECK_INT(sum, size, "Allreduce");
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  out("usable after %s", after);
  out_flush();
}

static void blocking_point_to_point(void) {
  const MPI_Comm w = MPI_COMM_WORLD;
  MPI_Status st;
  expect("MPI_Send(count -1)", MPI_Send(buf, -1, MPI_INT, next, STRAY_TAG, w),
         MPI_ERR_COUNT);
  expect("MPI_Send(buf NULL, count 1)", MPI_Send(NULL, 1, MPI_INT, next, STRAY_TAG, w),
         MPI_ERR_BUFFER);
  expect("MPI_Send(MPI_DATATYPE_NULL)",
         MPI_Send(buf, 1, MPI_DATATYPE_NULL, next, STRAY_TAG, w), MPI_ERR_TYPE);
  expect("MPI_Send(uncommitted type)", MPI_Send(buf, 1, uncommitted, next, STRAY_TAG, w),
         MPI_ERR_TYPE);
  expect("MPI_Send(dest size)", MPI_Send(buf, 1, MPI_INT, size, STRAY_TAG, w),
         MPI_ERR_RANK);
  expect("MPI_Send(dest MPI_ANY_SOURCE)",
         MPI_Send(buf, 1, MPI_INT, MPI_ANY_SOURCE, STRAY_TAG, w), MPI_ERR_RANK);
  expect("MPI_Send(tag -7)", MPI_Send(buf, 1, MPI_INT, next, -7, w), MPI_ERR_TAG);
  expect("MPI_Send(tag MPI_ANY_TAG)", MPI_Send(buf, 1, MPI_INT, next, MPI_ANY_TAG, w),
         MPI_ERR_TAG);
  expect("MPI_Send(MPI_COMM_NULL)",
         MPI_Send(buf, 1, MPI_INT, next, STRAY_TAG, MPI_COMM_NULL), MPI_ERR_COMM);
  expect("MPI_Ssend(count -1)", MPI_Ssend(buf, -1, MPI_INT, MPI_PROC_NULL, 0, w),
         MPI_ERR_COUNT);
  expect("MPI_Ssend(tag -7)", MPI_Ssend(buf, 1, MPI_INT, MPI_PROC_NULL, -7, w),
         MPI_ERR_TAG);
  expect("MPI_Rsend(buf NULL, count 1)", MPI_Rsend(NULL, 1, MPI_INT, MPI_PROC_NULL, 0, w),
         MPI_ERR_BUFFER);
  expect("MPI_Rsend(dest -5)", MPI_Rsend(buf, 1, MPI_INT, -5, 0, w), MPI_ERR_RANK);
  expect("MPI_Bsend(count -1)", MPI_Bsend(buf, -1, MPI_INT, next, STRAY_TAG, w),
         MPI_ERR_COUNT);

  expect("MPI_Recv(count -1)", MPI_Recv(buf, -1, MPI_INT, MPI_PROC_NULL, 0, w, &st),
         MPI_ERR_COUNT);
  expect("MPI_Recv(buf NULL, count 1)",
         MPI_Recv(NULL, 1, MPI_INT, MPI_PROC_NULL, 0, w, &st), MPI_ERR_BUFFER);
  expect("MPI_Recv(MPI_DATATYPE_NULL)",
         MPI_Recv(buf, 1, MPI_DATATYPE_NULL, MPI_PROC_NULL, 0, w, &st), MPI_ERR_TYPE);
  expect("MPI_Recv(uncommitted type)",
         MPI_Recv(buf, 1, uncommitted, MPI_PROC_NULL, 0, w, &st), MPI_ERR_TYPE);
  expect("MPI_Recv(source size)", MPI_Recv(buf, 1, MPI_INT, size, 0, w, &st),
         MPI_ERR_RANK);
  expect("MPI_Recv(tag -7)", MPI_Recv(buf, 1, MPI_INT, MPI_PROC_NULL, -7, w, &st),
         MPI_ERR_TAG);
  expect("MPI_Recv(MPI_COMM_NULL)",
         MPI_Recv(buf, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_COMM_NULL, &st), MPI_ERR_COMM);

  expect("MPI_Sendrecv(sendtag -7)",
         MPI_Sendrecv(buf, 1, MPI_INT, MPI_PROC_NULL, -7, other, 1, MPI_INT,
                      MPI_PROC_NULL, 0, w, &st),
         MPI_ERR_TAG);
  expect(
      "MPI_Sendrecv(source size)",
      MPI_Sendrecv(buf, 1, MPI_INT, MPI_PROC_NULL, 0, other, 1, MPI_INT, size, 0, w, &st),
      MPI_ERR_RANK);
  expect("MPI_Sendrecv(recvcount -1)",
         MPI_Sendrecv(buf, 1, MPI_INT, MPI_PROC_NULL, 0, other, -1, MPI_INT,
                      MPI_PROC_NULL, 0, w, &st),
         MPI_ERR_COUNT);
  expect("MPI_Sendrecv(recvtype uncommitted)",
         MPI_Sendrecv(buf, 1, MPI_INT, MPI_PROC_NULL, 0, other, 1, uncommitted,
                      MPI_PROC_NULL, 0, w, &st),
         MPI_ERR_TYPE);
  expect(
      "MPI_Sendrecv_replace(count -1)",
      MPI_Sendrecv_replace(buf, -1, MPI_INT, MPI_PROC_NULL, 0, MPI_PROC_NULL, 0, w, &st),
      MPI_ERR_COUNT);
  expect(
      "MPI_Sendrecv_replace(buf NULL, count 1)",
      MPI_Sendrecv_replace(NULL, 1, MPI_INT, MPI_PROC_NULL, 0, MPI_PROC_NULL, 0, w, &st),
      MPI_ERR_BUFFER);

  MPI_Comm freed;
  CHECK_MPI(MPI_Comm_dup(w, &freed));
  CHECK_MPI(MPI_Comm_free(&freed));
  expect_true("MPI_Comm_free sets MPI_COMM_NULL", freed == MPI_COMM_NULL);
  expect("MPI_Send(freed communicator)",
         MPI_Send(buf, 1, MPI_INT, next, STRAY_TAG, freed), MPI_ERR_COMM);
  MPI_Datatype freed_type;
  CHECK_MPI(MPI_Type_contiguous(2, MPI_INT, &freed_type));
  CHECK_MPI(MPI_Type_commit(&freed_type));
  CHECK_MPI(MPI_Type_free(&freed_type));
  expect("MPI_Send(freed datatype)", MPI_Send(buf, 1, freed_type, next, STRAY_TAG, w),
         MPI_ERR_TYPE);
  check_usable("blocking point-to-point");
}

static void nonblocking_point_to_point(void) {
  const MPI_Comm w = MPI_COMM_WORLD;
  MPI_Request r = MPI_REQUEST_NULL;
  expect_not_started("MPI_Isend(count -1)",
                     MPI_Isend(buf, -1, MPI_INT, next, STRAY_TAG, w, &r), MPI_ERR_COUNT,
                     &r);
  expect_not_started("MPI_Isend(buf NULL, count 1)",
                     MPI_Isend(NULL, 1, MPI_INT, next, STRAY_TAG, w, &r), MPI_ERR_BUFFER,
                     &r);
  expect_not_started("MPI_Isend(dest size)",
                     MPI_Isend(buf, 1, MPI_INT, size, STRAY_TAG, w, &r), MPI_ERR_RANK,
                     &r);
  expect_not_started("MPI_Isend(MPI_DATATYPE_NULL)",
                     MPI_Isend(buf, 1, MPI_DATATYPE_NULL, next, STRAY_TAG, w, &r),
                     MPI_ERR_TYPE, &r);
  expect_not_started("MPI_Issend(tag MPI_ANY_TAG)",
                     MPI_Issend(buf, 1, MPI_INT, next, MPI_ANY_TAG, w, &r), MPI_ERR_TAG,
                     &r);
  expect_not_started("MPI_Ibsend(uncommitted type)",
                     MPI_Ibsend(buf, 1, uncommitted, next, STRAY_TAG, w, &r),
                     MPI_ERR_TYPE, &r);
  expect_not_started("MPI_Irsend(MPI_COMM_NULL)",
                     MPI_Irsend(buf, 1, MPI_INT, next, STRAY_TAG, MPI_COMM_NULL, &r),
                     MPI_ERR_COMM, &r);
  expect_not_started("MPI_Irecv(count -1)",
                     MPI_Irecv(buf, -1, MPI_INT, prev, NEVER_TAG, w, &r), MPI_ERR_COUNT,
                     &r);
  expect_not_started("MPI_Irecv(buf NULL, count 1)",
                     MPI_Irecv(NULL, 1, MPI_INT, prev, NEVER_TAG, w, &r), MPI_ERR_BUFFER,
                     &r);
  expect_not_started("MPI_Irecv(tag -7)", MPI_Irecv(buf, 1, MPI_INT, prev, -7, w, &r),
                     MPI_ERR_TAG, &r);
  expect_not_started("MPI_Irecv(source -5)",
                     MPI_Irecv(buf, 1, MPI_INT, -5, NEVER_TAG, w, &r), MPI_ERR_RANK, &r);
  expect_not_started("MPI_Irecv(uncommitted type)",
                     MPI_Irecv(buf, 1, uncommitted, prev, NEVER_TAG, w, &r), MPI_ERR_TYPE,
                     &r);
  expect_not_started("MPI_Irecv(MPI_COMM_NULL)",
                     MPI_Irecv(buf, 1, MPI_INT, prev, NEVER_TAG, MPI_COMM_NULL, &r),
                     MPI_ERR_COMM, &r);
  expect("MPI_Isend(request NULL)", MPI_Isend(buf, 1, MPI_INT, next, STRAY_TAG, w, NULL),
         MPI_ERR_REQUEST);
  expect("MPI_Irecv(request NULL)", MPI_Irecv(buf, 1, MPI_INT, prev, NEVER_TAG, w, NULL),
         MPI_ERR_REQUEST);
  expect("MPI_Send_init(request NULL)",
         MPI_Send_init(buf, 1, MPI_INT, next, STRAY_TAG, w, NULL), MPI_ERR_REQUEST);
  expect("MPI_Recv_init(request NULL)",
         MPI_Recv_init(buf, 1, MPI_INT, prev, NEVER_TAG, w, NULL), MPI_ERR_REQUEST);

  expect_not_started("MPI_Send_init(count -1)",
                     MPI_Send_init(buf, -1, MPI_INT, next, STRAY_TAG, w, &r),
                     MPI_ERR_COUNT, &r);
  expect_not_started("MPI_Ssend_init(dest size)",
                     MPI_Ssend_init(buf, 1, MPI_INT, size, STRAY_TAG, w, &r),
                     MPI_ERR_RANK, &r);
  expect_not_started("MPI_Bsend_init(tag -7)",
                     MPI_Bsend_init(buf, 1, MPI_INT, next, -7, w, &r), MPI_ERR_TAG, &r);
  expect_not_started("MPI_Send_init(uncommitted type)",
                     MPI_Send_init(buf, 1, uncommitted, next, STRAY_TAG, w, &r),
                     MPI_ERR_TYPE, &r);
  expect_not_started("MPI_Recv_init(MPI_DATATYPE_NULL)",
                     MPI_Recv_init(buf, 1, MPI_DATATYPE_NULL, prev, NEVER_TAG, w, &r),
                     MPI_ERR_TYPE, &r);
  expect_not_started("MPI_Recv_init(MPI_COMM_NULL)",
                     MPI_Recv_init(buf, 1, MPI_INT, prev, NEVER_TAG, MPI_COMM_NULL, &r),
                     MPI_ERR_COMM, &r);
  expect_not_started("MPI_Recv_init(count -1)",
                     MPI_Recv_init(buf, -1, MPI_INT, prev, NEVER_TAG, w, &r),
                     MPI_ERR_COUNT, &r);

  r = MPI_REQUEST_NULL;
  expect("MPI_Start(MPI_REQUEST_NULL)", MPI_Start(&r), MPI_ERR_REQUEST);
  r = pending_receive();
  expect("MPI_Start(nonpersistent request)", MPI_Start(&r), MPI_ERR_REQUEST);
  cancel_pending(&r);
  expect_either("MPI_Startall(count -1)", MPI_Startall(-1, &r), MPI_ERR_ARG,
                MPI_ERR_COUNT);
  check_usable("nonblocking point-to-point");
}

static void probes(void) {
  const MPI_Comm w = MPI_COMM_WORLD;
  MPI_Status st;
  MPI_Message message = MPI_MESSAGE_NULL;
  int flag = 0;
  expect("MPI_Probe(source size)", MPI_Probe(size, 0, w, &st), MPI_ERR_RANK);
  expect("MPI_Probe(tag -7)", MPI_Probe(MPI_PROC_NULL, -7, w, &st), MPI_ERR_TAG);
  expect("MPI_Iprobe(source -5)", MPI_Iprobe(-5, 0, w, &flag, &st), MPI_ERR_RANK);
  expect("MPI_Iprobe(tag -7)", MPI_Iprobe(MPI_ANY_SOURCE, -7, w, &flag, &st),
         MPI_ERR_TAG);
  expect("MPI_Mprobe(source size)", MPI_Mprobe(size, 0, w, &message, &st), MPI_ERR_RANK);
  expect("MPI_Improbe(tag -7)", MPI_Improbe(MPI_PROC_NULL, -7, w, &flag, &message, &st),
         MPI_ERR_TAG);
  /* A matched message whose receive goes wrong stays to be received. (Open MPI cannot
     raise an error for MPI_MESSAGE_NO_PROC: it has no communicator.) */
  CHECK_MPI(MPI_Send(buf, 1, MPI_INT, next, MESSAGE_TAG, w));
  CHECK_MPI(MPI_Mprobe(prev, MESSAGE_TAG, w, &message, &st));
  expect("MPI_Mrecv(count -1)", MPI_Mrecv(other, -1, MPI_INT, &message, &st),
         MPI_ERR_COUNT);
  expect("MPI_Mrecv(MPI_DATATYPE_NULL)",
         MPI_Mrecv(other, 1, MPI_DATATYPE_NULL, &message, &st), MPI_ERR_TYPE);
  MPI_Request r = MPI_REQUEST_NULL;
  expect("MPI_Imrecv(buf NULL, count 1)", MPI_Imrecv(NULL, 1, MPI_INT, &message, &r),
         MPI_ERR_BUFFER);
  if (message != MPI_MESSAGE_NULL) {
    other[0] = -1;
    CHECK_MPI(MPI_Mrecv(other, 1, MPI_INT, &message, &st));
    CHECK_INT(other[0], prev, "the matched message");
  }
  check_usable("probes");
}

static void completion(void) {
  MPI_Status st;
  MPI_Request r = MPI_REQUEST_NULL;
  MPI_Request pair[2];
  int flag = 0, index = 0, outcount = 0, indices[2];

  st.MPI_SOURCE = st.MPI_TAG = 12345;
  expect("MPI_Wait(MPI_REQUEST_NULL)", MPI_Wait(&r, &st), MPI_SUCCESS);
  expect_true("MPI_Wait(MPI_REQUEST_NULL) gives the empty status",
              st.MPI_SOURCE == MPI_ANY_SOURCE && st.MPI_TAG == MPI_ANY_TAG);
  r = pending_receive();
  CHECK_MPI(MPI_Cancel(&r));
  CHECK_MPI(MPI_Request_free(&r));
  expect_true("MPI_Request_free sets MPI_REQUEST_NULL", r == MPI_REQUEST_NULL);
  expect("MPI_Wait(freed request)", MPI_Wait(&r, &st), MPI_SUCCESS);
  expect("MPI_Wait(request pointer NULL)", MPI_Wait(NULL, &st), MPI_ERR_REQUEST);
  expect("MPI_Test(request pointer NULL)", MPI_Test(NULL, &flag, &st), MPI_ERR_REQUEST);
  r = MPI_REQUEST_NULL;
  expect("MPI_Request_free(MPI_REQUEST_NULL)", MPI_Request_free(&r), MPI_ERR_REQUEST);
  expect("MPI_Request_free(request pointer NULL)", MPI_Request_free(NULL),
         MPI_ERR_REQUEST);
  expect("MPI_Cancel(MPI_REQUEST_NULL)", MPI_Cancel(&r), MPI_ERR_REQUEST);
  r = (MPI_Request)0;
  expect("MPI_Cancel(null handle)", MPI_Cancel(&r), MPI_ERR_REQUEST);
  expect("MPI_Request_free(null handle)", MPI_Request_free(&r), MPI_ERR_REQUEST);
  r = MPI_REQUEST_NULL;
  flag = 0;
  expect("MPI_Request_get_status(MPI_REQUEST_NULL)",
         MPI_Request_get_status(r, &flag, &st), MPI_SUCCESS);
  expect_true("MPI_Request_get_status(MPI_REQUEST_NULL) sets flag", flag == 1);

  expect_either("MPI_Waitall(count -1)", MPI_Waitall(-1, pair, MPI_STATUSES_IGNORE),
                MPI_ERR_ARG, MPI_ERR_COUNT);
  expect("MPI_Waitall(array NULL, count 1)", MPI_Waitall(1, NULL, MPI_STATUSES_IGNORE),
         MPI_ERR_REQUEST);
  expect_either("MPI_Testany(count -1)", MPI_Testany(-1, pair, &index, &flag, &st),
                MPI_ERR_ARG, MPI_ERR_COUNT);
  expect_either("MPI_Waitsome(count -1)",
                MPI_Waitsome(-1, pair, &outcount, indices, MPI_STATUSES_IGNORE),
                MPI_ERR_ARG, MPI_ERR_COUNT);

  /* A pending receive among the requests: the call has work to do, so its other
     arguments matter. */
  pair[0] = pending_receive();
  pair[1] = (MPI_Request)0;
  expect("MPI_Waitall(null handle among pending)",
         MPI_Waitall(2, pair, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
  expect("MPI_Testall(null handle among pending)",
         MPI_Testall(2, pair, &flag, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
  expect("MPI_Waitany(null handle among pending)", MPI_Waitany(2, pair, &index, &st),
         MPI_ERR_REQUEST);
  expect("MPI_Testsome(null handle among pending)",
         MPI_Testsome(2, pair, &outcount, indices, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
  expect("MPI_Test(flag NULL)", MPI_Test(&pair[0], NULL, &st), MPI_ERR_ARG);
  expect("MPI_Testall(flag NULL)", MPI_Testall(1, pair, NULL, MPI_STATUSES_IGNORE),
         MPI_ERR_ARG);
  expect("MPI_Waitany(index NULL)", MPI_Waitany(1, pair, NULL, &st), MPI_ERR_ARG);
  expect("MPI_Testany(flag NULL)", MPI_Testany(1, pair, &index, NULL, &st), MPI_ERR_ARG);
  expect("MPI_Waitsome(outcount NULL)",
         MPI_Waitsome(1, pair, NULL, indices, MPI_STATUSES_IGNORE), MPI_ERR_ARG);
  expect("MPI_Testsome(indices NULL)",
         MPI_Testsome(1, pair, &outcount, NULL, MPI_STATUSES_IGNORE), MPI_ERR_ARG);
  expect("MPI_Request_get_status(flag NULL)", MPI_Request_get_status(pair[0], NULL, &st),
         MPI_ERR_ARG);
  cancel_pending(&pair[0]);
  check_usable("request completion");
}

static void collectives(void) {
  const MPI_Comm w = MPI_COMM_WORLD;
  int *all = calloc((size_t)size * BUF, sizeof *all);
  int *counts = malloc(sizeof *counts * (size_t)size);
  int *displs = malloc(sizeof *displs * (size_t)size);
  int *bad_counts = malloc(sizeof *bad_counts * (size_t)size);
  MPI_Datatype *types = malloc(sizeof *types * (size_t)size);
  MPI_Datatype *bad_types = malloc(sizeof *bad_types * (size_t)size);
  for (int i = 0; i < size; ++i) {
    counts[i] = 1;
    displs[i] = i;
    bad_counts[i] = i == size - 1 ? -1 : 1;
    types[i] = MPI_INT;
    bad_types[i] = i == size - 1 ? MPI_DATATYPE_NULL : MPI_INT;
  }
  const int root = 0, at_root = rank == root;
  /* The root's argument is wrong at the root; the others have a wrong count of their own
     so that no rank goes on to communicate. */
  const int count_elsewhere = at_root ? 1 : -1;
  const MPI_Datatype type_elsewhere = at_root ? MPI_INT : MPI_DATATYPE_NULL;

  expect("MPI_Barrier(MPI_COMM_NULL)", MPI_Barrier(MPI_COMM_NULL), MPI_ERR_COMM);
  expect("MPI_Bcast(root size)", MPI_Bcast(buf, 1, MPI_INT, size, w), MPI_ERR_ROOT);
  expect("MPI_Bcast(root -1)", MPI_Bcast(buf, 1, MPI_INT, -1, w), MPI_ERR_ROOT);
  expect("MPI_Bcast(count -1)", MPI_Bcast(buf, -1, MPI_INT, root, w), MPI_ERR_COUNT);
  expect("MPI_Bcast(MPI_DATATYPE_NULL)", MPI_Bcast(buf, 1, MPI_DATATYPE_NULL, root, w),
         MPI_ERR_TYPE);
  expect("MPI_Bcast(uncommitted type)", MPI_Bcast(buf, 1, uncommitted, root, w),
         MPI_ERR_TYPE);
  expect("MPI_Bcast(MPI_COMM_NULL)", MPI_Bcast(buf, 1, MPI_INT, root, MPI_COMM_NULL),
         MPI_ERR_COMM);
  expect("MPI_Reduce(MPI_OP_NULL)",
         MPI_Reduce(buf, all, 1, MPI_INT, MPI_OP_NULL, root, w), MPI_ERR_OP);
  expect("MPI_Reduce(root size)", MPI_Reduce(buf, all, 1, MPI_INT, MPI_SUM, size, w),
         MPI_ERR_ROOT);
  expect("MPI_Reduce(count -1)", MPI_Reduce(buf, all, -1, MPI_INT, MPI_SUM, root, w),
         MPI_ERR_COUNT);
  expect("MPI_Reduce(MPI_MINLOC on MPI_FLOAT)",
         MPI_Reduce(buf, all, 1, MPI_FLOAT, MPI_MINLOC, root, w), MPI_ERR_OP);
  expect("MPI_Allreduce(MPI_OP_NULL)",
         MPI_Allreduce(buf, all, 1, MPI_INT, MPI_OP_NULL, w), MPI_ERR_OP);
  expect("MPI_Allreduce(count -1)", MPI_Allreduce(buf, all, -1, MPI_INT, MPI_SUM, w),
         MPI_ERR_COUNT);
  expect("MPI_Allreduce(MPI_MAXLOC on MPI_INT)",
         MPI_Allreduce(buf, all, 1, MPI_INT, MPI_MAXLOC, w), MPI_ERR_OP);
  expect("MPI_Allreduce(MPI_LAND on MPI_DOUBLE)",
         MPI_Allreduce(buf, all, 1, MPI_DOUBLE, MPI_LAND, w), MPI_ERR_OP);
  expect("MPI_Allreduce(MPI_COMM_NULL)",
         MPI_Allreduce(buf, all, 1, MPI_INT, MPI_SUM, MPI_COMM_NULL), MPI_ERR_COMM);
  expect_either("MPI_Allreduce(recvbuf MPI_IN_PLACE)",
                MPI_Allreduce(buf, MPI_IN_PLACE, 1, MPI_INT, MPI_SUM, w), MPI_ERR_ARG,
                MPI_ERR_BUFFER);
  expect_either("MPI_Scan(recvbuf MPI_IN_PLACE)",
                MPI_Scan(buf, MPI_IN_PLACE, 1, MPI_INT, MPI_SUM, w), MPI_ERR_ARG,
                MPI_ERR_BUFFER);
  expect_either("MPI_Reduce_scatter_block(recvbuf MPI_IN_PLACE)",
                MPI_Reduce_scatter_block(all, MPI_IN_PLACE, 1, MPI_INT, MPI_SUM, w),
                MPI_ERR_ARG, MPI_ERR_BUFFER);
  expect_either("MPI_Allgather(recvbuf MPI_IN_PLACE)",
                MPI_Allgather(buf, 1, MPI_INT, MPI_IN_PLACE, 1, MPI_INT, w), MPI_ERR_ARG,
                MPI_ERR_BUFFER);
  expect_either("MPI_Alltoall(recvbuf MPI_IN_PLACE)",
                MPI_Alltoall(buf, 1, MPI_INT, MPI_IN_PLACE, 1, MPI_INT, w), MPI_ERR_ARG,
                MPI_ERR_BUFFER);

  expect("MPI_Gather(root size)", MPI_Gather(buf, 1, MPI_INT, all, 1, MPI_INT, size, w),
         MPI_ERR_ROOT);
  expect("MPI_Gather(sendcount -1)",
         MPI_Gather(buf, -1, MPI_INT, all, 1, MPI_INT, root, w), MPI_ERR_COUNT);
  expect("MPI_Gather(recvcount -1 at the root)",
         MPI_Gather(buf, count_elsewhere, MPI_INT, all, -1, MPI_INT, root, w),
         MPI_ERR_COUNT);
  expect("MPI_Gather(recvtype MPI_DATATYPE_NULL at the root)",
         MPI_Gather(buf, 1, type_elsewhere, all, 1, MPI_DATATYPE_NULL, root, w),
         MPI_ERR_TYPE);
  expect("MPI_Gatherv(recvcounts -1 at the root)",
         MPI_Gatherv(buf, count_elsewhere, MPI_INT, all, bad_counts, displs, MPI_INT,
                     root, w),
         MPI_ERR_COUNT);
  expect("MPI_Gatherv(root -1)",
         MPI_Gatherv(buf, 1, MPI_INT, all, counts, displs, MPI_INT, -1, w), MPI_ERR_ROOT);
  expect("MPI_Scatter(root size)", MPI_Scatter(all, 1, MPI_INT, buf, 1, MPI_INT, size, w),
         MPI_ERR_ROOT);
  expect("MPI_Scatter(recvcount -1)",
         MPI_Scatter(all, 1, MPI_INT, buf, -1, MPI_INT, root, w), MPI_ERR_COUNT);
  expect("MPI_Scatterv(sendcounts -1 at the root)",
         MPI_Scatterv(all, bad_counts, displs, MPI_INT, buf, count_elsewhere, MPI_INT,
                      root, w),
         MPI_ERR_COUNT);
  expect("MPI_Scatterv(sendtype MPI_DATATYPE_NULL at the root)",
         MPI_Scatterv(all, counts, displs, MPI_DATATYPE_NULL, buf, 1, type_elsewhere,
                      root, w),
         MPI_ERR_TYPE);
  expect("MPI_Allgather(recvcount -1)",
         MPI_Allgather(buf, 1, MPI_INT, all, -1, MPI_INT, w), MPI_ERR_COUNT);
  expect("MPI_Allgather(sendtype MPI_DATATYPE_NULL)",
         MPI_Allgather(buf, 1, MPI_DATATYPE_NULL, all, 1, MPI_INT, w), MPI_ERR_TYPE);
  expect("MPI_Allgatherv(sendcount -1)",
         MPI_Allgatherv(buf, -1, MPI_INT, all, counts, displs, MPI_INT, w),
         MPI_ERR_COUNT);
  expect("MPI_Alltoall(sendcount -1)", MPI_Alltoall(buf, -1, MPI_INT, all, 1, MPI_INT, w),
         MPI_ERR_COUNT);
  expect("MPI_Alltoall(recvtype uncommitted)",
         MPI_Alltoall(buf, 1, MPI_INT, all, 1, uncommitted, w), MPI_ERR_TYPE);
  expect("MPI_Alltoallv(sendcounts -1)",
         MPI_Alltoallv(all, bad_counts, displs, MPI_INT, all + size, counts, displs,
                       MPI_INT, w),
         MPI_ERR_COUNT);
  expect("MPI_Alltoallv(recvtype MPI_DATATYPE_NULL)",
         MPI_Alltoallv(all, counts, displs, MPI_INT, all + size, counts, displs,
                       MPI_DATATYPE_NULL, w),
         MPI_ERR_TYPE);
  int *byte_displs = malloc(sizeof *byte_displs * (size_t)size);
  for (int i = 0; i < size; ++i) byte_displs[i] = i * (int)sizeof(int);
  expect("MPI_Alltoallw(sendtypes with MPI_DATATYPE_NULL)",
         MPI_Alltoallw(all, counts, byte_displs, bad_types, all + size, counts,
                       byte_displs, types, w),
         MPI_ERR_TYPE);
  expect("MPI_Alltoallw(recvcounts -1)",
         MPI_Alltoallw(all, counts, byte_displs, types, all + size, bad_counts,
                       byte_displs, types, w),
         MPI_ERR_COUNT);
  expect("MPI_Reduce_scatter(recvcounts -1)",
         MPI_Reduce_scatter(all, buf, bad_counts, MPI_INT, MPI_SUM, w), MPI_ERR_COUNT);
  expect("MPI_Reduce_scatter(MPI_OP_NULL)",
         MPI_Reduce_scatter(all, buf, counts, MPI_INT, MPI_OP_NULL, w), MPI_ERR_OP);
  expect("MPI_Reduce_scatter_block(count -1)",
         MPI_Reduce_scatter_block(all, buf, -1, MPI_INT, MPI_SUM, w), MPI_ERR_COUNT);
  expect("MPI_Scan(MPI_OP_NULL)", MPI_Scan(buf, all, 1, MPI_INT, MPI_OP_NULL, w),
         MPI_ERR_OP);
  expect("MPI_Exscan(count -1)", MPI_Exscan(buf, all, -1, MPI_INT, MPI_SUM, w),
         MPI_ERR_COUNT);
  expect("MPI_Exscan(MPI_BXOR on MPI_FLOAT)",
         MPI_Exscan(buf, all, 1, MPI_FLOAT, MPI_BXOR, w), MPI_ERR_OP);
  check_usable("blocking collectives");

  MPI_Request r = MPI_REQUEST_NULL;
  expect_collective_not_started("MPI_Ibarrier(MPI_COMM_NULL)",
                                MPI_Ibarrier(MPI_COMM_NULL, &r), MPI_ERR_COMM, &r);
  expect_collective_not_started("MPI_Ibcast(root size)",
                                MPI_Ibcast(buf, 1, MPI_INT, size, w, &r), MPI_ERR_ROOT,
                                &r);
  expect_collective_not_started("MPI_Ibcast(count -1)",
                                MPI_Ibcast(buf, -1, MPI_INT, root, w, &r), MPI_ERR_COUNT,
                                &r);
  expect_collective_not_started(
      "MPI_Ireduce(MPI_OP_NULL)",
      MPI_Ireduce(buf, all, 1, MPI_INT, MPI_OP_NULL, root, w, &r), MPI_ERR_OP, &r);
  expect_collective_not_started("MPI_Ireduce(root -1)",
                                MPI_Ireduce(buf, all, 1, MPI_INT, MPI_SUM, -1, w, &r),
                                MPI_ERR_ROOT, &r);
  expect_collective_not_started("MPI_Iallreduce(count -1)",
                                MPI_Iallreduce(buf, all, -1, MPI_INT, MPI_SUM, w, &r),
                                MPI_ERR_COUNT, &r);
  expect_collective_not_started("MPI_Iallreduce(MPI_BAND on MPI_DOUBLE)",
                                MPI_Iallreduce(buf, all, 1, MPI_DOUBLE, MPI_BAND, w, &r),
                                MPI_ERR_OP, &r);
  expect_collective_not_started("MPI_Igather(root -1)",
                                MPI_Igather(buf, 1, MPI_INT, all, 1, MPI_INT, -1, w, &r),
                                MPI_ERR_ROOT, &r);
  expect_collective_not_started("MPI_Igatherv(recvcounts -1 at the root)",
                                MPI_Igatherv(buf, count_elsewhere, MPI_INT, all,
                                             bad_counts, displs, MPI_INT, root, w, &r),
                                MPI_ERR_COUNT, &r);
  expect_collective_not_started(
      "MPI_Iscatter(recvcount -1)",
      MPI_Iscatter(all, 1, MPI_INT, buf, -1, MPI_INT, root, w, &r), MPI_ERR_COUNT, &r);
  expect_collective_not_started(
      "MPI_Iscatterv(root size)",
      MPI_Iscatterv(all, counts, displs, MPI_INT, buf, 1, MPI_INT, size, w, &r),
      MPI_ERR_ROOT, &r);
  expect_collective_not_started("MPI_Iallgather(recvcount -1)",
                                MPI_Iallgather(buf, 1, MPI_INT, all, -1, MPI_INT, w, &r),
                                MPI_ERR_COUNT, &r);
  expect_collective_not_started("MPI_Ialltoall(sendcount -1)",
                                MPI_Ialltoall(buf, -1, MPI_INT, all, 1, MPI_INT, w, &r),
                                MPI_ERR_COUNT, &r);
  expect_collective_not_started("MPI_Ialltoallv(recvcounts -1)",
                                MPI_Ialltoallv(all, counts, displs, MPI_INT, all + size,
                                               bad_counts, displs, MPI_INT, w, &r),
                                MPI_ERR_COUNT, &r);
  expect_collective_not_started(
      "MPI_Ialltoallw(recvtypes with MPI_DATATYPE_NULL)",
      MPI_Ialltoallw(all, counts, byte_displs, types, all + size, counts, byte_displs,
                     bad_types, w, &r),
      MPI_ERR_TYPE, &r);
  expect_collective_not_started(
      "MPI_Ireduce_scatter(MPI_OP_NULL)",
      MPI_Ireduce_scatter(all, buf, counts, MPI_INT, MPI_OP_NULL, w, &r), MPI_ERR_OP, &r);
  expect_collective_not_started(
      "MPI_Ireduce_scatter_block(count -1)",
      MPI_Ireduce_scatter_block(all, buf, -1, MPI_INT, MPI_SUM, w, &r), MPI_ERR_COUNT,
      &r);
  expect_collective_not_started("MPI_Iscan(MPI_OP_NULL)",
                                MPI_Iscan(buf, all, 1, MPI_INT, MPI_OP_NULL, w, &r),
                                MPI_ERR_OP, &r);
  free(byte_displs);
  free(all);
  free(counts);
  free(displs);
  free(bad_counts);
  free(types);
  free(bad_types);
  check_usable("nonblocking collectives");
}

static void groups(void) {
  MPI_Group g = MPI_GROUP_NULL;
  int n = 0, result = 0, translated = 0;
  int out_of_range = size, minus_one = -1, zero = 0;
  int range[1][3] = {{0, size, 1}};
  int no_stride[1][3] = {{0, 0, 0}};
  expect("MPI_Group_size(MPI_GROUP_NULL)", MPI_Group_size(MPI_GROUP_NULL, &n),
         MPI_ERR_GROUP);
  expect("MPI_Group_rank(MPI_GROUP_NULL)", MPI_Group_rank(MPI_GROUP_NULL, &n),
         MPI_ERR_GROUP);
  expect("MPI_Group_incl(rank size)", MPI_Group_incl(world_group, 1, &out_of_range, &g),
         MPI_ERR_RANK);
  expect("MPI_Group_incl(MPI_GROUP_NULL)", MPI_Group_incl(MPI_GROUP_NULL, 1, &zero, &g),
         MPI_ERR_GROUP);
  expect("MPI_Group_excl(rank -1)", MPI_Group_excl(world_group, 1, &minus_one, &g),
         MPI_ERR_RANK);
  expect("MPI_Group_range_incl(last rank size)",
         MPI_Group_range_incl(world_group, 1, range, &g), MPI_ERR_RANK);
  expect_either("MPI_Group_range_excl(stride 0)",
                MPI_Group_range_excl(world_group, 1, no_stride, &g), MPI_ERR_ARG,
                MPI_ERR_RANK);
  expect("MPI_Group_translate_ranks(MPI_GROUP_NULL)",
         MPI_Group_translate_ranks(world_group, 1, &zero, MPI_GROUP_NULL, &translated),
         MPI_ERR_GROUP);
  expect("MPI_Group_union(MPI_GROUP_NULL)",
         MPI_Group_union(world_group, MPI_GROUP_NULL, &g), MPI_ERR_GROUP);
  expect("MPI_Group_intersection(MPI_GROUP_NULL)",
         MPI_Group_intersection(MPI_GROUP_NULL, world_group, &g), MPI_ERR_GROUP);
  expect("MPI_Group_difference(MPI_GROUP_NULL)",
         MPI_Group_difference(world_group, MPI_GROUP_NULL, &g), MPI_ERR_GROUP);
  expect("MPI_Group_compare(MPI_GROUP_NULL)",
         MPI_Group_compare(world_group, MPI_GROUP_NULL, &result), MPI_ERR_GROUP);
  g = MPI_GROUP_NULL;
  expect("MPI_Group_free(MPI_GROUP_NULL)", MPI_Group_free(&g), MPI_ERR_GROUP);
  expect("MPI_Comm_group(MPI_COMM_NULL)", MPI_Comm_group(MPI_COMM_NULL, &g),
         MPI_ERR_COMM);
  check_usable("groups");
}

static void communicators(void) {
  const MPI_Comm w = MPI_COMM_WORLD;
  MPI_Comm c = MPI_COMM_NULL;
  MPI_Request r = MPI_REQUEST_NULL;
  int n = 0, result = 0;
  expect("MPI_Comm_size(MPI_COMM_NULL)", MPI_Comm_size(MPI_COMM_NULL, &n), MPI_ERR_COMM);
  expect("MPI_Comm_rank(MPI_COMM_NULL)", MPI_Comm_rank(MPI_COMM_NULL, &n), MPI_ERR_COMM);
  expect("MPI_Comm_size(size NULL)", MPI_Comm_size(w, NULL), MPI_ERR_ARG);
  expect("MPI_Comm_rank(rank NULL)", MPI_Comm_rank(w, NULL), MPI_ERR_ARG);
  expect("MPI_Comm_compare(MPI_COMM_NULL)", MPI_Comm_compare(w, MPI_COMM_NULL, &result),
         MPI_ERR_COMM);
  expect("MPI_Comm_dup(MPI_COMM_NULL)", MPI_Comm_dup(MPI_COMM_NULL, &c), MPI_ERR_COMM);
  expect("MPI_Comm_dup(newcomm NULL)", MPI_Comm_dup(w, NULL), MPI_ERR_ARG);
  expect("MPI_Comm_idup(MPI_COMM_NULL)", MPI_Comm_idup(MPI_COMM_NULL, &c, &r),
         MPI_ERR_COMM);
  expect("MPI_Comm_split(MPI_COMM_NULL)", MPI_Comm_split(MPI_COMM_NULL, 0, rank, &c),
         MPI_ERR_COMM);
  expect("MPI_Comm_split(color -5)", MPI_Comm_split(w, -5, rank, &c), MPI_ERR_ARG);
  expect("MPI_Comm_split(newcomm NULL)", MPI_Comm_split(w, 0, rank, NULL), MPI_ERR_ARG);
  expect("MPI_Comm_create(MPI_COMM_NULL)",
         MPI_Comm_create(MPI_COMM_NULL, world_group, &c), MPI_ERR_COMM);
  expect("MPI_Comm_create(MPI_GROUP_NULL)", MPI_Comm_create(w, MPI_GROUP_NULL, &c),
         MPI_ERR_GROUP);
  c = MPI_COMM_WORLD;
  expect("MPI_Comm_free(MPI_COMM_WORLD)", MPI_Comm_free(&c), MPI_ERR_COMM);
  c = MPI_COMM_NULL;
  expect("MPI_Comm_free(MPI_COMM_NULL)", MPI_Comm_free(&c), MPI_ERR_COMM);
  expect("MPI_Comm_set_errhandler(MPI_ERRHANDLER_NULL)",
         MPI_Comm_set_errhandler(w, MPI_ERRHANDLER_NULL), MPI_ERR_ARG);
  expect("MPI_Comm_set_errhandler(MPI_COMM_NULL)",
         MPI_Comm_set_errhandler(MPI_COMM_NULL, MPI_ERRORS_RETURN), MPI_ERR_COMM);
  int dims[1] = {size + 1}, periods[1] = {0};
  expect_either("MPI_Cart_create(more ranks than the communicator has)",
                MPI_Cart_create(w, 1, dims, periods, 0, &c), MPI_ERR_ARG, MPI_ERR_DIMS);
  check_usable("communicators");
}

/* Checks that Open MPI 4.1 fails on its own communicators, which a communicator with
   function ranks passes. */
static void hybrid_only(void) {
  const MPI_Comm w = MPI_COMM_WORLD;
  MPI_Status st;
  MPI_Request r = MPI_REQUEST_NULL, copy, pair[2];
  int *all = calloc((size_t)size * BUF, sizeof *all);
  int *bad_counts = malloc(sizeof *bad_counts * (size_t)size);
  int *displs = malloc(sizeof *displs * (size_t)size);
  for (int i = 0; i < size; ++i) {
    bad_counts[i] = i == size - 1 ? -1 : 1;
    displs[i] = i;
  }
  const int at_root = rank == 0;

  /* Open MPI's MPI_TAG_UB is INT_MAX: no tag lies above it. */
  int *tag_ub = NULL, flag = 0;
  CHECK_MPI(MPI_Comm_get_attr(w, MPI_TAG_UB, &tag_ub, &flag));
  CHECK(flag && *tag_ub < INT_MAX, "MPI_TAG_UB is INT_MAX");
  expect("MPI_Send(tag MPI_TAG_UB + 1)", MPI_Send(buf, 1, MPI_INT, next, *tag_ub + 1, w),
         MPI_ERR_TAG);
  expect("MPI_Recv(tag MPI_TAG_UB + 1)",
         MPI_Recv(buf, 1, MPI_INT, MPI_PROC_NULL, *tag_ub + 1, w, &st), MPI_ERR_TAG);

  /* Open MPI sends without a buffer attached, checks no buffer of MPI_Rsend_init, and
     starts an active persistent request again. */
  expect("MPI_Bsend(no buffer attached)", MPI_Bsend(buf, 1, MPI_INT, next, STRAY_TAG, w),
         MPI_ERR_BUFFER);
  expect_not_started("MPI_Rsend_init(buf NULL, count 1)",
                     MPI_Rsend_init(NULL, 1, MPI_INT, next, STRAY_TAG, w, &r),
                     MPI_ERR_BUFFER, &r);
  CHECK_MPI(MPI_Recv_init(other, 1, MPI_INT, next, NEVER_TAG, w, &r));
  CHECK_MPI(MPI_Start(&r));
  expect("MPI_Start(active request)", MPI_Start(&r), MPI_ERR_REQUEST);
  cancel_pending(&r);
  CHECK_MPI(MPI_Request_free(&r));

  /* Open MPI raises errors of MPI_MESSAGE_NO_PROC on the message's communicator, which it
     does not have, and crashes. */
  MPI_Message message = MPI_MESSAGE_NO_PROC;
  expect("MPI_Mrecv(MPI_MESSAGE_NO_PROC, count -1)",
         MPI_Mrecv(buf, -1, MPI_INT, &message, &st), MPI_ERR_COUNT);
  message = MPI_MESSAGE_NO_PROC;
  expect_not_started("MPI_Imrecv(MPI_MESSAGE_NO_PROC, buf NULL, count 1)",
                     MPI_Imrecv(NULL, 1, MPI_INT, &message, &r), MPI_ERR_BUFFER, &r);

  /* Open MPI checks the operation before the datatype, and reports a datatype that is
     not valid as an operation that is not defined on it. */
  expect("MPI_Allreduce(MPI_DATATYPE_NULL)",
         MPI_Allreduce(buf, all, 1, MPI_DATATYPE_NULL, MPI_SUM, w), MPI_ERR_TYPE);
  expect("MPI_Allreduce(uncommitted type)",
         MPI_Allreduce(buf, all, 1, uncommitted, MPI_SUM, w), MPI_ERR_TYPE);
  expect("MPI_Reduce_scatter_block(MPI_DATATYPE_NULL)",
         MPI_Reduce_scatter_block(all, buf, 1, MPI_DATATYPE_NULL, MPI_SUM, w),
         MPI_ERR_TYPE);
  expect("MPI_Scan(uncommitted type)", MPI_Scan(buf, all, 1, uncommitted, MPI_SUM, w),
         MPI_ERR_TYPE);
  expect_collective_not_started("MPI_Iallreduce(uncommitted type)",
                                MPI_Iallreduce(buf, all, 1, uncommitted, MPI_SUM, w, &r),
                                MPI_ERR_TYPE, &r);
  expect_collective_not_started(
      "MPI_Iexscan(MPI_DATATYPE_NULL)",
      MPI_Iexscan(buf, all, 1, MPI_DATATYPE_NULL, MPI_SUM, w, &r), MPI_ERR_TYPE, &r);

  /* Open MPI checks no buffer of a collective, nor the request pointer of a nonblocking
     one, and crashes. */
  expect("MPI_Bcast(buf NULL, count 1)", MPI_Bcast(NULL, 1, MPI_INT, 0, w),
         MPI_ERR_BUFFER);
  expect("MPI_Allreduce(sendbuf NULL, count 1)",
         MPI_Allreduce(NULL, all, 1, MPI_INT, MPI_SUM, w), MPI_ERR_BUFFER);
  expect("MPI_Allreduce(recvbuf NULL, count 1)",
         MPI_Allreduce(buf, NULL, 1, MPI_INT, MPI_SUM, w), MPI_ERR_BUFFER);
  expect("MPI_Ibarrier(request NULL)", MPI_Ibarrier(w, NULL), MPI_ERR_REQUEST);
  expect("MPI_Iallreduce(request NULL)",
         MPI_Iallreduce(buf, all, 1, MPI_INT, MPI_SUM, w, NULL), MPI_ERR_REQUEST);

  /* Open MPI checks neither the root's send count of MPI_Scatter nor the receive counts
     of MPI_Allgatherv (and crashes), nor the root's send type of MPI_Iscatter, and takes
     MPI_IN_PLACE for the receive buffer of MPI_Exscan. */
  expect("MPI_Scatter(sendcount -1 at the root)",
         MPI_Scatter(all, -1, MPI_INT, buf, at_root ? 1 : -1, MPI_INT, 0, w),
         MPI_ERR_COUNT);
  expect("MPI_Allgatherv(recvcounts -1)",
         MPI_Allgatherv(buf, 1, MPI_INT, all, bad_counts, displs, MPI_INT, w),
         MPI_ERR_COUNT);
  expect_collective_not_started(
      "MPI_Iallgatherv(recvcounts -1)",
      MPI_Iallgatherv(buf, 1, MPI_INT, all, bad_counts, displs, MPI_INT, w, &r),
      MPI_ERR_COUNT, &r);
  expect_collective_not_started(
      "MPI_Iscatter(sendtype MPI_DATATYPE_NULL at the root)",
      MPI_Iscatter(all, 1, MPI_DATATYPE_NULL, buf, 1,
                   at_root ? MPI_INT : MPI_DATATYPE_NULL, 0, w, &r),
      MPI_ERR_TYPE, &r);
  expect_either("MPI_Exscan(recvbuf MPI_IN_PLACE)",
                MPI_Exscan(buf, MPI_IN_PLACE, 1, MPI_INT, MPI_SUM, w), MPI_ERR_ARG,
                MPI_ERR_BUFFER);

  /* Open MPI does not check the ranks MPI_Group_translate_ranks translates (and crashes),
     makes a group of a rank listed twice, takes a negative number of ranks for a bad
     group, and makes no communicator of MPI_GROUP_NULL without an error. */
  int out_of_range = size, zero = 0, translated = 0, twice[2] = {0, 0};
  MPI_Group g = MPI_GROUP_NULL;
  MPI_Comm c = MPI_COMM_NULL;
  expect(
      "MPI_Group_translate_ranks(rank size)",
      MPI_Group_translate_ranks(world_group, 1, &out_of_range, world_group, &translated),
      MPI_ERR_RANK);
  expect("MPI_Group_incl(rank listed twice)", MPI_Group_incl(world_group, 2, twice, &g),
         MPI_ERR_RANK);
  expect_either("MPI_Group_incl(n -1)", MPI_Group_incl(world_group, -1, &zero, &g),
                MPI_ERR_ARG, MPI_ERR_COUNT);
  expect("MPI_Comm_create_group(MPI_GROUP_NULL)",
         MPI_Comm_create_group(w, MPI_GROUP_NULL, 0, &c), MPI_ERR_GROUP);

  /* A request used through a copy of its handle made before it was freed: Open MPI reads
     freed memory, a shim request's handle stays the shim's. */
  CHECK_MPI(MPI_Isend(buf, 1, MPI_INT, MPI_PROC_NULL, 0, w, &r));
  copy = r;
  CHECK_MPI(MPI_Wait(&r, MPI_STATUS_IGNORE));
  expect("MPI_Wait(copy of a completed request)", MPI_Wait(&copy, &st), MPI_ERR_REQUEST);
  pair[0] = pending_receive();
  r = pending_receive();
  copy = r;
  cancel_pending(&r);
  expect("MPI_Test(copy of a completed request)", MPI_Test(&copy, &flag, &st),
         MPI_ERR_REQUEST);
  expect("MPI_Request_free(copy of a completed request)", MPI_Request_free(&copy),
         MPI_ERR_REQUEST);
  expect("MPI_Cancel(copy of a completed request)", MPI_Cancel(&copy), MPI_ERR_REQUEST);
  expect("MPI_Start(copy of a completed request)", MPI_Start(&copy), MPI_ERR_REQUEST);
  pair[1] = copy;
  expect("MPI_Waitall(copy of a completed request among pending)",
         MPI_Waitall(2, pair, MPI_STATUSES_IGNORE), MPI_ERR_REQUEST);
  cancel_pending(&pair[0]);
  free(all);
  free(bad_counts);
  free(displs);
  check_usable("checks on communicators with function ranks");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int with_hybrid = argc > 1 && strcmp(argv[1], "--hybrid") == 0;
  CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  rank = world_rank();
  size = world_size();
  next = (rank + 1) % size;
  prev = (rank + size - 1) % size;
  for (int i = 0; i < BUF; ++i) buf[i] = rank + i;
  CHECK_MPI(MPI_Type_contiguous(2, MPI_INT, &uncommitted));
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));

  blocking_point_to_point();
  nonblocking_point_to_point();
  probes();
  completion();
  collectives();
  groups();
  communicators();
  if (with_hybrid) hybrid_only();

  CHECK_MPI(MPI_Group_free(&world_group));
  CHECK_MPI(MPI_Type_free(&uncommitted));
  int total = 0;
  CHECK_MPI(MPI_Allreduce(&wrong, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  if (rank == 0 && total > 0) printf("%d checks WRONG\n", total);
  finish("bad_arguments");
  /* Rank 0 (a batch rank under ferry run) fails the job; the others leave it to end. */
  return rank == 0 && total > 0 ? 1 : 0;
}
