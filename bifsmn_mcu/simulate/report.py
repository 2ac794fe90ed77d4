"""Simulation report: metrics, confusion-matrix PNG (matplotlib Agg), JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def confusion(y: np.ndarray, pred: np.ndarray, n: int) -> np.ndarray:
    cm = np.zeros((n, n), dtype=np.int64)
    np.add.at(cm, (y, pred), 1)
    return cm


def per_class_recall(cm: np.ndarray, labels: list[str]) -> dict[str, dict]:
    out = {}
    for i, name in enumerate(labels):
        total = int(cm[i].sum())
        out[name] = {"n": total, "recall": round(float(cm[i, i] / total), 5) if total else None}
    return out


def plot_confusion(cm: np.ndarray, labels: list[str], path: Path, title: str) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 6.5), dpi=110)
    rows = cm.sum(axis=1, keepdims=True)
    norm = np.divide(cm, rows, out=np.zeros(cm.shape, dtype=float), where=rows > 0)
    im = ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if cm[i, j]:
                ax.text(
                    j,
                    i,
                    str(cm[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if norm[i, j] > 0.5 else "black",
                )
    fig.colorbar(im, ax=ax, fraction=0.046, label="row fraction")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def markdown(rep: dict) -> str:
    lines = [
        f"# Host simulation: width {rep['width']}",
        "",
        f"- model sha256 `{rep['model_sha256']}`",
        f"- clips: {rep['n']} ({rep['input']} input)",
    ]
    if rep.get("accuracy") is not None:
        lines.append(f"- top-1 accuracy: **{100 * rep['accuracy']:.2f} %**")
    lines.append(f"- host C == numpy integer reference (logits): {rep['intref_identical']}/{rep['n']}")
    if rep.get("frontend_identical") is not None:
        lines.append(f"- C front end == numpy front end (features): {rep['frontend_identical']}/{rep['n']}")
    t = rep.get("torch")
    if t:
        line = f"- top-1 agreement with PyTorch: {100 * t['agreement']:.2f} %"
        if t.get("accuracy") is not None:
            line += f" (PyTorch accuracy {100 * t['accuracy']:.2f} %"
            if t.get("accuracy_difference_points") is not None:
                line += f", C - PyTorch {t['accuracy_difference_points']:+.2f} points"
            line += ")"
        lines.append(line)
    mem = rep["memory"]
    lines += [
        "",
        "## Memory (planned, data only)",
        "",
        "| flash model | flash front end | RAM model | RAM front end | float32 params | smaller by "
        "| weights only: packed+int8 vs float32 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {mem['model_flash']} B | {mem['frontend_flash']} B | {mem['model_ram']} B | "
        f"{mem['frontend_ram']} B | {mem['float32_bytes']} B | {mem['compression']}x | "
        f"{mem['weight_bytes']} B vs {mem['float32_weight_bytes']} B: {mem['weight_compression']}x |",
    ]
    if rep.get("per_class"):
        lines += ["", "## Per-class recall", "", "| class | clips | recall |", "| --- | --- | --- |"]
        for name, v in rep["per_class"].items():
            r = "-" if v["recall"] is None else f"{100 * v['recall']:.1f} %"
            lines.append(f"| {name} | {v['n']} | {r} |")
    if rep.get("confusion_png"):
        lines += ["", f"![confusion matrix]({Path(rep['confusion_png']).name})"]
    return "\n".join(lines) + "\n"


def write_report(rep: dict, cm: np.ndarray | None, labels: list[str], out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    tag = rep["width"].replace("/", "_")
    if cm is not None:
        paths["png"] = plot_confusion(
            cm,
            labels,
            out_dir / f"confusion_w{tag}.png",
            f"width {rep['width']}: top-1 {100 * rep['accuracy']:.1f} %",
        )
        rep["confusion_png"] = str(paths["png"])
    paths["json"] = out_dir / f"simulate_w{tag}.json"
    paths["json"].write_text(json.dumps(rep, indent=2) + "\n")
    paths["md"] = out_dir / f"simulate_w{tag}.md"
    paths["md"].write_text(markdown(rep))
    return paths
