"""The app's model binding header (``include/bifsmn_app_config.h``), rendered per project."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import __version__
from ..codegen.cgen import c_string
from ..resources import templates_dir


def find_model_header(lib_dir: Path, prefix: str) -> str:
    """The generated header that defines ``<P>_MODEL_SHA256`` (falls back to ``<prefix>.h``)."""
    needle = f"#define {prefix.upper()}_MODEL_SHA256"
    if lib_dir.is_dir():
        for h in sorted(lib_dir.rglob("*.h")):
            if needle in h.read_text(errors="replace"):
                return h.name
    return f"{prefix}.h"


def info_fields(
    *, width: str, labels: Sequence[str], feature_config: Mapping[str, Any] | None, prefix: str
) -> str:
    """The static INFO fields as JSON text without braces (the device adds its own fields, among them
    ``width``, the path it runs now). ``width``: the build's paths, comma-separated (``"1,1/8"``)."""
    body = json.dumps(
        {
            "widths": width.split(","),
            "labels": list(labels),
            "feature_config": dict(feature_config or {}),
            "prefix": prefix,
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    return body[1:-1]


def render_app_config(
    *,
    prefix: str,
    header: str,
    model_sha256: str,
    width: str,
    labels: Sequence[str],
    feature_config: Mapping[str, Any] | None,
) -> str:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())), undefined=StrictUndefined, keep_trailing_newline=True
    )
    return env.get_template("app_config.h.j2").render(
        version=__version__,
        prefix=prefix,
        P=prefix.upper(),
        header=header,
        sha256=model_sha256,
        width=width,
        info_fields=c_string(
            info_fields(width=width, labels=labels, feature_config=feature_config, prefix=prefix)
        ),
    )
