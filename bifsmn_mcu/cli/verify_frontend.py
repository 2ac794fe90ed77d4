"""``bifsmn-mcu verify frontend``: the C front end equals the numpy reference, bit for bit."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click


@click.command("frontend")
@click.option(
    "--data",
    "data_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="folder-per-label tree of WAV clips (DIR/<label>/*.wav)",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="check only the first N clips")
@click.option(
    "--chunk",
    default="0",
    show_default=True,
    help="PCM chunk sizes pushed into the C front end, comma-separated and cycled (0 = whole clip)",
)
@click.option("--sanitize/--no-sanitize", default=False, help="build the C with ASan + UBSan")
@click.option(
    "--batch", type=click.IntRange(min=1), default=256, show_default=True, help="clips per C process"
)
@click.option(
    "--arm-count",
    is_flag=True,
    help="also run one clip through the Cortex-M4 -O2 build under unicorn and print its instruction count",
)
def frontend(
    data_dir: Path, limit: int | None, chunk: str, sanitize: bool, batch: int, arm_count: bool
) -> None:
    """Run the C front end (host gcc) over WAV clips and compare with the numpy reference."""  # fmt: skip
    import numpy as np
    from tqdm import tqdm

    from ..audio.errors import AudioError
    from ..data import load_folder
    from ..data.errors import DataError
    from ..frontend import DEFAULT_FEATURES as cfg
    from ..frontend import features, features_float
    from ..frontend.verify import (
        FrontendRunError,
        build_host_frontend,
        compare_features,
        run_host_frontend,
    )
    from ..toolchain import ToolchainError

    try:
        chunks = [int(c) for c in chunk.split(",")]
        if any(c < 0 for c in chunks):
            raise ValueError
    except ValueError:
        raise click.ClickException(f"--chunk {chunk!r}: expected comma-separated sizes >= 0") from None
    try:
        clips = load_folder(data_dir)
    except DataError as err:
        raise click.ClickException(str(err)) from None
    if limit is not None:
        clips = clips[:limit]

    with tempfile.TemporaryDirectory(prefix="bifsmn-fe-") as tmp:
        try:
            exe = build_host_frontend(cfg, Path(tmp), sanitize=sanitize)
        except ToolchainError as err:
            raise click.ClickException(str(err)) from None
        n_same, first, err_mean, err_p99 = 0, None, [], []
        arm_pcm = None
        with tqdm(total=len(clips), unit="clip", desc="verify frontend", leave=False) as bar:
            for start in range(0, len(clips), batch):
                part = clips[start : start + batch]
                try:
                    pcm = np.stack([c.load(cfg) for c in part])
                except AudioError as err:
                    raise click.ClickException(str(err)) from None
                if arm_pcm is None:
                    arm_pcm = pcm[0]
                try:
                    got = run_host_frontend(exe, pcm, cfg, chunks)
                except FrontendRunError as err:
                    raise click.ClickException(str(err)) from None
                want = features(pcm, cfg)
                cmp = compare_features(got, want, clip_offset=start)
                n_same += cmp.n_identical
                if first is None and cmp.first_mismatch is not None:
                    first = cmp.first_mismatch
                db = np.abs(cfg.feature_to_db(want) - cfg.feature_to_db(features_float(pcm, cfg)))
                err_mean.append(db.mean(axis=(1, 2)))
                err_p99.append(db.reshape(len(part), -1))
                bar.update(len(part))
        all_db = np.concatenate(err_p99).ravel()
        click.echo(f"{n_same}/{len(clips)} identical (C front end vs numpy reference, chunks {chunk})")
        click.echo(
            f"numpy reference vs float64 log-mel: mean |error| {np.concatenate(err_mean).mean():.3f} dB, "
            f"p99 {np.percentile(all_db, 99):.3f} dB, max {all_db.max():.3f} dB"
        )
        if arm_count and arm_pcm is not None:
            _arm_count(cfg, Path(tmp), arm_pcm)
    if first is not None:
        clip, band, frame, c_val, ref_val = first
        raise click.ClickException(
            f"first mismatch: clip {clip} ({clips[clip].path}), band {band}, frame {frame}: "
            f"C {c_val} != reference {ref_val}"
        )


def _arm_count(cfg, workdir: Path, pcm) -> None:
    from ..frontend import features
    from ..frontend.verify import build_arm_frontend, library_functions, run_arm_frontend
    from ..measure import MeasureError
    from ..toolchain import ToolchainError

    try:
        elf = build_arm_frontend(cfg, workdir, cpu="m4")
        got, m = run_arm_frontend(elf, pcm, cfg)
    except (ToolchainError, MeasureError) as err:
        raise click.ClickException(str(err)) from None
    same = "identical to" if (got == features(pcm, cfg)).all() else "DIFFERENT from"
    libs = ", ".join(library_functions(elf)) or "none"
    click.echo(
        f"Cortex-M4 -O2 (unicorn): {m.instructions} instructions per clip "
        f"({m.instructions / cfg.n_frames:.0f} per frame), features {same} the reference; "
        f"library calls: {libs}"
    )
    parts = sorted(m.per_function.items(), key=lambda kv: -kv[1])
    click.echo("  per function: " + ", ".join(f"{name} {n}" for name, n in parts if n >= 1000))
    if same.startswith("DIFF"):
        raise click.ClickException("the Cortex-M4 build does not match the reference")
