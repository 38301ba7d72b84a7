"""The C entry points: dispatch on hybrid handles, the noexcept barrier, PMPI_* otherwise."""

from table import SHIM_KINDS

NULL_OF = {"MPI_Comm": "MPI_COMM_NULL", "MPI_Group": "MPI_GROUP_NULL", "MPI_Request": "MPI_REQUEST_NULL",
           "MPI_Message": "MPI_MESSAGE_NULL", "MPI_Win": "MPI_WIN_NULL", "MPI_File": "MPI_FILE_NULL",
           "MPI_Fint": "MPI_Fint(-1)"}


def parameters(f):
    return ", ".join(a.text for a in f.arguments) or "void"


def arguments(f):
    return ", ".join(a.name for a in f.arguments)


def handle_checks(f):
    """The statements that look for shim objects among the handles a call reads."""
    lines = []
    for a in f.arguments:
        if a.kind not in SHIM_KINDS or a.direction == "out":
            continue
        if a.is_array:
            lines.append(f"check.check({a.name}, {a.length});")
        elif a.pointers:
            lines.append(f"if ({a.name}) check.check(*{a.name});")
        else:
            lines.append(f"check.check({a.name});")
    return lines


def implementation_declarations(functions):
    out = []
    for f in functions:
        if f.disposition in ("ferry", "ferry-all"):
            out.append(f"{f.result} {f.name}({parameters(f)});")
    return out


def entry(f):
    name, params, args = f.name, parameters(f), arguments(f)
    body = []
    if f.disposition == "ferry":
        body += handle_checks(f)
        body.append("if (!check.found()) {")
        body.append("  lock.release();")
        body.append(f"  return P{name}({args});")
        body.append("}")
        body.append(f'return check.run("{name}", [&] {{ return ferry::mpi::impl::{name}({args}); }});')
    elif f.disposition == "ferry-all":
        if f.result == "int":
            body.append(f'return check.run("{name}", [&] {{ return ferry::mpi::impl::{name}({args}); }});')
        else:
            body.append("try {")
            body.append(f"  return ferry::mpi::impl::{name}({args});")
            body.append("} catch (...) {")
            body.append(f"  return {NULL_OF[f.result]};")
            body.append("}")
    elif f.disposition == "refuse":
        body += handle_checks(f)
        body.append(f'if (check.found()) return check.refuse("{name}");')
        body.append("lock.release();")
        body.append(f"return P{name}({args});")
    else:
        return []
    lines = [f'extern "C" {f.result} {name}({params}) noexcept {{', "  ShimLock lock;", "  HybridCheck check;"]
    lines += ["  " + line for line in body]
    lines.append("}")
    return lines
