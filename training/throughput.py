"""Training throughput per variant: clips/s (wall) and clips per CPU-second of full training steps.

``python -m bifsmn_mcu.training.throughput [--steps 5] [--batch 64] [--threads 1] [--compile]
[--write DOC.md]``
runs, for every shipped config, forward + loss (with the teacher forward when it distils) + backward +
AdamW on random int16-range feature batches. CPU-seconds are less sensitive than wall time to other jobs
on a shared machine. ``--write`` replaces the block between the throughput markers of DOC.md.
``--compile`` instead measures each config eager and under ``torch.compile`` (``train --compile``) in
the same run and writes the compile block: both clips per CPU-second, their ratio and the compile time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from .ablation import write_into
from .config import CONFIG_DIR, load_config
from .models import build_model
from .trainer import batch_loss, make_optimizer

START, END = "<!-- throughput:start -->", "<!-- throughput:end -->"
COMPILE_START, COMPILE_END = "<!-- throughput-compile:start -->", "<!-- throughput-compile:end -->"


def measure(name: str, steps: int = 5, batch: int = 64, compiled: bool = False) -> dict:
    cfg = load_config(name)
    n_classes = 10 if cfg["data"].get("source") == "fsdd" else 12
    model = build_model(cfg["model"], n_classes)
    model.norm.set(9000, 2000.0)
    teacher = None
    if cfg["distill"]["method"] != "none":
        teacher = build_model({"kind": "teacher"}, n_classes).eval()
        teacher.norm.set(9000, 2000.0)
    paths = tuple(cfg["train"]["paths"]) if cfg["model"].get("kind") == "student" else ("1",)
    weights = dict(zip(cfg["train"]["paths"], cfg["train"]["path_weights"], strict=True))
    weights = {w: weights.get(w, 1.0) for w in paths}
    opt = make_optimizer(model, cfg["train"])
    g = torch.Generator().manual_seed(0)
    x = torch.randint(3840, 16000, (batch, 32, 32), generator=g).float()
    y = torch.arange(batch) % n_classes

    net = model
    if compiled:
        from .compiling import compile_for_training

        net = compile_for_training(model)

    def step() -> None:
        loss, _ = batch_loss(net, teacher, x, y, paths, weights, cfg["distill"])
        opt.zero_grad()
        loss.backward()
        opt.step()

    first = time.perf_counter()
    step()  # warm-up (and compilation)
    first = time.perf_counter() - first
    w0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    n = steps * batch
    return {"config": name, "paths": list(paths), "clips_per_s": round(n / wall, 1),
            "clips_per_cpu_s": round(n / cpu, 1), "first_step_s": round(first, 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--compile", action="store_true", help="eager vs torch.compile per config")
    ap.add_argument("configs", nargs="*", help="config names [default: all shipped]")
    ap.add_argument("--write", type=Path, help="Markdown file whose throughput block is replaced")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    names = args.configs or sorted(p.stem for p in CONFIG_DIR.glob("*.json"))
    if args.compile:
        _compare(names, args)
        return
    lines = ["| config | paths trained | clips/s (wall) | clips per CPU-second |", "|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for name in names:
        r = measure(name, args.steps, args.batch)
        lines.append(f"| `{name}` | {', '.join(r['paths'])} | {r['clips_per_s']} | {r['clips_per_cpu_s']} |")
        print(lines[-1], flush=True)
    if args.write:
        write_into(args.write, "\n".join(lines) + "\n", START, END)


def _compare(names: list[str], args: argparse.Namespace) -> None:
    lines = [
        "| config | eager clips per CPU-second | compiled | compiled / eager | first compiled step s |",
        "|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    for name in names:
        e = measure(name, args.steps, args.batch)
        c = measure(name, args.steps, args.batch, compiled=True)
        eager, comp = e["clips_per_cpu_s"], c["clips_per_cpu_s"]
        lines.append(f"| `{name}` | {eager} | {comp} | {comp / eager:.2f} | {c['first_step_s']} |")
        print(lines[-1], flush=True)
    if args.write:
        write_into(args.write, "\n".join(lines) + "\n", COMPILE_START, COMPILE_END)


if __name__ == "__main__":
    main()
