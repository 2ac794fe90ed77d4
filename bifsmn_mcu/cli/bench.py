"""``bifsmn-mcu bench``: exact instructions per inference (network, front end, each layer), flash
and RAM, per core, width and variant (optimised binary, portable binary, float32, int8)."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click


def _split(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


@click.command("bench")
@click.option("--cores", default="m3,m4,m7,m33,m55", show_default=True, help="comma list of m3,m4,m7,m33,m55")
@click.option("--widths", default="1,1/2,1/4,1/8", show_default=True, help="comma list of thin paths")
@click.option("--variants", default="fast,portable,float32,int8", show_default=True)
@click.option(
    "--model",
    "model_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="model IR (.npz); default: the shipped model, else a seeded random model",
)
@click.option(
    "--accuracy",
    "accuracy_path",
    type=click.Path(exists=True, dir_okay=False),
    multiple=True,
    help="simulate report JSON(s) (simulate_w*.json) for the accuracy-vs-instructions plot",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="bench_out", show_default=True)
@click.option(
    "--markdown",
    "markdown_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="also copy BENCHMARKS.md here (e.g. the repository's top level)",
)
def bench(
    cores: str,
    widths: str,
    variants: str,
    model_path: str | None,
    accuracy_path: tuple[str, ...],
    out_dir: str,
    markdown_path: str | None,
) -> None:
    """Build the generated model for each core and width and count one inference exactly."""
    import json

    from tqdm import tqdm

    from ..bench.report import markdown, plot, ratios
    from ..bench.runner import ALL_VARIANTS, BenchError, fill_frontend, run_bench, write_json
    from ..model.errors import IRError
    from ..toolchain import ToolchainError

    core_list, width_list, var_list = _split(cores), _split(widths), _split(variants)
    for v in var_list:
        if v not in ALL_VARIANTS:
            raise click.ClickException(f"unknown variant {v!r} (known: {', '.join(ALL_VARIANTS)})")
    try:
        ir, model_desc = _load_model(model_path)
    except IRError as e:
        raise click.ClickException(str(e)) from None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    total = len(core_list) * len(width_list) * len(var_list)
    bar = tqdm(total=total, desc="bench", unit="build", file=sys.stderr)

    def progress(what: str) -> None:
        bar.set_postfix_str(what)

    t0 = time.monotonic()
    try:
        records = []
        for rec in _iter(ir, core_list, width_list, out / "work", var_list, progress, run_bench):
            records.append(rec)
            bar.update(1)
    except (BenchError, ToolchainError) as e:
        raise click.ClickException(str(e).splitlines()[0] if str(e) else type(e).__name__) from None
    finally:
        bar.close()
    fill_frontend(records)
    accuracy = {}
    for p in accuracy_path:
        rep = json.loads(Path(p).read_text())
        if "width" in rep and rep.get("accuracy") is not None:
            accuracy[str(rep["width"])] = float(rep["accuracy"])
    meta = {
        "command": "--cores " + ",".join(core_list) + " --widths " + ",".join(width_list),
        "model": model_desc,
        "sha256": ir.sha256,
        "input": "first shipped sample clip (sorted), 1 s",
        "seconds": round(time.monotonic() - t0, 1),
    }
    write_json(records, out / "bench.json", meta)
    md = markdown(records, meta)
    (out / "BENCHMARKS.md").write_text(md + "\n")
    plot(records, out / "bench.png", accuracy or None)
    if markdown_path:
        shutil.copyfile(out / "BENCHMARKS.md", markdown_path)
    for line in ratios(records):
        click.echo(line)
    click.echo(f"wrote {out / 'bench.json'}, {out / 'BENCHMARKS.md'}, {out / 'bench.png'}")


def _iter(ir, cores, widths, work, variants, progress, run_bench):
    # one record at a time so the progress bar moves
    for width in widths:
        for core in cores:
            for variant in variants:
                recs = run_bench(ir, [core], [width], work, [variant], progress)
                yield from recs


def _load_model(model_path: str | None):
    from ..model.default import default_ir_path, resolve_model

    if model_path is not None or default_ir_path().is_file():
        ir, path = resolve_model(model_path)
        return ir, str(path.name)
    from ..model.fold import fold
    from ..model.random_deploy import random_deploy_state

    desc = "seeded random model (random_deploy_state(0)); no shipped model found"
    return fold(random_deploy_state(0)), desc
