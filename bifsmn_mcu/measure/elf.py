"""Minimal ELF32 little-endian reader: loadable segments and function/object symbols."""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class ElfSymbol:
    name: str
    address: int  # Thumb bit cleared
    size: int
    kind: str  # "func" or "object"


@dataclass(frozen=True)
class ElfSegment:
    vaddr: int
    data: bytes  # file bytes, zero-extended to memsz
    flags: int


@dataclass(frozen=True)
class ElfImage:
    path: Path
    entry: int
    segments: tuple[ElfSegment, ...]
    symbols: dict[str, ElfSymbol]  # by name (a global symbol wins over a static one of the same name)
    # every function and object symbol with a size, sorted by address, including the statics that share
    # a name (a static inline helper that is not inlined has one copy per translation unit, and two
    # files may each have a `static ... s_buf`)
    all_symbols: tuple[ElfSymbol, ...] = ()

    @cached_property
    def all_functions(self) -> tuple[ElfSymbol, ...]:
        return tuple(s for s in self.all_symbols if s.kind == "func")

    def functions(self) -> list[ElfSymbol]:
        """Function symbols with a size, sorted by address (same-named static copies included)."""
        return list(self.all_functions)

    @cached_property
    def _function_starts(self) -> list[int]:
        return [f.address for f in self.all_functions]

    def function_at(self, address: int) -> str:
        """Name of the function whose code holds ``address`` (``"?"`` outside every function)."""
        i = bisect.bisect_right(self._function_starts, address) - 1
        f = self.all_functions[i] if i >= 0 else None
        return f.name if f is not None and address < f.address + f.size else "?"


class ElfError(ValueError):
    """Not an ELF32 little-endian ARM file, or truncated."""


def read_elf(path: Path | str) -> ElfImage:
    path = Path(path)
    raw = path.read_bytes()
    if raw[:4] != b"\x7fELF" or raw[4] != 1 or raw[5] != 1:
        raise ElfError(f"{path}: not an ELF32 little-endian file")
    (e_type, e_machine, _, e_entry, e_phoff, e_shoff, _, _, e_phentsize, e_phnum, e_shentsize, e_shnum, _) = (
        struct.unpack_from("<HHIIIIIHHHHHH", raw, 16)
    )
    if e_machine != 40:
        raise ElfError(f"{path}: not an ARM ELF (e_machine {e_machine})")
    segments = []
    for i in range(e_phnum):
        p_type, p_offset, p_vaddr, _, p_filesz, p_memsz, p_flags, _ = struct.unpack_from(
            "<IIIIIIII", raw, e_phoff + i * e_phentsize
        )
        if p_type == 1 and p_memsz:  # PT_LOAD
            data = raw[p_offset : p_offset + p_filesz] + bytes(p_memsz - p_filesz)
            segments.append(ElfSegment(p_vaddr, data, p_flags))
    sections = [struct.unpack_from("<IIIIIIIIII", raw, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    symbols: dict[str, ElfSymbol] = {}
    sized: dict[tuple[str, int, str], ElfSymbol] = {}
    for sh in sections:
        if sh[1] != 2:  # SHT_SYMTAB
            continue
        strtab = sections[sh[6]]
        str_off = strtab[4]
        for j in range(sh[5] // 16):
            st_name, st_value, st_size, st_info, _, _ = struct.unpack_from("<IIIBBH", raw, sh[4] + j * 16)
            kind = {1: "object", 2: "func"}.get(st_info & 0xF)
            if kind is None or st_name == 0:
                continue
            end = raw.index(b"\0", str_off + st_name)
            name = raw[str_off + st_name : end].decode()
            addr = st_value & ~1 if kind == "func" else st_value
            sym = ElfSymbol(name, addr, st_size, kind)
            if name not in symbols or st_info >> 4 == 1:  # prefer global over local
                symbols[name] = sym
            if st_size:
                sized[(name, addr, kind)] = sym
    return ElfImage(
        path, e_entry, tuple(segments), symbols, tuple(sorted(sized.values(), key=lambda f: f.address))
    )
