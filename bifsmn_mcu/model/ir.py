"""The model IR: integer arrays in a ``.npz`` plus a JSON header, hashed.

File layout: every array under its name (``conv2.W``, ``block3.fc2.w1_2.M``, ...) and one uint8
array ``__header__`` holding UTF-8 JSON::

    {"format": "bifsmn-mcu-ir", "format_version": 1, "generator": "bifsmn-mcu 0.1.0",
     "labels": [...], "feature_config": {...}, "paths": {"1": [0..7], ...}, "constants": {...},
     "layers": [{"name", "op", "in_shape", "out_shape", "arrays": {role: array name}, ...}],
     "arrays": {name: {"dtype", "shape"}}, "sha256": "hex"}

``sha256`` covers a canonical serialisation (header without ``sha256`` as sorted compact JSON,
then for each array in name order: name, dtype, shape and its little-endian C-order bytes), so it
does not depend on zip timestamps or compression. Reading needs numpy only (no pickle, no torch).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import IRError

FORMAT = "bifsmn-mcu-ir"
FORMAT_VERSION = 1
HEADER_KEY = "__header__"


def width_tag(width: str) -> str:
    """Path name -> array-name tag: ``"1/2"`` -> ``"w1_2"``."""
    return "w" + width.replace("/", "_")


@dataclass
class ModelIR:
    header: dict
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return list(self.header["labels"])

    @property
    def widths(self) -> list[str]:
        return list(self.header["paths"])

    @property
    def sha256(self) -> str:
        return self.header["sha256"]

    @property
    def constants(self) -> dict:
        return self.header["constants"]

    def blocks(self, width: str) -> list[int]:
        if width not in self.header["paths"]:
            raise IRError(f"width {width!r} is not in this model (it has {', '.join(self.widths)})")
        return list(self.header["paths"][width])

    def layer(self, name: str) -> dict:
        for lay in self.header["layers"]:
            if lay["name"] == name:
                return lay
        raise IRError(f"model IR has no layer {name!r}")

    def get(self, layer: str, role: str) -> np.ndarray:
        return self.arrays[self.layer(layer)["arrays"][role]]

    def finalize(self) -> ModelIR:
        """Fill the ``arrays`` table of the header and the sha256 (call after building)."""
        self.header["arrays"] = {
            k: {"dtype": str(v.dtype), "shape": list(v.shape)} for k, v in sorted(self.arrays.items())
        }
        self.header["sha256"] = canonical_sha256(self.header, self.arrays)
        return self


def canonical_sha256(header: dict, arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    head = {k: v for k, v in header.items() if k != "sha256"}
    h.update(json.dumps(head, sort_keys=True, separators=(",", ":")).encode())
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        h.update(f"\n{name}|{a.dtype.str}|{list(a.shape)}\n".encode())
        h.update(a.tobytes(order="C"))
    return h.hexdigest()


def save_ir(ir: ModelIR, path: Path | str) -> Path:
    """Write atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    if path.is_dir():
        raise IRError(f"{path} is a directory, not a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    header = json.dumps(ir.header, sort_keys=True).encode()
    payload = {HEADER_KEY: np.frombuffer(header, dtype=np.uint8), **ir.arrays}
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, **payload)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a shipped IR must be readable by all
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_ir(path: Path | str) -> ModelIR:
    """Read and check an IR file; any problem raises :class:`IRError` with one clear line."""
    path = Path(path)
    if not path.is_file():
        raise IRError(f"{path}: no such model IR file")
    try:
        with np.load(path, allow_pickle=False) as z:
            if HEADER_KEY not in z.files:
                raise IRError(f"{path}: not a bifsmn-mcu model IR (no header)")
            header = json.loads(bytes(z[HEADER_KEY]).decode("utf-8"))
            names = [n for n in z.files if n != HEADER_KEY]
            arrays = {n: z[n] for n in names}
    except IRError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, UnicodeDecodeError) as e:
        raise IRError(f"{path}: corrupt or truncated model IR ({type(e).__name__}: {e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise IRError(f"{path}: not a bifsmn-mcu model IR (format {header.get('format')!r})")
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IRError(
            f"{path}: model IR format version {version} is newer than this bifsmn-mcu reads "
            f"({FORMAT_VERSION}); upgrade bifsmn-mcu or re-export the model"
        )
    for key in ("labels", "paths", "layers", "arrays", "constants", "sha256", "feature_config"):
        if key not in header:
            raise IRError(f"{path}: model IR header lacks {key!r}")
    for name, meta in header["arrays"].items():
        if name not in arrays:
            raise IRError(f"{path}: model IR is missing array {name!r}")
        a = arrays[name]
        if str(a.dtype) != meta["dtype"] or list(a.shape) != meta["shape"]:
            raise IRError(
                f"{path}: array {name!r} is {a.dtype}{list(a.shape)}, "
                f"header says {meta['dtype']}{meta['shape']}"
            )
    digest = canonical_sha256(header, arrays)
    if digest != header["sha256"]:
        raise IRError(f"{path}: model IR checksum mismatch (content changed after export)")
    return ModelIR(header, arrays)


def ir_bytes(ir: ModelIR) -> bytes:
    """The ``.npz`` bytes of an IR (for tests that corrupt files)."""
    buf = io.BytesIO()
    header = json.dumps(ir.header, sort_keys=True).encode()
    np.savez_compressed(buf, **{HEADER_KEY: np.frombuffer(header, dtype=np.uint8), **ir.arrays})
    return buf.getvalue()
