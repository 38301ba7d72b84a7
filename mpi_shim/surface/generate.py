#!/usr/bin/env python3
"""Generates the shim's MPI surface from mpi_shim/surface/mpi.table.

  generate.py TABLE OUTPUT_DIR
      writes c_entries.cpp, fortran_entries.cpp, implementations.hpp, function_table.cpp
  generate.py TABLE --check MPI_H NM LIBMPI LIBMPI_MPIFH LIBMPI_USEMPIF08 README
      checks the table against Open MPI's header and libraries and the README's counts
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
             "", "using ferry::mpi::surface::HybridCheck;", ""]
    for f in functions:
        body = emit_c.entry(f)
        if body:
            lines += body + [""]
    return "\n".join(lines)


def fortran_entries(functions):
    lines = [NOTICE, *ENTRY_PRELUDE, "#include <mpi.h>", "", "#include <string>", "",
             '#include "mpi_shim/surface/fortran.hpp"', '#include "mpi_shim/surface/hybrid_check.hpp"',
             '#include "mpi_shim/surface/implementations.hpp"', "",
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


def counts(functions):
    result = {}
    for f in functions:
        key = COVERAGE_STATUS[f.disposition]
        result[key] = result.get(key, 0) + 1
    return result


def fortran_counts(functions):
    bound = [f for f in functions if emit_fortran.has_binding(f)]
    return len([f for f in bound if f.disposition != "refuse"]), len([f for f in bound if f.disposition == "refuse"])


def check(functions, mpi_h, nm, libmpi, mpifh, usempif08, readme):
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
        if not emit_fortran.has_binding(f):
            continue
        lower = f.name.lower()
        for symbol in [lower, lower + "_", lower + "__", f.name.upper(), emit_fortran.open_mpi_symbol(f)]:
            if symbol not in fortran_exports:
                problems.append(f"{f.name}: libmpi_mpifh does not export {symbol}")
        if "no-f08" not in f.flags and lower + "_f08_" not in f08_exports:
            problems.append(f"{f.name}: libmpi_usempif08 does not export {lower}_f08_")
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
        print(f"the table's {len(functions)} functions match mpi.h, libmpi, libmpi_mpifh, libmpi_usempif08 and README.md")
    return 1 if problems else 0


def main(argv):
    if len(argv) == 3:
        generate(table.read(argv[1]), argv[2])
        return 0
    if len(argv) == 9 and argv[2] == "--check":
        return check(table.read(argv[1]), *argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except table.TableError as error:
        print(f"generate.py: {error}", file=sys.stderr)
        sys.exit(1)
