"""The manifest of a generated folder and the all-or-nothing install of a new run over it.

``<out>/.bifsmn-generated.json`` (the manifest) lists every file ``generate`` wrote with its sha256:
a later run replaces the entries it owns (``lib/<prefix>/``, ``include/``, ``ld/``, ``platforms/``,
``src/``, ``platformio.ini``) only if they hold exactly those files, unchanged (``force`` overrides),
removes the previous run's ``lib/<old prefix>/`` the same way, and never touches ``.pio/`` or
anything else. The new files are written into a work folder on OUT's filesystem and renamed into
place; if a rename fails the earlier ones are undone, so a failure leaves OUT as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath

from .. import __version__
from ..model.ir import ModelIR
from .errors import CodegenError

MANIFEST = ".bifsmn-generated.json"  # in OUT: generator, model sha256, sha256 of every file written
KEEP = (".pio",)  # PlatformIO's build folder in OUT: never counted as a user file, never touched
TMP_PREFIX = ".bifsmn-tmp-"  # generate's work folder inside OUT (beside a new OUT: .<OUT name> + this)
CACHES = ("__pycache__",)  # PlatformIO imports platforms/bifsmn/*.py: its caches are not user files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path, base: Path) -> list[str]:
    """Paths (relative to ``base``, posix) of the files and symlinks at or under ``root``."""
    if root.is_symlink() or not root.is_dir():
        return [root.relative_to(base).as_posix()] if os.path.lexists(root) else []
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        d = Path(dirpath)
        out += [(d / n).relative_to(base).as_posix() for n in filenames]
        # symlinked folders are not walked into: they count as one (unlisted) file
        out += [(d / n).relative_to(base).as_posix() for n in dirnames if (d / n).is_symlink()]
        dirnames[:] = [n for n in dirnames if n not in CACHES and not (d / n).is_symlink()]
    return sorted(out)


def owned_root(rel: str) -> str:
    """The entry of OUT that generate replaces as a whole: ``lib/<prefix>`` or a top-level name."""
    parts = rel.split("/")
    return "/".join(parts[:2]) if parts[0] == "lib" and len(parts) > 2 else parts[0]


def write_manifest(tmp: Path, ir: ModelIR, width: str, prefix: str, board: str) -> dict:
    """``tmp/MANIFEST``: what this run wrote, so the next run knows what it may replace."""
    manifest = {
        "generator": f"bifsmn-mcu {__version__}",
        "model_sha256": ir.sha256,
        "width": width,
        "prefix": prefix,
        "board": board,
        "files": {rel: _sha256(tmp / rel) for rel in _files(tmp, tmp) if rel != MANIFEST},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _read_manifest(out_dir: Path) -> dict[str, str] | None:
    """``{relative path: sha256}`` of the previous run, or None (no manifest, or not a valid one)."""
    try:
        files = json.loads((out_dir / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(files, dict):
        return None
    for rel, digest in files.items():
        parts = PurePosixPath(rel).parts
        bad = not isinstance(rel, str) or not isinstance(digest, str) or not parts
        if bad or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
            return None  # a path outside OUT: not ours to judge
        if parts[0] in KEEP or rel == MANIFEST:
            return None
    return files


def _listing(paths: list[str], limit: int = 8) -> str:
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return ", ".join(paths[:limit]) + more


def check_existing(out_dir: Path, roots: set[str], force: bool = False) -> set[str]:
    """Check that generate may replace ``roots`` (entries of OUT) before anything is touched.

    An existing non-empty OUT must hold the manifest of a previous run, every file under the entries
    this run replaces must be listed there with the same sha256 (no user edits, no user files), and
    so must the entries of the previous run that this one no longer writes (``lib/<old prefix>``);
    those are returned, to be removed. ``force`` skips the refusal. CodegenError names the paths.
    """
    if not out_dir.is_dir():
        return set()
    present = sorted(p.name for p in out_dir.iterdir() if p.name not in KEEP and not _is_tmp(p.name))
    if not present:
        return set()
    listed = _read_manifest(out_dir)
    if listed is None:
        if force:
            return set()
        raise CodegenError(
            f"{out_dir} is not empty ({_listing(present)}) and has no valid {MANIFEST}, so it was not "
            f"written by bifsmn-mcu generate: choose an empty or new --out, or pass --force to replace "
            f"{', '.join(sorted(roots))} in it"
        )
    stale = {owned_root(rel) for rel in listed} - roots - {MANIFEST}
    problems = []
    for root in sorted((roots | stale) - {MANIFEST}):
        for rel in _files(out_dir / root, out_dir):
            if rel not in listed:
                problems.append(f"{rel} (not generated)")
            elif (out_dir / rel).is_symlink() or _sha256(out_dir / rel) != listed[rel]:
                problems.append(f"{rel} (edited)")
    if problems and not force:
        raise CodegenError(
            f"{out_dir} holds files that regenerating would delete or overwrite: {_listing(problems)}; "
            "move them out of the generated folders, or pass --force to overwrite them"
        )
    return stale


def _is_tmp(name: str) -> bool:
    return name.startswith(TMP_PREFIX)


def install(work: Path, out_dir: Path, entries: list[str], stale: set[str]) -> None:
    """Move ``work/new/<entry>`` onto ``out_dir/<entry>`` for each entry, all or nothing.

    ``work`` is on OUT's filesystem (inside OUT, or beside a new OUT), so every step is a rename.
    What an entry replaces, and the ``stale`` entries, go to ``work/old`` first; if any rename fails
    every step is undone in reverse and the error is raised again, OUT as it was.
    """
    new, old = work / "new", work / "old"
    if not out_dir.exists():
        os.replace(new, out_dir)
        return
    moves: list[tuple[Path, Path]] = []  # (src, dst) renames done
    made: list[Path] = []  # folders created in OUT (lib/)

    def move(src: Path, dst: Path) -> None:
        os.replace(src, dst)
        moves.append((src, dst))

    def put_aside(rel: str) -> None:
        if os.path.lexists(out_dir / rel):
            (old / rel).parent.mkdir(parents=True, exist_ok=True)
            move(out_dir / rel, old / rel)

    try:
        for rel in sorted(stale):
            put_aside(rel)
        for rel in entries:
            target = out_dir / rel
            if not target.parent.exists():
                target.parent.mkdir(parents=True)
                made.append(target.parent)
            put_aside(rel)
            move(new / rel, target)
    except OSError as e:
        lost = []
        for src, dst in reversed(moves):
            try:
                os.replace(dst, src)
            except OSError:
                lost.append(str(src))
        for d in reversed(made):
            if d.is_dir() and not any(d.iterdir()):
                d.rmdir()
        if lost:  # keep work/: it holds what could not be put back
            raise CodegenError(
                f"writing {out_dir} failed ({e.strerror or e}: {e.filename}) and {', '.join(lost)} could "
                f"not be restored; the previous files are in {old}"
            ) from e
        raise
