"""Minimal ELF32 little-endian reader: loadable segments and function/object symbols."""

from __future__ import annotations

import struct
from dataclasses import dataclass
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
    symbols: dict[str, ElfSymbol]

    def functions(self) -> list[ElfSymbol]:
        """Function symbols with a size, sorted by address."""
        return sorted(
            (s for s in self.symbols.values() if s.kind == "func" and s.size), key=lambda s: s.address
        )


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
            if name not in symbols or st_info >> 4 == 1:  # prefer global over local
                symbols[name] = ElfSymbol(name, addr, st_size, kind)
    return ElfImage(path, e_entry, tuple(segments), symbols)
