"""The throughput command writes its table between the markers (what it measures is not asserted:
figures are for the command's reader, not for a timed test)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from bifsmn_mcu.training.throughput import main  # noqa: E402


def test_throughput_table_replaces_only_its_block(tmp_path):
    doc = tmp_path / "DOC.md"
    doc.write_text("before\n<!-- throughput:start -->\nold\n<!-- throughput:end -->\nafter\n")
    main(["--steps", "1", "--batch", "4", "plain_bnn", "teacher", "--write", str(doc)])
    text = doc.read_text()
    assert text.startswith("before\n<!-- throughput:start -->\n| config |") and text.endswith(
        "end -->\nafter\n"
    )
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert [r.split("|")[1].strip() for r in rows] == ["`plain_bnn`", "`teacher`"]
    assert all(float(r.split("|")[4]) > 0 for r in rows) and "old" not in text
