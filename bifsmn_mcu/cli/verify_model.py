"""``bifsmn-mcu verify model``: host-C logits == integer-reference logits on every clip."""

from __future__ import annotations

import click
import numpy as np

from ._model_opts import check_width, load_model, model_option, split_option, width_option


@click.command()
@model_option
@width_option
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="folder-per-label tree of WAVs (or the shared data root)",
)
@split_option
@click.option("--limit", type=int, default=None, help="check at most N clips (spread over the classes)")
@click.option("--sanitize", is_flag=True, help="build with AddressSanitizer + UndefinedBehaviorSanitizer")
def model(model_path, width, data_dir, split, limit, sanitize) -> None:
    """Compare the generated C network with the numpy integer reference, logits of every clip."""
    from ..frontend.config import FeatureConfig
    from ..model import intref
    from ..simulate.dataset import DatasetError, load_data_dir
    from ..simulate.host import HostModel, SimulationError
    from ..simulate.run import reference_features
    from ..toolchain import ToolchainError

    ir, _ = load_model(model_path)
    check_width(ir, width)
    cfg = FeatureConfig.from_dict(ir.header["feature_config"])
    try:
        inputs = load_data_dir(data_dir, ir.labels, cfg, limit, split=split)
    except DatasetError as e:
        raise click.ClickException(str(e)) from None
    feats = reference_features(inputs.pcm, cfg)
    r = intref.logits(ir, feats, width, progress=True)
    try:
        with HostModel.build(ir, width, sanitize=sanitize) as hm:
            c = hm.infer_features(feats)
            same = (c == r).all(axis=1)
            bad = np.nonzero(~same)[0][:5]
            first = {int(i): _first_layer(hm.infer_layers(feats[i]), ir, feats[i], width) for i in bad}
    except (ToolchainError, SimulationError) as e:
        raise click.ClickException(str(e).splitlines()[0]) from None
    n = len(same)
    click.echo(f"{int(same.sum())}/{n} identical (width {width}, logits of every clip)")
    if not same.all():
        for i in bad:
            j = int(np.nonzero(c[i] != r[i])[0][0])
            click.echo(
                f"  {inputs.names[i]}: class {j}: C {int(c[i, j])} != reference {int(r[i, j])}; "
                f"first differing layer: {first[int(i)]}"
            )
        raise SystemExit(1)


def _first_layer(c_layers: dict, ir, feats, width: str) -> str:
    from ..model import intref

    ref = intref.run_layers(ir, feats, width)
    for name, v in c_layers.items():
        if not (v.reshape(-1) == ref[name].reshape(-1)).all():
            return name
    return "none (nondeterministic?)"
