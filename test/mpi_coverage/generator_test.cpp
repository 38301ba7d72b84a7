// The function-table generator's parsing: mpi.h prototypes, hand-written definitions, and
// which arguments a guard checks.

#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "mpi_shim/coverage/generator/classification.hpp"
#include "mpi_shim/coverage/generator/header_parser.hpp"
#include "mpi_shim/coverage/generator/source_scanner.hpp"

namespace generator = ferry::mpi::coverage::generator;

namespace {

constexpr const char* header = R"(
#define OMPI_DECLSPEC __attribute__((visibility("default")))
OMPI_DECLSPEC extern struct ompi_predefined_communicator_t ompi_mpi_comm_world;
OMPI_DECLSPEC int OMPI_C_MPI_COMM_DUP_FN(MPI_Comm comm, int keyval);
/* OMPI_DECLSPEC int MPI_Commented_out(int x); */
OMPI_DECLSPEC  int MPI_Waitall(int count, MPI_Request array_of_requests[],
                               MPI_Status *array_of_statuses);
OMPI_DECLSPEC  int MPI_Keyval_free(int *keyval)
            __mpi_interface_deprecated__("MPI_Keyval_free was deprecated; use MPI_Comm_free_keyval");
OMPI_DECLSPEC  int MPI_Comm_create_keyval(MPI_Comm_copy_attr_function *comm_copy_attr_fn,
                                          MPI_Comm_delete_attr_function *comm_delete_attr_fn,
                                          int *comm_keyval, void *extra_state);
OMPI_DECLSPEC  MPI_Fint MPI_Comm_c2f(MPI_Comm comm);
OMPI_DECLSPEC  double MPI_Wtime(void);
OMPI_DECLSPEC  int MPI_Unpack_external (const char datarep[], const void *inbuf, MPI_Aint insize);
OMPI_DECLSPEC  int MPI_Comm_free(MPI_Comm *comm);
OMPI_DECLSPEC  int MPI_Isend(const void *buf, int count, MPI_Datatype datatype, int dest,
                             int tag, MPI_Comm comm, MPI_Request *request);
OMPI_DECLSPEC  int MPI_Pcontrol(const int level, ...);
)";

const generator::Prototype& find(const std::vector<generator::Prototype>& all, const std::string& name) {
  for (const generator::Prototype& prototype : all)
    if (prototype.name == name) return prototype;
  FAIL("no prototype " << name);
  throw;
}

}  // namespace

TEST_CASE("the header parser reads multi-line, deprecated and spaced prototypes") {
  const auto prototypes = generator::parse_mpi_header(header);
  REQUIRE(prototypes.size() == 9);
  const auto& waitall = find(prototypes, "MPI_Waitall");
  REQUIRE(waitall.parameters.size() == 3);
  CHECK(waitall.parameters[1].base_type == "MPI_Request");
  CHECK(waitall.parameters[1].shape == generator::Parameter::Shape::array);
  CHECK(waitall.parameters[2].shape == generator::Parameter::Shape::pointer);
  CHECK(find(prototypes, "MPI_Keyval_free").parameters.at(0).name == "keyval");
  CHECK(find(prototypes, "MPI_Comm_c2f").return_type == "MPI_Fint");
  CHECK(find(prototypes, "MPI_Wtime").parameters.empty());
  CHECK(find(prototypes, "MPI_Unpack_external").parameters.at(0).text == "const char datarep[]");
  CHECK(find(prototypes, "MPI_Pcontrol").variadic);
  CHECK(find(prototypes, "MPI_Comm_create_keyval").parameters.at(0).base_type == "MPI_Comm_copy_attr_function");
}

TEST_CASE("guards check by-value handles, request arrays and in/out pointers only") {
  const auto prototypes = generator::parse_mpi_header(header);
  CHECK(generator::handle_checks(find(prototypes, "MPI_Comm_create_keyval")).empty());
  CHECK(generator::handle_checks(find(prototypes, "MPI_Wtime")).empty());
  const auto waitall = generator::handle_checks(find(prototypes, "MPI_Waitall"));
  REQUIRE(waitall.size() == 1);
  CHECK(waitall[0].kind == generator::HandleCheck::Kind::array);
  CHECK(waitall[0].count == "count");
  const auto isend = generator::handle_checks(find(prototypes, "MPI_Isend"));
  REQUIRE(isend.size() == 1);
  CHECK(isend[0].argument == "comm");
  const auto comm_free = generator::handle_checks(find(prototypes, "MPI_Comm_free"));
  REQUIRE(comm_free.size() == 1);
  CHECK(comm_free[0].kind == generator::HandleCheck::Kind::in_out_pointer);
}

TEST_CASE("a malformed prototype is an error, not a guess") {
  CHECK_THROWS(generator::parse_mpi_header("OMPI_DECLSPEC int MPI_Broken(int x;"));
  CHECK_THROWS(generator::handle_checks(generator::Prototype{"int", "MPI_X", {generator::parse_parameter("MPI_Comm **c")}, false}));
}

TEST_CASE("the scanner finds extern \"C\" definitions and nothing else") {
  const auto names = generator::hand_written_definitions(R"(
    // extern "C" int MPI_In_comment(int x) { return x; }
    const char* text = "extern \"C\" int MPI_In_string(void) {}";
    extern "C" int MPI_Send(const void* buf, int count) noexcept { return MPI_Helper(count); }
    int MPI_Not_extern_c(int x) { return x; }
    extern "C" int MPI_Declared_only(int x);
    extern "C" {
    int MPI_Recv(void* buf, int count) {
      if (MPI_Called(count)) { return 1; }
      return 0;
    }
    MPI_Fint MPI_Comm_c2f(MPI_Comm comm) { return 0; }
    }  // extern "C"
    int MPI_After_block(void) { return 0; }
  )");
  CHECK(names == std::set<std::string>{"MPI_Comm_c2f", "MPI_Recv", "MPI_Send"});
}
