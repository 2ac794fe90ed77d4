"""``bifsmn-mcu bench``: exact instructions per inference of the generated model, per core, width
and variant, plus flash and RAM from the ELF.

Cores M3/M4/M7/M33 run under unicorn (per-layer counts from the call sequence); M55 (Helium) runs
under QEMU mps3-an547 with the icount plugin (per-function counts; network = whole run minus a
front-end-only run). Variants: ``fast`` and ``portable`` (the generated library, see model_build),
``float32`` and ``int8`` (baselines of the same network, see baselines). The binary variants'
logits are checked against the integer reference (bit-exact) on every core.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..measure.elf import read_elf
from ..model import intref
from ..model.ir import ModelIR, width_tag
from ..resources import firmware_dir, samples_dir
from ..toolchain import compile_arm
from .firmware import build_firmware
from .layer_trace import group_layers, trace_calls, unpack_i32
from .model_build import write_variant_lib
from .qemu_count import build_plugin, run_counted

CORES = ("m3", "m4", "m7", "m33", "m55")
WIDTHS = ("1", "1/2", "1/4", "1/8")
BINARY_VARIANTS = ("fast", "portable")
ALL_VARIANTS = ("fast", "portable", "float32", "int8")
UNICORN_CORES = ("m3", "m4", "m7", "m33")
NO_FPU = ("m3",)
HARNESS_SYMBOLS = {
    "main",
    "bench_frontend",
    "bench_network",
    "g_bench_pcm",
    "g_bench_logits",
    "g_bench_features",
    "Reset_Handler",
    "Default_Handler",
    "g_vectors",
}


class BenchError(RuntimeError):
    """A build or a run of the benchmark failed."""


@dataclass
class BenchRecord:
    core: str
    width: str
    variant: str
    instructions_network: int
    instructions_frontend: int
    flash_bytes: int
    ram_bytes: int
    model_flash_bytes: int  # constant model data (weights, thresholds, requantization constants)
    bit_exact: bool | None  # logits == integer reference (binary variants)
    method: str  # "unicorn" or "qemu-icount"
    per_layer: dict[str, int] = field(default_factory=dict)
    per_function: dict[str, int] = field(default_factory=dict)


def layer_names(ir: ModelIR, width: str) -> list[str]:
    names = ["conv1", "conv2", "proj"]
    for i in ir.blocks(width):
        names += [f"block{i}.mem", f"block{i}.fc1", f"block{i}.fc2"]
    return names + ["classifier"]


def bench_clip() -> np.ndarray:
    """The benchmark's input: the first shipped sample clip (deterministic), 16000 int16."""
    from ..audio.clip import load_clip

    wavs = sorted(samples_dir().rglob("*.wav"))
    if not wavs:
        raise BenchError(f"no sample clips under {samples_dir()}")
    return load_clip(wavs[0], notice=False)


def write_input_header(path: Path, pcm: np.ndarray, expected: np.ndarray) -> None:
    """The clip and the integer reference's logits for it (QEMU builds compare all of them)."""
    body = ",".join(str(int(v)) for v in pcm)
    logits = ",".join(str(int(v)) for v in expected)
    path.write_text(
        "#include <stdint.h>\n/* benchmark input: one 1 s clip, and the integer reference's logits */\n"
        f"static const int16_t g_bench_pcm[{pcm.size}] = {{{body}}};\n"
        f"static const int32_t g_bench_expected[{expected.size}] __attribute__((unused)) = {{{logits}}};\n"
    )


def elf_sizes(elf: Path, model_prefixes: Sequence[str] = ("g_kws_",)) -> tuple[int, int, int]:
    """(flash, RAM, model data flash) bytes from the ELF's symbols (every one, including statics that
    share a name), without the benchmark harness."""
    image = read_elf(elf)
    writable = [(s.vaddr, s.vaddr + len(s.data)) for s in image.segments if s.flags & 2]
    flash = ram = model = 0
    for sym in image.all_symbols:
        if sym.name in HARNESS_SYMBOLS:
            continue
        if any(lo <= sym.address < hi for lo, hi in writable):
            ram += sym.size
        else:
            flash += sym.size
            if sym.kind == "object" and sym.name.startswith(tuple(model_prefixes)):
                model += sym.size
    return flash, ram, model


def measure_binary(
    ir: ModelIR,
    width: str,
    variant: str,
    core: str,
    work: Path,
    pcm: np.ndarray,
    expected: np.ndarray,
    plugin: Path | None,
) -> BenchRecord:
    """Build the generated library of ``variant`` for ``core`` and count one inference."""
    d = work / width_tag(width) / variant
    lib = d / "lib"
    if not (lib / "kws.h").is_file():
        write_variant_lib(ir, width, variant, lib)
        write_input_header(d / "bench_input.h", pcm, expected)
    srcs = sorted(lib.glob("*.c")) + [firmware_dir() / "qemu_plugin" / "bench_model_main.c"]
    incs = [lib, d]
    fw_elf = build_firmware(srcs, d / f"{core}_fw.elf", cpu=core, include_dirs=incs)
    flash, ram, model = elf_sizes(fw_elf)
    names = layer_names(ir, width)
    if core in UNICORN_CORES:
        elf = compile_arm(
            srcs,
            d / f"{core}_uc.elf",
            cpu=core,
            include_dirs=[*incs, firmware_dir() / "qemu_plugin"],
            keep=["bench_network", "bench_frontend", "kws_init"],
        )
        fe = trace_calls(elf, "bench_frontend", core, setup=["kws_init"])
        net = trace_calls(
            elf,
            "bench_network",
            core,
            setup=["kws_init", "bench_frontend"],
            read=["g_bench_logits"],
            read_sizes=[4 * len(ir.labels)],
        )
        logits = np.array(unpack_i32(net.memory["g_bench_logits"]))
        exact = bool(np.array_equal(logits, expected))
        return BenchRecord(
            core,
            width,
            variant,
            net.total,
            fe.total,
            flash,
            ram,
            model,
            exact,
            "unicorn",
            group_layers(net.calls, names),
            dict(sorted(net.per_function.items())),
        )
    plugin = plugin or build_plugin()
    fe_elf = build_firmware(
        srcs, d / f"{core}_fe.elf", cpu=core, include_dirs=incs, defines={"BENCH_FRONTEND_ONLY": 1}
    )
    st_elf = build_firmware(
        srcs, d / f"{core}_st.elf", cpu=core, include_dirs=incs, defines={"BENCH_STARTUP_ONLY": 1}
    )
    # three images with the same start-up: network = full - front end image, front end = that - start-up image
    full = run_counted(fw_elf, core, plugin)
    fe = run_counted(fe_elf, core, plugin)
    st = run_counted(st_elf, core, plugin)
    if fe.exit_code != 0 or st.exit_code != 0:
        code = fe.exit_code or st.exit_code
        raise BenchError(
            f"{core} {variant} width {width}: front end or start-up failed under QEMU (exit {code})"
        )
    # the image compares every logit with the integer reference's and exits with the argmax, 200 otherwise
    exact = bool(full.exit_code == int(np.argmax(expected)))
    per_fn = full.minus(fe, drop=HARNESS_SYMBOLS)
    return BenchRecord(
        core,
        width,
        variant,
        full.total - fe.total,
        fe.total - st.total,
        flash,
        ram,
        model,
        exact,
        "qemu-icount",
        {},
        per_fn,
    )


def run_bench(
    ir: ModelIR,
    cores: Sequence[str],
    widths: Sequence[str],
    work: Path,
    variants: Sequence[str] = ALL_VARIANTS,
    progress: Callable[[str], None] | None = None,
) -> list[BenchRecord]:
    """Every (core, width, variant) record, in that order."""
    for c in cores:
        if c not in CORES:
            raise BenchError(f"unknown core {c!r} (known: {', '.join(CORES)})")
    for w in widths:
        if w not in ir.widths:
            raise BenchError(f"width {w!r} is not in this model (it has {', '.join(ir.widths)})")
    work.mkdir(parents=True, exist_ok=True)
    pcm = bench_clip()
    from ..frontend.reference import features

    feats = features(pcm)
    plugin = build_plugin(work / "plugin") if "m55" in cores else None
    records = []
    for width in widths:
        expected = np.asarray(intref.logits(ir, feats[None], width))[0]
        for core in cores:
            for variant in variants:
                if variant == "float32" and core in NO_FPU:
                    continue
                if progress:
                    progress(f"{core} width {width} {variant}")
                if variant in BINARY_VARIANTS:
                    rec = measure_binary(ir, width, variant, core, work, pcm, expected, plugin)
                else:
                    from .baselines import measure_baseline

                    rec = measure_baseline(ir, width, variant, core, work, pcm, plugin)
                records.append(rec)
    return records


def fill_frontend(records: Sequence[BenchRecord]) -> None:
    """Baselines run the same front-end code: give them the binary build's front-end count."""
    for r in records:
        if r.variant not in BINARY_VARIANTS and not r.instructions_frontend:
            for b in records:
                if (b.core, b.width) == (r.core, r.width) and b.variant in BINARY_VARIANTS:
                    r.instructions_frontend = b.instructions_frontend
                    break


def write_json(records: Sequence[BenchRecord], path: Path, meta: dict) -> None:
    path.write_text(json.dumps({"meta": meta, "records": [asdict(r) for r in records]}, indent=1) + "\n")
