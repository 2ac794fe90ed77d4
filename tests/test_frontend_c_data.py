"""Host C front end == numpy reference on real Speech Commands clips (and the CLI that checks it)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SPEECH_PART, require_tool

from bifsmn_mcu.cli import main
from bifsmn_mcu.data import load_folder
from bifsmn_mcu.frontend import DEFAULT_FEATURES as CFG
from bifsmn_mcu.frontend import features, features_float
from bifsmn_mcu.frontend.verify import build_host_frontend, compare_features, run_host_frontend


def _spread(n: int) -> np.ndarray:
    clips = load_folder(SPEECH_PART)
    idx = np.linspace(0, len(clips) - 1, n).round().astype(int)
    return np.stack([clips[i].load(CFG) for i in idx])


@pytest.fixture(scope="module")
def host_exe(tmp_path_factory):
    require_tool("gcc")
    return build_host_frontend(CFG, tmp_path_factory.mktemp("fe"), sanitize=True)


def test_50_real_clips_bit_exact_and_close_to_float(shared_data, host_exe):
    pcm = _spread(50)
    want = features(pcm, CFG)
    cmp = compare_features(run_host_frontend(host_exe, pcm, CFG, (160, 7)), want)
    assert cmp.ok, cmp.first_mismatch
    db = np.abs(CFG.feature_to_db(want) - CFG.feature_to_db(features_float(pcm, CFG)))
    assert db.mean() < 0.5


def test_verify_cli_reports_identical_and_db_error(shared_data):
    require_tool("gcc")
    res = CliRunner().invoke(
        main, ["verify", "frontend", "--data", str(SPEECH_PART), "--limit", "24", "--chunk", "7"]
    )
    assert res.exit_code == 0, res.output
    assert "24/24 identical" in res.output
    assert "mean |error|" in res.output and "p99" in res.output


def test_verify_cli_bad_input_is_one_line(tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["verify", "frontend", "--data", str(tmp_path / "missing")])
    assert res.exit_code != 0 and "no such folder" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["verify", "frontend", "--data", str(tmp_path), "--chunk", "x"])
    assert res.exit_code != 0 and "--chunk" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_all_shared_clips_bit_exact(shared_data):
    """Every clip of the shared part (>= 300; CI runs it), pushed in mixed chunk sizes."""
    require_tool("gcc")
    res = CliRunner().invoke(
        main, ["verify", "frontend", "--data", str(SPEECH_PART), "--chunk", "1,7,160,512,4096"]
    )
    assert res.exit_code == 0, res.output
    n = len(load_folder(SPEECH_PART))
    assert n >= 300 and f"{n}/{n} identical" in res.output
