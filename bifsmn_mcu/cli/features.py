"""``bifsmn-mcu features WAV``: the fixed-point log-mel features the device computes."""

from __future__ import annotations

import warnings
from pathlib import Path

import click
import numpy as np


def load_clip_with_notices(path: Path) -> np.ndarray:
    """``audio.load_clip`` for the CLI: notices go to stderr as one line, errors become ClickException."""
    from ..audio import AudioError, ResampleNotice, load_clip

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResampleNotice)
        try:
            pcm = load_clip(path)
        except AudioError as e:
            raise click.ClickException(str(e)) from None
    for w in caught:
        click.echo(f"notice: {w.message}", err=True)
    return pcm


def plot_features(pcm: np.ndarray, feats: np.ndarray, title: str, png: Path) -> None:
    """Waveform above, log-mel (dB) below; written with the Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..frontend import DEFAULT_FEATURES as cfg

    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(7, 5.5), height_ratios=[1, 2.2], constrained_layout=True)
    t = np.arange(len(pcm)) / cfg.sample_rate
    ax0.plot(t, pcm, lw=0.5)
    ax0.set(xlim=(0, t[-1]), ylim=(-32768, 32767), ylabel="int16", title=title)
    db = cfg.feature_to_db(feats)
    hop_s = cfg.hop / cfg.sample_rate
    im = ax1.imshow(
        db, origin="lower", aspect="auto", cmap="magma",
        extent=(0, cfg.n_frames * hop_s, -0.5, cfg.n_mels - 0.5),
    )  # fmt: skip
    ax1.set(xlabel="time (s)", ylabel=f"mel band ({cfg.fmin:.0f}-{cfg.fmax:.0f} Hz)")
    fig.colorbar(im, ax=ax1, label="dB (feature / 256 * 10 log10 2)")
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)


@click.command()
@click.argument("wav", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="save the int16 matrix as .npy")
@click.option("--plot", "png", type=click.Path(dir_okay=False, path_type=Path), help="write a PNG plot")
@click.option("--print", "show", is_flag=True, help="print the full (mels x frames) matrix")
def features(wav: Path, out: Path | None, png: Path | None, show: bool) -> None:
    """Fixed-point log-mel features of WAV (int16, mel-major, as the C front end computes them)."""
    from ..frontend import DEFAULT_FEATURES as cfg
    from ..frontend import features as compute

    pcm = load_clip_with_notices(wav)
    f = compute(pcm, cfg)
    db = cfg.feature_to_db(f)
    click.echo(
        f"{wav}: features {f.shape[0]} mels x {f.shape[1]} frames int16, min {f.min()} max {f.max()} "
        f"mean {f.mean():.1f} ({db.min():.1f} .. {db.max():.1f} dB)"
    )
    if show:
        with np.printoptions(threshold=np.inf, linewidth=200):
            click.echo(np.array2string(f, max_line_width=200))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        np.save(out, f)
        click.echo(f"saved {out}")
    if png is not None:
        plot_features(pcm, f, wav.name, png)
        click.echo(f"plot {png}")
