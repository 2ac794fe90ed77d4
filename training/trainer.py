"""The training loop: teacher or student, thin paths, distillation, DDP (torchrun), checkpoints, resume.

Determinism: each epoch draws its permutation, augmented-copy choice and masks from numpy generators
seeded by (seed, epoch[, rank]), and torch is reseeded per epoch, so a resumed run repeats exactly the
epochs an uninterrupted run would have run. Multi-process: under ``torchrun`` (``WORLD_SIZE`` > 1) the
process group uses gloo on CPU (nccl when CUDA is available), each rank takes a disjoint shard of the
epoch's permutation (a DistributedSampler over the cached feature bank), gradients are averaged by
DistributedDataParallel, and rank 0 evaluates and writes checkpoints and metrics.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from bifsmn_mcu.frontend import DEFAULT_FEATURES

from .calibrate import calibrate_bn, trainer_calibration_set
from .checkpoint import read_checkpoint, save_checkpoint, strip
from .compiling import compile_for_training
from .data import build_featuresets, mask_batch
from .distill import fid_loss, fid_parts, hed_loss, logit_mse, soft_kl
from .evaluation import accuracy_per_path, eval_paths
from .models import build_model
from .models.binary import use_real_weights
from .models.factory import init_student_from_teacher
from .teachers import load_teachers

SLOW_SUFFIXES = ("t1", "t2", "alpha1", "alpha2", "alpha_w")


def param_groups(model: nn.Module, lr: float, wd: float, slow: float) -> list[dict]:
    """Thresholds and LPB alphas at ``slow * lr`` without decay; weights with decay; BN/PReLU/bias without."""
    groups = {"slow": [], "decay": [], "other": []}
    for name, p in model.named_parameters():
        if name.split(".")[-1] in SLOW_SUFFIXES:
            groups["slow"].append(p)
        elif p.dim() > 1 and "prelu" not in name and "_act" not in name:
            groups["decay"].append(p)
        else:
            groups["other"].append(p)
    return [
        {"params": groups["slow"], "lr": lr * slow, "weight_decay": 0.0},
        {"params": groups["decay"], "lr": lr, "weight_decay": wd},
        {"params": groups["other"], "lr": lr, "weight_decay": 0.0},
    ]


def make_optimizer(model: nn.Module, tr: dict) -> torch.optim.Optimizer:
    groups = param_groups(model, float(tr["lr"]), float(tr["weight_decay"]), float(tr["slow_lr"]))
    if tr["optimizer"] == "adamw":
        return torch.optim.AdamW(groups, lr=float(tr["lr"]))
    if tr["optimizer"] == "sgd":
        return torch.optim.SGD(groups, lr=float(tr["lr"]), momentum=0.9, nesterov=True)
    raise ValueError(f"unknown optimizer {tr['optimizer']!r} (adamw or sgd)")


def batch_loss(
    net: nn.Module,
    teacher: nn.Module | None,
    x: torch.Tensor,
    y: torch.Tensor,
    paths: tuple[str, ...],
    weights: dict,
    dcfg: dict,
) -> tuple[torch.Tensor, dict]:
    """Sum over paths of ``w * (CE + weight * (FID or HED + logit MSE) + kd * soft KL)``.

    Returns (loss, outputs).
    """
    res = net(x, paths)
    tout, tparts = None, None
    kd = float(dcfg.get("kd", 0.0))
    if teacher is not None and (dcfg["method"] != "none" or kd > 0):
        with torch.no_grad():
            tout = teacher(x)["1"]
            if dcfg["method"] == "fid":
                tparts = {i: fid_parts(b) for i, b in tout["blocks"].items()}
    loss = 0.0
    for w in paths:
        o = res[w]
        term = F.cross_entropy(o["logits"], y)
        if tout is not None and dcfg["method"] != "none":
            d = 0.0
            if dcfg["method"] == "fid":
                d = d + fid_loss(o["blocks"], tout["blocks"], tparts)
            elif dcfg["method"] == "hed":
                d = d + hed_loss(o["blocks"], tout["blocks"])
            if dcfg.get("logit", True) and dcfg["method"] != "hed":
                d = d + logit_mse(o["logits"], tout["logits"])
            term = term + float(dcfg["weight"]) * d
        if tout is not None and kd > 0:
            term = term + kd * soft_kl(o["logits"], tout["logits"], dcfg.get("kd_T", 1.0))
        loss = loss + weights[w] * term
    return loss, res


def _dist() -> tuple[int, int]:
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    if dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def _barrier(world: int) -> None:
    if world > 1:
        dist.barrier()


def _better(acc: dict, best: dict | None) -> bool:
    """Selection: full-path dev accuracy, requiring full >= 1/2 >= 1/4 (when those paths exist)."""

    def key(a: dict) -> tuple:
        chain = [a[w] for w in ("1", "1/2", "1/4") if w in a]
        mono = all(x >= y for x, y in zip(chain, chain[1:], strict=False))
        return (mono, a["1"])

    return best is None or key(acc) > key(best["dev"])


def select_best(rows: list[dict]) -> dict:
    """The metrics row the trainer's selection rule picks (see ``_better``)."""
    best = None
    for r in rows:
        if _better(r["dev"], best):
            best = r
    if best is None:
        raise ValueError("no epochs in the metrics")
    return best


def _read_metrics(path: Path, upto: int) -> list[dict]:
    if not path.is_file():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["epoch"] <= upto]


def train(cfg: dict, out_dir: str | Path, *, resume: bool = False, progress: bool = True, log=print) -> dict:
    """Run (or resume) the training described by ``cfg``; returns a summary with the best epoch."""
    rank, world = _dist()
    out = Path(out_dir)
    tr, dcfg, spec = cfg["train"], cfg["distill"], cfg["model"]
    torch.set_num_threads(int(tr.get("threads", 2)))
    seed = int(tr["seed"])
    torch.manual_seed(seed)

    # data: rank 0 fills the cache, the others read it
    if rank != 0:
        _barrier(world)
    labels, train_set, dev_set = build_featuresets(
        cfg["data"], DEFAULT_FEATURES, progress=progress and rank == 0
    )
    if rank == 0:
        _barrier(world)
    if len(train_set) == 0 or len(dev_set) == 0:
        raise ValueError(f"empty data: {len(train_set)} training and {len(dev_set)} dev clips")
    clean = train_set.feats[:, 0].astype(np.float64)
    feat_mean, feat_std = int(round(clean.mean())), float(clean.std())

    model = build_model(spec, len(labels))
    teacher = None
    if dcfg["method"] != "none" or spec.get("kind") == "student" and dcfg.get("teacher"):
        primary, teacher, tck = load_teachers(dcfg["teacher"], dcfg.get("kd_teachers") or (), labels)
        feat_mean, feat_std = int(tck["feat_mean"]), float(tck["feat_std"])
        if dcfg.get("init_from_teacher", True):
            init_student_from_teacher(model, primary)
    model.norm.set(feat_mean, feat_std)
    if tr.get("init_checkpoint"):  # fine-tune: start from a trained model of the same kind
        init = read_checkpoint(tr["init_checkpoint"])
        if init["model_spec"] != spec or list(init["labels"]) != list(labels):
            raise ValueError(f"{tr['init_checkpoint']}: another model or label set than this config")
        model.load_state_dict(init["state_dict"])
    if tr.get("real_weights"):  # stage 1 of a two-stage schedule: binary activations, real weights
        if not use_real_weights(model):
            raise ValueError("train.real_weights: this model has no binary layers")
    paths = tuple(tr["paths"]) if spec.get("kind", "student") == "student" else ("1",)
    weights = dict(zip(tr["paths"], tr["path_weights"], strict=True)) if paths != ("1",) else {"1": 1.0}
    if spec.get("kind", "student") == "student":
        weights = {w: weights.get(w, 1.0) for w in paths}

    opt = make_optimizer(model, tr)
    bs = int(tr["batch_size"])
    n_train = len(train_set)
    per_rank = n_train // world
    steps_per_epoch = max(1, per_rank // bs)
    epochs = int(tr["epochs"])
    total = epochs * steps_per_epoch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, total) / total))
    )

    start, best = 0, None
    metrics_path = out / "metrics.jsonl"
    if resume and (out / "last.pt").is_file():
        ck = read_checkpoint(out / "last.pt")
        model.load_state_dict(ck["state_dict"])
        opt.load_state_dict(ck["optimizer"])
        sched.load_state_dict(ck["scheduler"])
        start, best = int(ck["epoch"]), ck.get("best")
        if rank == 0:
            log(f"resuming {out / 'last.pt'} after epoch {start}")
    history = _read_metrics(metrics_path, start) if start else []
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        metrics_path.write_text("".join(json.dumps(r) + "\n" for r in history))
        (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")

    net = model
    if world > 1:
        net = nn.parallel.DistributedDataParallel(model, find_unused_parameters=True)
    if tr.get("compile"):
        net = compile_for_training(net)
    mask = tr.get("mask") or {}
    meta = {
        "model_spec": spec,
        "labels": list(labels),
        "feature_config": DEFAULT_FEATURES.to_dict(),
        "feat_mean": feat_mean,
        "feat_std": feat_std,
        "config": cfg,
    }
    clip = float(tr.get("grad_clip", 5.0))
    calib = trainer_calibration_set(model, train_set.feats, tr)

    for epoch in range(start, epochs):
        torch.manual_seed(seed * 100003 + epoch * 101 + rank)
        prng = np.random.default_rng([seed, epoch])
        mrng = np.random.default_rng([seed, epoch, rank, 7])
        perm = prng.permutation(n_train)
        copy = prng.integers(0, train_set.feats.shape[1], n_train)
        mine = perm[rank::world][:per_rank]
        model.train()
        t0, seen, loss_sum, correct = time.time(), 0, 0.0, 0
        bar = tqdm(
            range(steps_per_epoch),
            desc=f"{cfg['name']} {epoch + 1}/{epochs}",
            unit="batch",
            disable=not (progress and rank == 0),
            leave=False,
        )
        for step in bar:
            idx = mine[step * bs : (step + 1) * bs]
            feats = train_set.feats[idx, copy[idx]]
            if mask:
                feats = mask_batch(
                    feats,
                    feat_mean,
                    mrng,
                    int(mask.get("max_t", 4)),
                    int(mask.get("max_f", 4)),
                    float(mask.get("p", 0.5)),
                )
            x = torch.from_numpy(feats.astype(np.float32))
            y = torch.from_numpy(train_set.labels[idx])
            loss, res = batch_loss(net, teacher, x, y, paths, weights, dcfg)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
            correct += int((res[paths[0]]["logits"].argmax(1) == y).sum())
            bar.set_postfix(loss=f"{loss_sum / seen:.3f}")
        bar.close()
        train_time = time.time() - t0
        if rank == 0:
            if calib is not None:  # re-estimate BN statistics per path (see calibrate.py)
                calibrate_bn(model, calib)
            acc = accuracy_per_path(model, dev_set.feats[:, 0], dev_set.labels, eval_paths(model))
            row = {
                "epoch": epoch + 1,
                "train_loss": round(loss_sum / max(seen, 1), 5),
                "train_acc": round(correct / max(seen, 1), 5),
                "dev": acc,
                "lr": opt.param_groups[1]["lr"],
                "epoch_s": round(train_time, 2),
                "clips_per_s": round(seen * world / train_time, 1),
                "train_clips": n_train,
                "dev_clips": len(dev_set),
                "world": world,
            }
            if tr.get("real_weights"):
                row["real_weights"] = True  # dev figures of the real-weight stage, not of the 1-bit model
            history.append(row)
            with metrics_path.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            improved = _better(acc, best)
            if improved:
                best = {"epoch": epoch + 1, "dev": acc}
            ck = {
                **meta,
                "state_dict": model.state_dict(),
                "epoch": epoch + 1,
                "metrics": row,
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "rng": {"torch": torch.get_rng_state()},
                "best": best,
            }
            save_checkpoint(ck, out / "last.pt")
            if improved:
                save_checkpoint(ck, out / "best.pt")
            if epoch + 1 > epochs - int(tr.get("keep_epochs", 0)):  # for weight averaging (average.py)
                save_checkpoint(strip(ck), out / "epochs" / f"epoch_{epoch + 1:03d}.pt")
            dev = " ".join(f"{w}:{a:.4f}" for w, a in acc.items())
            log(
                f"epoch {epoch + 1}/{epochs} loss {row['train_loss']:.4f} train {row['train_acc']:.4f} "
                f"dev {dev} {row['clips_per_s']:.0f} clips/s{' *' if improved else ''}"
            )
        _barrier(world)
        if tr.get("stop_after") and epoch + 1 >= int(tr["stop_after"]):
            break  # simulated interruption (tests) / staged runs
    return {"out": str(out), "best": best, "history": history}
