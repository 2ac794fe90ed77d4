"""Small helpers that turn numpy arrays into C declarations (templates only loop over their output).

check_identifier("kws")                      # raises CodegenError for "2x", "int", "a-b"
check_prefix("kws")                          # also for "bnn", "bsp_x": the runtime's namespaces
decl = array_decl("kws", "conv2_w", arr)     # CArray with C type, name, size macro, body text
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import CodegenError

C_KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto if inline "
    "int long register restrict return short signed sizeof static struct switch typedef union unsigned "
    "void volatile while _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn "
    "_Static_assert _Thread_local bool true false NULL".split()
)

C_TYPES = {
    "int8": "int8_t", "int16": "int16_t", "int32": "int32_t",
    "uint8": "uint8_t", "uint16": "uint16_t", "uint32": "uint32_t",
}  # fmt: skip


def check_identifier(name: str, what: str = "prefix") -> str:
    """``name`` if it is a C identifier and not a keyword; CodegenError otherwise."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise CodegenError(
            f"{what} {name!r} is not a C identifier (letters, digits, _; not starting with a digit)"
        )
    if name in C_KEYWORDS:
        raise CodegenError(f"{what} {name!r} is a C keyword")
    if name.startswith("__") or re.match(r"_[A-Z]", name):
        raise CodegenError(f"{what} {name!r} is reserved for the C implementation")
    return name


# name spaces of the hand-written C in the project (firmware/): kernels and front end bnn_/BNN_,
# board support bsp_, app and protocol bifsmn_/BIFSMN_, bench baselines bl_, the app's model binding
# macros APP_ (include/bifsmn_app_config.h). Generated names are <prefix>_... and <PREFIX>_...
RUNTIME_NAMESPACES = ("bnn", "bsp", "bifsmn", "bl", "app")


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is a C identifier outside the runtime's name spaces; CodegenError otherwise."""
    check_identifier(prefix)
    low = prefix.lower()
    for ns in RUNTIME_NAMESPACES:
        if low == ns or low.startswith(ns + "_"):
            raise CodegenError(
                f"prefix {prefix!r} clashes with the runtime's {ns}_ / {ns.upper()}_ names "
                f"(reserved: {', '.join(n + '_' for n in RUNTIME_NAMESPACES)}); choose another prefix"
            )
    return prefix


@dataclass(frozen=True)
class CArray:
    ctype: str
    name: str  # g_<prefix>_<what>
    size_macro: str  # <PREFIX>_<WHAT>_SIZE
    size: int
    body: str  # the initialiser lines, without braces

    @property
    def nbytes(self) -> int:
        return self.size * int(re.search(r"(\d+)_t", self.ctype).group(1)) // 8


def c_string(text: str) -> str:
    """A C string literal: printable ASCII kept, quotes/backslashes escaped, other bytes in octal."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.extend(f"\\{b:03o}" for b in ch.encode("utf-8"))
    return '"' + "".join(out) + '"'


def format_values(values: np.ndarray, ctype: str, per_line: int = 12) -> str:
    """Comma-separated integer literals, hex for unsigned 32-bit words."""
    flat = np.asarray(values).ravel()
    if ctype == "uint32_t":
        items = [f"0x{int(v):08x}u" for v in flat]
        per_line = 8
    elif ctype == "int32_t":
        # INT32_MIN has no literal form in C: write it as an expression
        items = [str(int(v)) if int(v) != -(1 << 31) else "(-2147483647 - 1)" for v in flat]
    else:
        items = [str(int(v)) for v in flat]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "    " + ",\n    ".join(lines) if lines else ""


def array_decl(prefix: str, what: str, values: np.ndarray) -> CArray:
    check_prefix(prefix)
    check_identifier(what, "array name")
    a = np.asarray(values)
    key = a.dtype.name
    if key not in C_TYPES:
        raise CodegenError(f"array {what!r} has dtype {a.dtype}, which has no C type here")
    ctype = C_TYPES[key]
    return CArray(
        ctype,
        f"g_{prefix}_{what}",
        f"{prefix.upper()}_{what.upper()}_SIZE",
        int(a.size),
        format_values(a, ctype),
    )
