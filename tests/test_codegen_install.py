"""``bifsmn-mcu generate`` into an existing OUT: the manifest, refusing to clobber user edits,
atomic install with rollback, the mode of a new OUT, and the banner on every generated file."""

from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

from test_codegen_cli import _run

MANIFEST = ".bifsmn-generated.json"


def _tree(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under root (folders as b'<dir>')."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        out[rel] = b"<dir>" if p.is_dir() else p.read_bytes()
    return out


def _gen(path, out, *extra):
    code, text = _run("generate", "--model", path, "--out", out, *extra)
    return code, text


def test_manifest_lists_every_file_with_its_hash(ir_file, tmp_path):
    path, ir = ir_file
    out = tmp_path / "p"
    assert _gen(path, out)[0] == 0
    m = json.loads((out / MANIFEST).read_text())
    assert m["model_sha256"] == ir.sha256 and m["generator"].startswith("bifsmn-mcu ")
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {MANIFEST}
    assert set(m["files"]) == files
    for rel, h in m["files"].items():
        assert hashlib.sha256((out / rel).read_bytes()).hexdigest() == h


def test_regenerate_refuses_user_edits_and_force_overwrites(ir_file, tmp_path):
    path, _ = ir_file
    out = tmp_path / "b"
    assert _gen(path, out)[0] == 0
    (out / "src" / "my_sensor.c").write_text("int my_sensor;\n")
    with open(out / "platformio.ini", "a") as f:
        f.write("\n[env:mine]\nplatform = native\n")
    before = _tree(out)
    code, text = _gen(path, out, "--width", "1/8")
    assert code != 0
    assert "src/my_sensor.c" in text and "platformio.ini" in text and "--force" in text
    assert "Traceback" not in text
    assert _tree(out) == before  # nothing touched
    code, text = _gen(path, out, "--width", "1/8", "--force")
    assert code == 0, text
    assert not (out / "src" / "my_sensor.c").exists()
    assert "[env:mine]" not in (out / "platformio.ini").read_text()
    assert json.loads((out / "lib" / "kws" / "kws_model.json").read_text())["width"] == "1/8"


def test_refuses_a_folder_not_made_by_generate(ir_file, tmp_path):
    path, _ = ir_file
    home = tmp_path / "home"
    (home / "src").mkdir(parents=True)
    (home / "src" / "thesis.tex").write_text("precious")
    (home / "notes.txt").write_text("mine")
    before = _tree(home)
    code, text = _gen(path, home)
    assert code != 0 and MANIFEST in text and "--force" in text
    assert _tree(home) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_regenerate_unmodified_is_silent_and_keeps_pio_and_unrelated(ir_file, tmp_path):
    path, _ = ir_file
    out = tmp_path / "o"
    assert _gen(path, out, "--width", "1")[0] == 0
    (out / ".pio" / "build" / "qemu-m4").mkdir(parents=True)
    (out / ".pio" / "build" / "qemu-m4" / "firmware.elf").write_bytes(b"\x7fELF")
    (out / "lib" / "mylib").mkdir()
    (out / "lib" / "mylib" / "mylib.c").write_text("int mylib;\n")
    (out / "README.md").write_text("my notes\n")
    code, text = _gen(path, out, "--width", "1/8")
    assert code == 0, text
    assert (out / ".pio" / "build" / "qemu-m4" / "firmware.elf").read_bytes() == b"\x7fELF"
    assert (out / "lib" / "mylib" / "mylib.c").is_file() and (out / "README.md").is_file()
    assert json.loads((out / "lib" / "kws" / "kws_model.json").read_text())["width"] == "1/8"
    assert not [p for p in out.iterdir() if p.name.startswith(".bifsmn-tmp")]


def test_stale_prefix_lib_removed_only_when_unmodified(ir_file, tmp_path):
    path, _ = ir_file
    out = tmp_path / "o"
    assert _gen(path, out, "--prefix", "aa")[0] == 0
    assert _gen(path, out, "--prefix", "bb")[0] == 0
    assert not (out / "lib" / "aa").exists() and (out / "lib" / "bb" / "bb.h").is_file()
    with open(out / "lib" / "bb" / "bb.h", "a") as f:
        f.write("/* mine */\n")
    code, text = _gen(path, out, "--prefix", "cc")
    assert code != 0 and "lib/bb/bb.h" in text
    assert (out / "lib" / "bb" / "bb.h").is_file() and not (out / "lib" / "cc").exists()


def test_failed_replace_rolls_back(ir_file, tmp_path, monkeypatch):
    path, _ = ir_file
    out = tmp_path / "o"
    assert _gen(path, out, "--width", "1")[0] == 0
    before = _tree(out)
    real = os.replace
    calls = []

    def flaky(src, dst, *a, **k):
        calls.append((src, dst))
        if len(calls) == 2:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(src), None, str(dst))
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", flaky)
    code, text = _gen(path, out, "--width", "1/8")
    monkeypatch.undo()
    assert code != 0 and len(calls) >= 2
    assert f"cannot move {calls[1][0]} to {calls[1][1]}" in text and "cross-device" in text
    assert _tree(out) == before
    assert not list(tmp_path.rglob(".*.old-*"))
    assert [p.name for p in tmp_path.iterdir()] == ["o"]


def test_new_out_mode_respects_umask(ir_file, tmp_path):
    path, _ = ir_file
    old = os.umask(0o022)
    try:
        assert _gen(path, tmp_path / "new")[0] == 0
    finally:
        os.umask(old)
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o755


def test_every_generated_file_carries_the_banner(ir_file, tmp_path):
    path, ir = ir_file
    out = tmp_path / "p"
    assert _gen(path, out)[0] == 0
    listed = json.loads((out / MANIFEST).read_text())["files"]
    for p in sorted(out.rglob("*")):
        rel = p.relative_to(out).as_posix()
        if not p.is_file() or rel.startswith(".pio/") or rel == MANIFEST:
            continue
        text = p.read_text()
        if p.suffix in (".c", ".cpp", ".h", ".ld"):
            head = text[:400]
            assert "Generated by bifsmn-mcu" in head and ir.sha256 in head and "DO NOT EDIT" in head, rel
        elif p.suffix == ".json" and rel.startswith("platforms/bifsmn/boards/"):
            js = json.loads(text)
            assert js["model_sha256"] == ir.sha256 and js["generated_by"].startswith("bifsmn-mcu "), rel
        elif ir.sha256 not in text:
            assert listed[rel] == hashlib.sha256(p.read_bytes()).hexdigest(), rel


def test_demo_refuses_a_foreign_project_folder_unless_forced(ir_file, tmp_path):
    """`demo` regenerates OUT/project: the same refusal, and its own --force (checked before any build)."""
    path, _ = ir_file
    mine = tmp_path / "demo" / "project" / "src" / "mine.c"
    mine.parent.mkdir(parents=True)
    mine.write_text("int mine;\n")
    code, text = _run("demo", "--model", path, "--out", tmp_path / "demo", "--limit", "0")
    assert code == 1 and "--force" in text and "not empty" in text
    assert mine.read_text() == "int mine;\n"
    assert "--force" in _run("demo", "--help")[1]  # the advice in the message is an option demo has
