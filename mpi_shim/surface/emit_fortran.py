"""The Fortran entry points (mpif.h and `use mpi` in Open MPI's four manglings, and
`use mpi_f08`). Calls whose handles are all Open MPI's go to Open MPI's own Fortran
binding untouched; the others are converted and dispatched as the C entry point does."""

import re

from table import SHIM_KINDS

INIT_ONLY = {"argc", "argv"}  # MPI_Init's command line has no Fortran counterpart


def has_binding(f):
    return f.disposition != "pass" and not re.search(r"_(c2f|f2c)$", f.name) and not f.variadic


def symbols(f, variant=""):
    lower = f.name.lower() + variant
    names = [lower, lower + "_", lower + "__", (f.name + variant).upper()]
    return names if "no-f08" in f.flags or variant else names + [lower + "_f08_", f.name + "_f08"]


def open_mpi_symbol(f, variant=""):
    return "ompi_" + f.name[len("MPI_"):].lower() + variant + "_f"


def variants(f):
    """The Fortran names of a function: its own, and MPI_Name_cptr for [cptr] rows."""
    return ["", "_cptr"] if "cptr" in f.flags else [""]


def dropped(f, a):
    return f.name in ("MPI_Init", "MPI_Init_thread") and a.name in INIT_ONLY


def fortran_type(a):
    if "buffer" in a.roles or "address" in a.roles or "callback" in a.roles:
        return "void*"
    if a.roles & {"string", "strings"}:
        return "char*"
    if "attribute" in a.roles:
        return "MPI_Aint*"
    if "attribute-int" in a.roles:
        return "MPI_Fint*"
    if a.base in ("MPI_Aint", "MPI_Offset", "MPI_Count", "double"):
        return a.base + "*"
    if a.base == "void":  # extra_state and similar address-sized integers
        return "MPI_Aint*"
    return "MPI_Fint*"


def fortran_parameters(f):
    params = [f"{fortran_type(a)} {a.name}" for a in f.arguments if not dropped(f, a)]
    params.append("MPI_Fint* ierror")
    params += [f"size_t {a.name}_length" for a in f.arguments if a.roles & {"string", "strings"} and not dropped(f, a)]
    return params


def fortran_arguments(f):
    names = [a.name for a in f.arguments if not dropped(f, a)] + ["ierror"]
    return names + [f"{a.name}_length" for a in f.arguments if a.roles & {"string", "strings"} and not dropped(f, a)]


def fortran_length(expression):
    """An array length of the table in terms of the Fortran arguments (all passed by reference)."""
    if re.fullmatch(r"\*?\w+", expression):
        return "*" + expression.lstrip("*")
    return "fortran::" + re.sub(r"\((\w+)\)", r"(fortran::to_c<MPI_Comm>(*\1))", expression)


def keyval_argument(f):
    for a in f.arguments:
        if "keyval" in a.name:
            return a.name
    raise ValueError(f"{f.name}: an attribute argument with no keyval argument")


def shim_tests(f):
    tests = []
    for a in f.arguments:
        if a.kind not in SHIM_KINDS or a.direction == "out" or dropped(f, a):
            continue
        kind = a.kind
        if a.is_array:
            tests.append(f"fortran::any_shim_{kind}({a.name}, {fortran_length(a.length)})")
        else:
            tests.append(f"fortran::shim_{kind}({a.name})")
    return tests


class Conversion:
    def __init__(self):
        self.before, self.after, self.after_success, self.call = [], [], [], []
        self.checks = []  # the C entry's look for shim objects, on the converted handles


def convert(f, a, c):
    """Fills `c` with the statements that turn Fortran argument `a` into a C argument."""
    n = a.name
    if dropped(f, a):
        c.call.append("nullptr")
        return
    if "buffer" in a.roles:
        c.call.append(f"fortran::buffer({n})")
        return
    if "address" in a.roles:
        c.before.append(f"(void){n};")
        c.before.append(f"void* {n}_address = nullptr;")
        c.call.append(f"&{n}_address")
        return
    if "string" in a.roles:
        if a.direction == "out":
            c.before.append(f"char {n}_c[{a.size} + 1] = {{}};")
            c.call.append(f"{n}_c")
            c.after_success.append(f"fortran::blank_padded({n}_c, {n}, {n}_length);")
        else:
            c.before.append(f"const std::string {n}_c = fortran::trimmed({n}, {n}_length);")
            c.call.append(f"{n}_c.c_str()")
        return
    if a.roles & {"attribute", "attribute-int"}:
        integer = "MPI_Fint" if "attribute-int" in a.roles else "MPI_Aint"
        if a.direction == "out":
            c.before.append(f"void* {n}_c = nullptr;")
            c.call.append(f"&{n}_c")
            c.after_success.append(f"*{n} = {integer}(fortran::attribute_value(*{keyval_argument(f)}, {n}_c));")
        else:
            c.call.append(f"reinterpret_cast<void*>(MPI_Aint(*{n}))")
        return
    if "status" in a.roles:
        c.before.append(f"MPI_Status {n}_c{{}};")
        c.before.append(f"MPI_Status* {n}_p = fortran::status_in({n}, &{n}_c);")
        c.call.append(f"{n}_p")
        c.after.append(f"fortran::status_out({n}_p, {n});")
        return
    if "statuses" in a.roles:
        length = fortran_length(a.length)
        c.before.append(f"fortran::Statuses {n}_c({n}, {length});")
        c.call.append(f"{n}_c.data()")
        c.after.append(f"{n}_c.write_back();")
        return
    if "weights" in a.roles:
        c.call.append(f"fortran::weights({n})")
        return
    if a.kind:
        handle = a.base
        checked = a.kind in SHIM_KINDS and a.direction != "out"
        if a.is_array:
            length = fortran_length(a.length)
            c.before.append(f"fortran::Handles<{handle}> {n}_c({n}, {length}, {str(a.direction != 'out').lower()});")
            c.call.append(f"{n}_c.data()")
            if a.direction != "in":
                c.after.append(f"{n}_c.write_back();")
            if checked:
                c.checks.append(f"check.check({n}_c.data(), {length});")
        elif a.pointers:
            initial = f"fortran::to_c<{handle}>(*{n})" if a.direction == "inout" else f"fortran::null<{handle}>()"
            c.before.append(f"{handle} {n}_c = {initial};")
            c.call.append(f"&{n}_c")
            (c.after if a.direction == "inout" else c.after_success).append(f"*{n} = fortran::to_fortran({n}_c);")
            if checked:
                c.checks.append(f"check.check({n}_c);")
        elif checked:
            c.before.append(f"const {handle} {n}_c = fortran::to_c<{handle}>(*{n});")
            c.call.append(f"{n}_c")
            c.checks.append(f"check.check({n}_c);")
        else:
            c.call.append(f"fortran::to_c<{handle}>(*{n})")
        return
    if "flag" in a.roles:
        if a.is_array:
            length = fortran_length(a.length)
            c.before.append(f"fortran::Logicals {n}_c({n}, {length}, {str(a.direction != 'out').lower()});")
            c.call.append(f"{n}_c.data()")
            if a.direction != "in":
                c.after_success.append(f"{n}_c.write_back();")
        elif a.pointers:
            c.before.append(f"int {n}_c = 0;")
            c.call.append(f"&{n}_c")
            c.after_success.append(f"*{n} = fortran::logical({n}_c);")
        else:
            c.call.append(f"*{n} != 0")
        return
    if "index" in a.roles:
        c.call.append(n)
        c.after_success.append(f"fortran::one_based({n}, 1);")
        return
    if "indices" in a.roles:
        c.call.append(n)
        count = next(x.name for x in f.arguments if x.name == "outcount")
        c.after_success.append(f"fortran::one_based({n}, *{count});")
        return
    if "[][3]" in a.text:
        c.call.append(f"reinterpret_cast<int(*)[3]>({n})")
        return
    if a.pointers:
        c.call.append(n)  # INTEGER, INTEGER(KIND=MPI_ADDRESS_KIND/MPI_OFFSET_KIND/MPI_COUNT_KIND) by reference
        return
    c.call.append(f"*{n}")


def entry(f):
    lines = []
    for variant in variants(f):
        lines += ([""] if lines else []) + variant_entry(f, variant)
    return lines


def variant_entry(f, variant):
    if not has_binding(f):
        return []
    name = f.name
    params = ", ".join(fortran_parameters(f))
    args = ", ".join(fortran_arguments(f))
    target = f"ferry_fortran_{name}{variant}"
    lines = [f'extern "C" __attribute__((visibility("hidden"))) void {target}({params}) noexcept {{']
    forward = (f'  static const auto open_mpi = fortran::open_mpi<void (*)({params})>("{open_mpi_symbol(f, variant)}");',
               f"  return open_mpi({args});")
    callbacks = has_fortran_implementation(f)
    if f.disposition == "refuse":
        tests = shim_tests(f)
        if tests:
            lines.append(f"  if ({' || '.join(tests)}) {{")
            comm = next((f"fortran::to_c<MPI_Comm>(*{a.name})" for a in f.arguments
                         if a.kind == "comm" and not a.pointers), "MPI_COMM_NULL")
            lines.append("    ferry::mpi::ShimLock lock;")
            lines.append(f'    fortran::refuse("{name}", {comm}, ierror);')
            lines.append("    return;")
            lines.append("  }")
        lines += forward
    elif callbacks:
        lines.append("  ferry::mpi::ShimLock lock;")
        lines.append(f"  ferry::mpi::fortran_impl::{name}({args});")
    else:
        if f.disposition == "ferry":
            tests = shim_tests(f)
            lines.append(f"  if (!({' || '.join(tests)})) {{")
            lines += ["  " + line for line in forward]
            lines.append("  }")
        c = Conversion()
        for a in f.arguments:
            convert(f, a, c)
        lines.append("  ferry::mpi::ShimLock lock;")
        lines.append("  try {")
        lines += ["    " + line for line in c.before]
        call = ", ".join(c.call)
        if f.disposition == "ferry":
            # The C entry point's dispatch, inline: the call costs one function call less.
            lines.append("    ferry::mpi::surface::HybridCheck check;")
            lines += ["    " + line for line in c.checks]
            lines.append("    if (!check.found()) lock.release();")
            lines.append(f'    const int code = check.found() ? check.run("{name}", [&] {{ return ferry::mpi::impl::{name}({call}); }})')
            lines.append(f"                                   : P{name}({call});")
        else:
            lines.append(f"    const int code = {name}({call});")
        lines += ["    " + line for line in c.after]
        if c.after_success:
            lines.append("    if (code == MPI_SUCCESS) {")
            lines += ["      " + line for line in c.after_success]
            lines.append("    }")
        lines.append("    if (ierror) *ierror = code;")
        lines.append("  } catch (...) {")
        lines.append(f'    fortran::failed("{name}", ierror);')
        lines.append("  }")
    lines.append("}")
    for symbol in symbols(f, variant):
        lines.append(f'extern "C" void {symbol}({params}) noexcept __attribute__((alias("{target}")));')
    return lines


def has_fortran_implementation(f):
    """Callbacks, outputs written at completion, and arrays of strings (Fortran's are
    blank-terminated arrays of fixed-length strings) need Fortran-specific implementations."""
    return any(a.roles & {"callback", "deferred"} or ("strings" in a.roles and not dropped(f, a)) for a in f.arguments)


def callback_declarations(functions):
    out = []
    for f in functions:
        if has_binding(f) and f.disposition != "refuse" and has_fortran_implementation(f):
            out.append(f"void {f.name}({', '.join(fortran_parameters(f))});")
    return out
