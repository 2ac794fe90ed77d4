"""``bifsmn-mcu generate / simulate / verify model / export`` from the command line, good and bad input."""

import json

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import require_tool

from bifsmn_mcu.cli import main
from bifsmn_mcu.model.fold import fold
from bifsmn_mcu.model.ir import FORMAT_VERSION, ir_bytes, save_ir
from bifsmn_mcu.model.random_deploy import random_deploy_state


def _run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    return res.exit_code, res.output


def _one_clear_line(out):
    lines = [ln for ln in out.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, out
    assert lines[0].startswith("Error:"), out
    assert "Traceback" not in out
    return lines[0]


def test_generate_writes_lib_and_prints_memory(ir_file, tmp_path):
    path, ir = ir_file
    out = tmp_path / "proj"
    code, text = _run("generate", "--model", path, "--width", "1/4", "--out", out, "--prefix", "kws")
    assert code == 0, text
    lib = out / "lib" / "kws"
    assert (lib / "kws.h").is_file() and (lib / "kws_model_data.c").is_file()
    assert (lib / "bnn_kernels.h").is_file() and (lib / "bnn_frontend.h").is_file()
    meta = json.loads((lib / "kws_model.json").read_text())
    assert meta["model_sha256"] == ir.sha256 and meta["width"] == "1/4"
    for w in ("1", "1/2", "1/4", "1/8"):
        assert f"\n  {w:>5} " in text
    assert "smaller" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folders left


def test_generated_lib_compiles_strict(ir_file, tmp_path):
    require_tool("gcc")
    from bifsmn_mcu.toolchain import compile_host

    path, _ = ir_file
    out = tmp_path / "p"
    assert _run("generate", "--model", path, "--out", out, "--prefix", "zz")[0] == 0
    lib = out / "lib" / "zz"
    main_c = tmp_path / "m.c"
    main_c.write_text(
        '#include "zz.h"\nint main(void){int32_t l[ZZ_N_CLASSES]; static int16_t f[ZZ_FEATURE_SIZE];'
        " zz_init(); return zz_infer(f, l) < 0;}\n"
    )
    exe = compile_host(sorted(lib.glob("*.c")) + [main_c], tmp_path / "a.out", include_dirs=[lib])
    assert exe.is_file()


def test_regenerate_replaces_lib(ir_file, tmp_path):
    path, _ = ir_file
    out = tmp_path / "o"
    assert _run("generate", "--model", path, "--out", out, "--width", "1")[0] == 0
    assert _run("generate", "--model", path, "--out", out, "--width", "1/8")[0] == 0
    meta = json.loads((out / "lib" / "kws" / "kws_model.json").read_text())
    assert meta["width"] == "1/8"
    assert "g_kws_block0_" not in (out / "lib" / "kws" / "kws_model_data.c").read_text()


@pytest.mark.parametrize(
    "prefix", ["int", "9lives", "a-b", "bnn", "bsp", "bifsmn", "bl", "app", "BNN", "bsp_x", "bifsmn_app"]
)
def test_bad_prefix(ir_file, tmp_path, prefix):
    path, _ = ir_file
    out = tmp_path / "never"
    code, text = _run("generate", "--model", path, "--out", out, "--prefix", prefix)
    assert code != 0
    assert "prefix" in _one_clear_line(text)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_board_sets_default_env(ir_file, tmp_path):
    import configparser

    path, _ = ir_file
    out = tmp_path / "o"
    code, text = _run("generate", "--model", path, "--out", out, "--board", "pico")
    assert code == 0 and "(board pico)" in text, text
    ini = configparser.ConfigParser()
    ini.read(out / "platformio.ini")
    assert ini["platformio"]["default_envs"] == "pico"
    assert {"env:qemu-m4", "env:pico", "env:host"} <= set(ini.sections())


def test_board_choices_in_help_and_unknown_board(ir_file, tmp_path):
    path, _ = ir_file
    code, text = _run("generate", "--help")
    assert code == 0 and "qemu-m4" in text and "nucleo_f446re" in text
    code, text = _run("generate", "--model", path, "--out", tmp_path / "o", "--board", "uno")
    assert code != 0 and "'uno'" in text and "qemu-m4" in text and "Traceback" not in text
    assert not (tmp_path / "o").exists()


def test_output_path_is_a_file(ir_file, tmp_path):
    path, _ = ir_file
    f = tmp_path / "file.txt"
    f.write_text("x")
    code, text = _run("generate", "--model", path, "--out", f)
    assert code != 0 and "not a directory" in _one_clear_line(text)
    assert f.read_text() == "x"
    code, text = _run("generate", "--model", path, "--out", f / "sub")
    assert code != 0 and "is a file" in _one_clear_line(text)


def test_width_the_model_lacks(tmp_path):
    d = random_deploy_state(42)
    d["paths"] = {"1": d["paths"]["1"], "1/8": d["paths"]["1/8"]}
    for blk in d["blocks"]:
        blk["fc2"]["paths"] = {w: v for w, v in blk["fc2"]["paths"].items() if w in d["paths"]}
    p = save_ir(fold(d), tmp_path / "two.npz")
    out = tmp_path / "o"
    code, text = _run("generate", "--model", p, "--width", "1/2", "--out", out)
    assert code != 0 and "width 1/2 is not in this model" in _one_clear_line(text)
    assert not out.exists()


@pytest.mark.parametrize("kind", ["truncated", "garbage", "newer"])
def test_bad_ir_files(ir_file, tmp_path, kind):
    _, ir = ir_file
    p = tmp_path / "bad.npz"
    if kind == "truncated":
        raw = ir_bytes(ir)
        p.write_bytes(raw[: len(raw) - 5000])
    elif kind == "garbage":
        p.write_bytes(b"\x00" * 100)
    else:
        ir2 = fold(random_deploy_state(41))
        ir2.header["format_version"] = FORMAT_VERSION + 1
        raw = np.frombuffer(json.dumps(ir2.header).encode(), np.uint8)
        with open(p, "wb") as f:
            np.savez(f, __header__=raw, **ir2.arrays)
    out = tmp_path / "o"
    for cmd in (
        ["generate", "--out", out],
        ["verify", "model", "--data", tmp_path],
        ["simulate", "--wav", p],
    ):
        code, text = (
            _run(cmd[0], "--model", p, *cmd[1:])
            if cmd[0] != "verify"
            else _run("verify", "model", "--model", p, *cmd[2:])
        )
        assert code != 0
        line = _one_clear_line(text)
        assert str(p) in line
        if kind == "newer":
            assert "newer" in line
    assert not out.exists()


def test_missing_default_model_or_checkpoint(tmp_path):
    code, text = _run("export", tmp_path / "none.pt", "-o", tmp_path / "m.npz")
    assert code != 0 and "no such checkpoint" in _one_clear_line(text)


def test_verify_model_and_simulate_on_wavs(ir_file, tmp_path):
    require_tool("gcc")
    from bifsmn_mcu.audio.wavio import write_wav

    path, ir = ir_file
    data = tmp_path / "data"
    rng = np.random.default_rng(0)
    for label in ("yes", "no", "_silence_"):
        (data / label).mkdir(parents=True)
        for k in range(2):
            write_wav(data / label / f"spk{k}_nohash_0.wav", (rng.normal(0, 2000, 16000)).astype(np.int16))
    code, text = _run("verify", "model", "--model", path, "--width", "1/8", "--data", data)
    assert code == 0, text
    assert "6/6 identical" in text
    rep = tmp_path / "rep"
    code, text = _run("simulate", "--model", path, "--width", "1/8", "--data", data, "--report", rep)
    assert code == 0, text
    js = json.loads((rep / "simulate_w1_8.json").read_text())
    for key in ("accuracy", "n", "width", "model_sha256", "per_class"):
        assert key in js
    assert js["n"] == 6 and js["intref_identical"] == 6 and js["frontend_identical"] == 6
    assert js["model_sha256"] == ir.sha256
    assert (rep / "confusion_w1_8.png").stat().st_size > 1000
    assert "Host simulation" in (rep / "simulate_w1_8.md").read_text()
    code, text = _run(
        "simulate", "--model", path, "--width", "1/8", "--wav", data / "yes" / "spk0_nohash_0.wav"
    )
    assert code == 0 and "spk0_nohash_0.wav:" in text


def test_default_model(tmp_path):
    from bifsmn_mcu.model.default import default_ir_path

    out = tmp_path / "d"
    code, text = _run("generate", "--out", out, "--width", "1/8")
    if default_ir_path().is_file():
        assert code == 0, text
        assert (out / "lib" / "kws" / "kws.h").is_file()
    else:
        assert code != 0 and "no shipped model IR" in _one_clear_line(text)
        assert not out.exists()
