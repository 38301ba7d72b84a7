"""Reads mpi_shim/surface/mpi.table: every MPI function of Open MPI with its disposition
and the role of each argument. The format is described at the top of the table."""

import re
from dataclasses import dataclass, field

DISPOSITIONS = ("ferry", "ferry-all", "pass", "refuse")
FLAGS = {"no-f08", "cptr"}

HANDLE_KINDS = {
    "MPI_Comm": "comm", "MPI_Group": "group", "MPI_Request": "request", "MPI_Datatype": "datatype",
    "MPI_Op": "op", "MPI_Errhandler": "errhandler", "MPI_Info": "info", "MPI_Win": "win",
    "MPI_File": "file", "MPI_Message": "message",
}
# Kinds whose handles may be shim objects.
SHIM_KINDS = ("comm", "group", "request", "message", "win", "file")

# What array=FUNCTION(comm) may name: the helpers of surface/fortran.hpp that Fortran entries
# size their converted arrays with. A communicator's own size is not among them: an array with
# one element per rank has the remote group's size on an intercommunicator (peer_count).
LENGTH_FUNCTIONS = {"peer_count", "cartdim", "indegree", "outdegree"}

ROLE_WORDS = {
    "in", "out", "inout", "buffer", "status", "statuses", "string", "flag", "index", "indices",
    "callback", "attribute", "attribute-int", "address", "weights", "strings", "errcodes", "deferred",
}


class TableError(Exception):
    pass


@dataclass
class Argument:
    text: str            # the C declaration
    name: str
    base: str            # type without const, * and []
    pointers: int        # '*' and '[]' levels
    const: bool
    roles: set = field(default_factory=set)
    length: str = ""     # array=EXPR: how many elements
    size: str = ""       # len=EXPR: capacity of an output string

    @property
    def kind(self):
        return HANDLE_KINDS.get(self.base)

    @property
    def direction(self):
        for word in ("inout", "out", "in"):
            if word in self.roles:
                return word
        return "in"

    @property
    def is_array(self):
        return bool(self.length) or "array" in self.roles


@dataclass
class Function:
    name: str
    disposition: str
    result: str
    arguments: list
    line: int
    flags: set = field(default_factory=set)

    @property
    def variadic(self):
        return any(a.text == "..." for a in self.arguments)


def split_top_level(text, separator=","):
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def parse_argument(text, where):
    roles, length, size = set(), "", ""
    m = re.match(r"^(.*?)\s*\{([^}]*)\}\s*$", text)
    if m:
        text = m.group(1).strip()
        for word in m.group(2).split():
            if word.startswith("array="):
                length = word[len("array="):]
            elif word.startswith("len="):
                size = word[len("len="):]
            elif word == "array":
                roles.add("array")
            elif word in ROLE_WORDS:
                roles.add(word)
            else:
                raise TableError(f"{where}: unknown role '{word}' in '{text}'")
    if text == "...":
        return Argument(text, "", "...", 0, False, roles)
    if "(*" in text:
        name = re.search(r"\(\s*\*\s*(\w+)\s*\)", text).group(1)
        return Argument(text, name, "callback", 1, False, roles | {"callback"})
    m = re.match(r"^(.*?)\b(\w+)\s*((?:\[[^\]]*\])*)$", text)
    if not m or not m.group(1).strip():
        raise TableError(f"{where}: cannot read the argument '{text}'")
    declared, name, brackets = m.group(1), m.group(2), m.group(3)
    const = "const" in declared.split()
    base = " ".join(w for w in declared.replace("*", " ").split() if w != "const")
    pointers = declared.count("*") + brackets.count("[")
    return Argument(text, name, base, pointers, const, roles, length, size)


def read(path):
    rows, current = [], None
    with open(path) as table:
        for number, raw in enumerate(table, 1):
            line = raw.split("#", 1)[0].rstrip()
            if not line:
                continue
            if line[0].isspace():
                if current is None:
                    raise TableError(f"{path}:{number}: a continuation line with no row before it")
                current[1] += " " + line.strip()
            else:
                current = [number, line.strip()]
                rows.append(current)
    functions, seen = [], set()
    for number, row in rows:
        where = f"{path}:{number}"
        m = re.match(r"^(\S+)\s+(.+?)\s*\b(MPI_\w+)\s*\((.*)\)\s*(?:\[([\w\s-]*)\])?\s*$", row)
        if not m:
            raise TableError(f"{where}: expected 'DISPOSITION TYPE MPI_Name(ARGUMENTS) [FLAGS]'")
        disposition, result, name, arguments, flags = m.groups()
        flags = set((flags or "").split())
        if flags - FLAGS:
            raise TableError(f"{where}: unknown flags {sorted(flags - FLAGS)}")
        if disposition not in DISPOSITIONS:
            raise TableError(f"{where}: unknown disposition '{disposition}'")
        if name in seen:
            raise TableError(f"{where}: {name} appears twice")
        seen.add(name)
        args = [parse_argument(a, f"{where} ({name})") for a in split_top_level(arguments) if a != "void"]
        function = Function(name, disposition, result.strip(), args, number, flags)
        check(function, where)
        functions.append(function)
    return functions


def check(function, where):
    for a in function.arguments:
        if a.base in ("...", "callback"):
            continue
        if a.pointers and not a.roles & {"in", "out", "inout", "buffer", "status", "statuses", "string",
                                         "strings", "attribute", "attribute-int", "address", "errcodes",
                                         "callback", "weights"}:
            raise TableError(f"{where}: {function.name}: the pointer argument '{a.name}' needs a role")
        call = re.fullmatch(r"(\w+)\((\w+)\)", a.length)
        if call and call.group(1) not in LENGTH_FUNCTIONS:
            raise TableError(f"{where}: {function.name}: '{a.name}' has the unknown length '{a.length}'")
        if a.kind and a.pointers and a.is_array and a.kind in SHIM_KINDS and a.direction != "out" and not a.length:
            raise TableError(f"{where}: {function.name}: the handle array '{a.name}' needs array=LENGTH")
