"""The ablation table is built from run folders: selected epoch by the trainer's rule, config name."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from bifsmn_mcu.training.ablation import END, MAIN, START, table, write_into  # noqa: E402


def _run(root, name, config, devs):
    d = root / name
    d.mkdir(parents=True)
    (d / "config.json").write_text(json.dumps({"name": config}))
    rows = [{"epoch": i + 1, "dev": dev, "clips_per_s": 100.0 + i} for i, dev in enumerate(devs)]
    (d / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_table_picks_the_selected_epoch_and_names_the_config(tmp_path):
    _run(tmp_path, "teacher", "teacher", [{"1": 0.5}, {"1": 0.8}, {"1": 0.7}])
    ok = {"1": 0.75, "1/2": 0.6, "1/4": 0.5, "1/8": 0.4}
    inverted = {"1": 0.9, "1/2": 0.3, "1/4": 0.5, "1/8": 0.4}  # 1/2 < 1/4: the rule skips it
    _run(tmp_path, "bifsmnv2", "bifsmnv2_kd", [ok, inverted])
    text = table(tmp_path, MAIN)
    lines = text.splitlines()
    assert "| `teacher` (`teacher`) | 2/3 | 80.00 |" in lines[2]
    assert "| `bifsmnv2` (`bifsmnv2_kd`) | 1/2 | 75.00 | 60.00 | 50.00 | 40.00 | 100 |" in lines[3]
    doc = tmp_path / "T.md"
    doc.write_text(f"a\n{START}\nold\n{END}\nb\n")
    write_into(doc, text)
    assert "old" not in doc.read_text() and "80.00" in doc.read_text()


def test_missing_run_is_reported_not_invented(tmp_path):
    assert "| not run |" in table(tmp_path, MAIN)


def test_ensemble_teachers_are_rows_only_when_run(tmp_path):
    assert "ensemble member" not in table(tmp_path, MAIN)
    _run(tmp_path, "teacher_reg", "teacher_reg", [{"1": 0.87}])
    text = table(tmp_path, MAIN)
    row = "| FP teacher, more regularisation (KD ensemble member) | `teacher_reg` (`teacher_reg`) | 1/1 |"
    assert f"{row} 87.00 |" in text
    assert "teacher_reg_synth2" not in text


def test_two_stage_shipped_run_shows_its_stage_one(tmp_path):
    from bifsmn_mcu.training.ablation import STAGE1_LABEL, main_rows

    ok = {"1": 0.75, "1/2": 0.6, "1/4": 0.5, "1/8": 0.4}
    _run(tmp_path, "st1", "stage1", [ok])
    _run(tmp_path, "st2", "kd", [ok])
    (tmp_path / "st1" / "config.json").write_text(
        json.dumps({"name": "stage1", "train": {"real_weights": True}})
    )
    cfg = {"name": "kd", "train": {"init_checkpoint": "elsewhere/st1/last.pt"}}
    (tmp_path / "st2" / "config.json").write_text(json.dumps(cfg))
    labels = [r[1] for r in main_rows(tmp_path, "st2")]
    assert labels[-2:] == [STAGE1_LABEL, "**BiFSMNv2** (shipped run)"]
    text = table(tmp_path, main_rows(tmp_path, "st2"))
    assert "| `st1` (`stage1`) | 1/1 | 75.00 |" in text and "| `st2` (`kd`) | 1/1 | 75.00 |" in text
    # a one-stage run (or a fine-tune from a 1-bit run) has no stage-1 row
    (tmp_path / "st1" / "config.json").write_text(json.dumps({"name": "stage1", "train": {}}))
    assert STAGE1_LABEL not in [r[1] for r in main_rows(tmp_path, "st2")]


def test_write_replaces_each_table_only_from_its_runs(tmp_path):
    from bifsmn_mcu.training.ablation import MAIN_END, MAIN_START, main

    _run(tmp_path / "runs", "teacher", "teacher", [{"1": 0.8}])
    doc = tmp_path / "T.md"
    doc.write_text(f"{MAIN_START}\nold main\n{MAIN_END}\n{START}\nold ablation 71.67\n{END}\n")
    main(["--runs", str(tmp_path / "runs"), "--write", str(doc)])
    text = doc.read_text()
    assert "old main" not in text and "80.00" in text
    assert "old ablation 71.67" in text  # no --ablation-runs: the ablation table is left as it was
