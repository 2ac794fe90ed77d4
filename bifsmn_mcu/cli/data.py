"""``bifsmn-mcu data``: make the synthetic corpus, and summarise a data folder."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def data() -> None:
    """Keyword data: synthetic corpus (synth), folder summary (info)."""


@data.command()
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="output folder")
@click.option("--per-word", default=50, show_default=True, type=click.IntRange(min=0), help="clips/keyword")
@click.option(
    "--unknown-per-word",
    type=click.IntRange(min=0),
    help="clips per non-keyword word [default: ceil(1.5 * per-word / 25), _unknown_ ~ 1.5 classes]",
)
@click.option("--silence", type=click.IntRange(min=0), help="_silence_ clips [default: per-word]")
@click.option("--words", help="comma-separated subset of the 35 words [default: all]")
@click.option("--seed", default=0, show_default=True, type=int, help="same seed -> same corpus")
@click.option("--jobs", default=2, show_default=True, type=click.IntRange(min=1), help="worker processes")
@click.option(
    "--noise",
    "noise_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="background-noise WAVs for _silence_ and the noise bed [default: ../shared/data/noise if present, "
    "else synthetic white/pink noise]",
)
def synth(
    out: Path,
    per_word: int,
    unknown_per_word: int | None,
    silence: int | None,
    words: str | None,
    seed: int,
    jobs: int,
    noise_dir: Path | None,
) -> None:
    """Synthetic Speech-Commands-like corpus from espeak-ng and flite (folder per label)."""
    from ..audio import AudioError
    from ..data import ALL_WORDS, DataError, load_folder
    from ..data.synth import default_noise_dir, make_corpus

    chosen = [w.strip() for w in words.split(",") if w.strip()] if words else None
    if chosen:
        unknown = [w for w in chosen if w not in ALL_WORDS]
        if unknown:
            raise click.ClickException(f"not Speech Commands words: {', '.join(unknown)}")
    if noise_dir is not None and not noise_dir.is_dir():
        raise click.ClickException(f"{noise_dir}: no such folder")
    noise = noise_dir or default_noise_dir()
    if noise is None:
        click.echo("notice: no noise folder found; using synthetic white/pink noise", err=True)
    try:
        s = make_corpus(
            out, per_word, unknown_per_word=unknown_per_word, silence=silence, seed=seed,
            words=chosen, noise_dir=noise, jobs=jobs,
        )  # fmt: skip
        n = len(load_folder(out))
    except (DataError, AudioError) as e:
        raise click.ClickException(str(e)) from None
    counts = ", ".join(f"{k} {v}" for k, v in sorted(s["counts"].items()))
    click.echo(f"wrote {s['clips']} clips to {out} ({counts}); {s['voices']} voices, seed {seed}")
    click.echo(f"{s['clips_per_second']} clips/s ({s['seconds']} s, {jobs} jobs); loader reads {n} clips")


@data.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--dev-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 1))
def info(folder: Path, dev_fraction: float) -> None:
    """Labels, clips per label and the speaker-disjoint train/dev split of a folder-per-label tree."""
    from ..data import DataError, class_counts, folder_labels, load_folder, split_by_speaker

    try:
        labels = folder_labels(folder)
        clips = load_folder(folder)
    except DataError as e:
        raise click.ClickException(str(e)) from None
    train, dev = split_by_speaker(clips, dev_fraction)
    ct, cd = class_counts(train), class_counts(dev)
    speakers = len({c.speaker for c in clips})
    click.echo(f"{folder}: {len(labels)} labels, {len(clips)} clips, {speakers} speakers")
    click.echo(f"{'label':<12} {'train':>6} {'dev':>6}")
    for name in labels:
        click.echo(f"{name:<12} {ct.get(name, 0):>6} {cd.get(name, 0):>6}")
