"""`bifsmn-mcu bench`: bad input is one clear line; the report writer's tables and target lines."""

from __future__ import annotations

from click.testing import CliRunner

from bifsmn_mcu.bench.report import markdown, ratios, target_lines
from bifsmn_mcu.bench.runner import BenchRecord, fill_frontend
from bifsmn_mcu.cli import main


def _run(args):
    return CliRunner().invoke(main, ["bench", *args])


def test_unknown_core_is_one_line(tmp_path):
    r = _run(["--cores", "m99", "--widths", "1/8", "--variants", "fast", "--out", str(tmp_path)])
    assert r.exit_code != 0
    assert "unknown core 'm99'" in r.output
    assert "Traceback" not in r.output


def test_unknown_variant_and_width(tmp_path):
    r = _run(["--cores", "m4", "--variants", "int4", "--out", str(tmp_path)])
    assert r.exit_code != 0 and "unknown variant 'int4'" in r.output
    r = _run(["--cores", "m4", "--widths", "1/3", "--variants", "fast", "--out", str(tmp_path)])
    assert r.exit_code != 0 and "width '1/3'" in r.output


def test_missing_model_file(tmp_path):
    r = _run(["--model", str(tmp_path / "nope.npz"), "--out", str(tmp_path)])
    assert r.exit_code != 0
    assert "Traceback" not in r.output


def _rec(core, width, variant, net, model=1000):
    fast = variant == "fast"
    layers = {"conv1": net // 2, "classifier": net - net // 2} if fast else {}
    exact = True if fast else None
    return BenchRecord(core, width, variant, net, 100, 5000, 800, model, exact, "unicorn", layers)


def test_report_tables_ratios_and_targets():
    recs = [
        _rec("m4", "1", "fast", 2_900_000, 40_000),
        _rec("m4", "1", "portable", 9_000_000),
        _rec("m4", "1", "float32", 12_000_000, 1_200_000),
        _rec("m4", "1", "int8", 9_500_000),
        _rec("m4", "1/4", "fast", 1_400_000),
        _rec("m55", "1", "fast", 1_800_000),
    ]
    recs[2].instructions_frontend = 0
    fill_frontend(recs)
    assert recs[2].instructions_frontend == 100
    md = markdown(recs, {"model": "test", "sha256": "ab" * 32})
    assert "| m4 | binary, optimised | 2,900,000 |" in md
    assert "## Per layer, m4, width 1" in md
    lines = "\n".join(target_lines(recs))
    assert "network <= 3.0 M: 2.900 M -> met" in lines
    assert "4.14x -> met" in lines  # float32 / fast
    assert "3.28x -> met" in lines  # int8 / fast
    assert "30.0x -> met" in lines  # model data
    assert "48.3 % -> NOT met" in lines  # width 1/4
    assert "1.61x -> met" in lines  # M55 vs M4
    assert any("3.10x vs portable" in x for x in ratios(recs))
