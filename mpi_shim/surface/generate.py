#!/usr/bin/env python3
"""Generates the shim's MPI surface from mpi_shim/surface/mpi.table.

  generate.py TABLE OUTPUT_DIR
      writes c_entries.cpp, fortran_entries.cpp, implementations.hpp, function_table.cpp
  generate.py TABLE --check MPI_H MPIF_H NM LIBMPI LIBMPI_MPIFH LIBMPI_USEMPIF08 README
      checks the table against Open MPI's headers and libraries and the README's counts
"""

import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # the source tree stays as it is
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import emit_c  # noqa: E402
import emit_fortran  # noqa: E402
import table  # noqa: E402

NOTICE = "// Generated from mpi_shim/surface/mpi.table by mpi_shim/surface/generate.py. Do not edit.\n"
# Entry points exist for every function libmpi exports, the deprecated and removed ones too.
ENTRY_PRELUDE = [
    "#define OMPI_OMIT_MPI1_COMPAT_DECLS 0",
    "#pragma GCC diagnostic ignored \"-Wdeprecated-declarations\"",
    "",
]
COVERAGE_STATUS = {"ferry": "implemented", "ferry-all": "implemented", "pass": "passthrough",
                   "refuse": "unsupported"}


def write_if_changed(path, text):
    if os.path.exists(path) and open(path).read() == text:
        return
    with open(path + ".tmp", "w") as out:
        out.write(text)
    os.replace(path + ".tmp", path)


def implementations_header(functions):
    return NOTICE + "\n".join([
        "#pragma once",
        "// The hand-written implementations the generated entry points call.",
        "",
        "#include <mpi.h>",
        "",
        "#include <cstddef>",
        "",
        "namespace ferry::mpi::impl {",
        *emit_c.implementation_declarations(functions),
        "}  // namespace ferry::mpi::impl",
        "",
        "// Fortran entry points of functions that take callbacks: Fortran's calling convention",
        "// reaches the callbacks, so these have Fortran-specific implementations.",
        "namespace ferry::mpi::fortran_impl {",
        *emit_fortran.callback_declarations(functions),
        "}  // namespace ferry::mpi::fortran_impl",
        "",
    ])


def c_entries(functions):
    lines = [NOTICE, *ENTRY_PRELUDE, '#include "mpi_shim/surface/hybrid_check.hpp"', '#include "mpi_shim/surface/implementations.hpp"',
             '#include "mpi_shim/threads.hpp"',
             "", "using ferry::mpi::ShimLock;", "using ferry::mpi::surface::HybridCheck;", ""]
    for f in functions:
        body = emit_c.entry(f)
        if body:
            lines += body + [""]
    return "\n".join(lines)


def fortran_entries(functions):
    lines = [NOTICE, *ENTRY_PRELUDE, "#include <mpi.h>", "", "#include <string>", "",
             '#include "mpi_shim/surface/fortran.hpp"', '#include "mpi_shim/surface/hybrid_check.hpp"',
             '#include "mpi_shim/surface/implementations.hpp"', '#include "mpi_shim/threads.hpp"', "",
             "namespace fortran = ferry::mpi::fortran;", ""]
    aliases = []
    for f in functions:
        body = emit_fortran.entry(f)
        if not body:
            continue
        definition = [line for line in body if not line.startswith('extern "C" void')]
        aliases += [line for line in body if line.startswith('extern "C" void')]
        lines += definition + [""]
    lines += aliases + [""]
    return "\n".join(lines)


def function_table(functions):
    rows = [f'    {{"{f.name}", Status::{COVERAGE_STATUS[f.disposition]}}},' for f in sorted(functions, key=lambda f: f.name)]
    return NOTICE + "\n".join([
        '#include "mpi_shim/coverage/function_table.hpp"',
        "",
        "#include <array>",
        "",
        "namespace ferry::mpi::coverage {",
        "namespace {",
        f"constexpr std::array<FunctionEntry, {len(rows)}> table = {{{{",
        *rows,
        "}};",
        "}  // namespace",
        "",
        "std::span<const FunctionEntry> mpi_functions() noexcept { return table; }",
        "",
        "CoverageCounts coverage_counts() noexcept {",
        "  CoverageCounts counts;",
        "  for (const FunctionEntry& entry : table) {",
        "    if (entry.status == Status::implemented) ++counts.implemented;",
        "    if (entry.status == Status::passthrough) ++counts.passthrough;",
        "    if (entry.status == Status::unsupported) ++counts.unsupported;",
        "  }",
        "  return counts;",
        "}",
        "",
        "}  // namespace ferry::mpi::coverage",
        "",
    ])


def generate(functions, output):
    os.makedirs(os.path.join(output, "mpi_shim", "surface"), exist_ok=True)
    write_if_changed(os.path.join(output, "mpi_shim", "surface", "implementations.hpp"), implementations_header(functions))
    write_if_changed(os.path.join(output, "c_entries.cpp"), c_entries(functions))
    write_if_changed(os.path.join(output, "fortran_entries.cpp"), fortran_entries(functions))
    write_if_changed(os.path.join(output, "function_table.cpp"), function_table(functions))


def exported(nm, library):
    text = subprocess.run([nm, "-D", "--defined-only", library], check=True, capture_output=True, text=True).stdout
    return {line.split()[-1] for line in text.splitlines() if line.split()}


def header_prototypes(path):
    text = re.sub(r"/\*.*?\*/", " ", open(path).read(), flags=re.S)
    text = re.sub(r"__mpi_interface_(deprecated|removed)__\s*\((?:[^()]|\([^()]*\))*\)", " ", text)
    text = re.sub(r"\s+", " ", text)
    found = {}
    for m in re.finditer(r"OMPI_DECLSPEC\s+[\w ]+?\**\s*\b(MPI_\w+)\s*\(([^;]*?)\)[^;()]*(?:\([^;]*?\))?\s*;", text):
        params = [p for p in table.split_top_level(m.group(2)) if p != "void"]
        found[m.group(1)] = len(params)
    return found


# Open MPI's Fortran routines that are not C functions, and why the shim leaves them to it:
# none takes a handle.
FORTRAN_ONLY = {
    "MPI_Aint_add": "a Fortran function on addresses (mpif-externals.h); a macro in C",
    "MPI_Aint_diff": "a Fortran function on addresses (mpif-externals.h); a macro in C",
    "MPI_F_sync_reg": "tells the Fortran compiler that a buffer may have changed",
}


def fortran_routines(nm, mpifh):
    """Open MPI's Fortran routines (it implements MPI_X in ompi_x_f), lower-case."""
    return {"mpi_" + m.group(1) for symbol in exported(nm, mpifh) if (m := re.fullmatch(r"ompi_(\w+)_f", symbol))}


def fortran_header_problems(functions, mpif_h):
    """What mpif.h's Fortran-only declarations say, against the table."""
    problems = []
    directory = os.path.dirname(mpif_h)
    included = set(re.findall(r"include\s+'([\w.-]+)'", open(mpif_h).read(), flags=re.I))
    for needed in ("mpif-externals.h", "mpif-sizeof.h"):
        if needed not in included:
            problems.append(f"mpif.h does not include {needed}")
    externals = open(os.path.join(directory, "mpif-externals.h")).read()
    typed = set()
    for m in re.finditer(r"^\s*(double precision|integer\(kind=\w+\))\s+([\w ,]+)$", externals, flags=re.I | re.M):
        typed |= {name.strip().upper() for name in m.group(2).split(",") if not name.strip().upper().startswith("PMPI")}
    rows = {f.name.upper(): f for f in functions}
    only = {name.upper() for name in FORTRAN_ONLY}
    for name in sorted(typed):
        f = rows.get(name)
        if f is None and name not in only:
            problems.append(f"mpif-externals.h declares the function {name}, which neither the table nor FORTRAN_ONLY has")
        elif f is not None and emit_fortran.has_binding(f):
            problems.append(f"{f.name} is a Fortran function (mpif-externals.h): the table must pass it to Open MPI")
    sizeof = open(os.path.join(directory, "mpif-sizeof.h")).read()
    interfaces = set(re.findall(r"^\s*INTERFACE\s+(\w+)", sizeof, flags=re.I | re.M))
    specifics = re.findall(r"^\s*(?:SUBROUTINE|FUNCTION)\s+(\w+)", sizeof, flags=re.I | re.M)
    # MPI_SIZEOF (and its profiling name) is Fortran-only and takes no handle.
    if {i.upper() for i in interfaces} - {"MPI_SIZEOF", "PMPI_SIZEOF"}:
        problems.append(f"mpif-sizeof.h has interfaces other than MPI_SIZEOF: {sorted(interfaces)}")
    for specific in specifics:
        if not re.match(r"P?MPI_SIZEOF_", specific.upper()):
            problems.append(f"mpif-sizeof.h declares {specific}, not a specific of MPI_SIZEOF")
    return problems


def counts(functions):
    result = {}
    for f in functions:
        key = COVERAGE_STATUS[f.disposition]
        result[key] = result.get(key, 0) + 1
    return result


def fortran_counts(functions):
    bound = [f for f in functions if emit_fortran.has_binding(f)]
    return len([f for f in bound if f.disposition != "refuse"]), len([f for f in bound if f.disposition == "refuse"])


def check(functions, mpi_h, mpif_h, nm, libmpi, mpifh, usempif08, readme):
    problems = []
    names = {f.name for f in functions}
    prototypes = header_prototypes(mpi_h)
    c_exports = exported(nm, libmpi)
    declared = {n for n in prototypes if n in c_exports}
    for missing in sorted(declared - names):
        problems.append(f"mpi.h declares and libmpi exports {missing}, the table lacks it")
    for extra in sorted(names - declared):
        problems.append(f"the table lists {extra}, which mpi.h does not declare or libmpi does not export")
    for f in functions:
        if f.name in prototypes and prototypes[f.name] != len(f.arguments):
            problems.append(f"{f.name}: the table has {len(f.arguments)} arguments, mpi.h {prototypes[f.name]}")
    fortran_exports = exported(nm, mpifh)
    f08_exports = exported(nm, usempif08) | fortran_exports
    for f in functions:
        for variant in emit_fortran.variants(f):
            lower = f.name.lower() + variant
            for symbol in [lower, lower + "_", lower + "__", lower.upper(), emit_fortran.open_mpi_symbol(f, variant)]:
                if symbol not in fortran_exports and (variant or emit_fortran.has_binding(f)):
                    problems.append(f"{f.name}: libmpi_mpifh does not export {symbol}")
        if emit_fortran.has_binding(f) and "no-f08" not in f.flags and f.name.lower() + "_f08_" not in f08_exports:
            problems.append(f"{f.name}: libmpi_usempif08 does not export {f.name.lower()}_f08_")
    known = {f.name.lower() + variant for f in functions for variant in emit_fortran.variants(f)}
    known |= {name.lower() for name in FORTRAN_ONLY}
    for routine in sorted(fortran_routines(nm, mpifh) - known):
        problems.append(f"libmpi_mpifh has the Fortran routine {routine.upper()}, which neither the table "
                        "(a row or a [cptr] variant) nor FORTRAN_ONLY has")
    problems += fortran_header_problems(functions, mpif_h)
    text = open(readme).read()
    c = counts(functions)
    expected = (f"{len(functions)} C functions: {c.get('implemented', 0)} implemented, "
                f"{c.get('passthrough', 0)} passed to Open MPI, {c.get('unsupported', 0)} refused on hybrid objects")
    if expected not in text:
        problems.append(f"README.md does not say '{expected}'")
    served, refused = fortran_counts(functions)
    expected = f"Fortran: {served} functions served and {refused} guarded in each of mpif.h, use mpi and use mpi_f08"
    if expected not in text:
        problems.append(f"README.md does not say '{expected}'")
    for p in problems:
        print("table check:", p, file=sys.stderr)
    if not problems:
        print(f"the table's {len(functions)} functions match mpi.h, mpif.h, libmpi, libmpi_mpifh, libmpi_usempif08 "
              "and README.md")
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3:
        generate(table.read(argv[1]), argv[2])
        return 0
    if len(argv) == 10 and argv[2] == "--check":
        return check(table.read(argv[1]), *argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except table.TableError as error:
        print(f"generate.py: {error}", file=sys.stderr)
        sys.exit(1)
