"""Run one binary matrix kernel (firmware/kernels/bnn_bmm_*) on random data, check it bit for bit
against the Python definition, and count its instructions: host gcc, unicorn (M0-M33) or QEMU
with the icount plugin (any board, M55/MVE included).

    r = check_kernel("bnn_bmm_vsparse_mve_i32", "m55", n_vec=16, n_in=256, n_out=128, seed=0, work=tmp)
    r.ok, r.instructions
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..codegen.layout import dots_reference, pack_activations, pack_columns, pack_rows
from ..resources import firmware_dir

ROW_KERNELS = {"bnn_bmm_rows_i32"}
SOURCES = {
    "bnn_bmm_rows_i32": ["bnn_bmm_rows_i32.c"],
    "bnn_bmm_vsparse_i32": ["bnn_bmm_vsparse_i32.c", "bnn_scratch.c"],
    "bnn_bmm_vsparse_v7m_i32": ["bnn_bmm_vsparse_v7m_i32.c", "bnn_scratch.c"],
    "bnn_bmm_vsparse_mve_i32": ["bnn_bmm_vsparse_mve_i32.c", "bnn_scratch.c"],
}
UNICORN_CPUS = ("m3", "m4", "m7", "m33")


@dataclass
class KernelCheck:
    kernel: str
    cpu: str
    ok: bool
    instructions: int  # kernel function and its callees (0 on host)
    got: np.ndarray
    expected: np.ndarray


def random_case(n_vec: int, n_in: int, n_out: int, seed: int, density: float = 0.5):
    rng = np.random.default_rng(seed)
    a_neg = rng.random((n_vec, n_in)) < density
    w_neg = rng.random((n_out, n_in)) < 0.5
    return a_neg, w_neg


def _c_array(ctype: str, name: str, values: np.ndarray) -> str:
    flat = ", ".join(str(int(v)) for v in np.asarray(values).reshape(-1))
    return f"static const {ctype} {name}[{max(1, np.asarray(values).size)}] = {{{flat}}};\n"


def _harness_source(kernel: str, A, W, n_vec, n_in, n_out, expected, host: bool) -> str:
    rows = kernel in ROW_KERNELS
    out = ['#include "bnn_kernels_select.h"\n#include <stdint.h>\n']
    if not host:
        out.append('#include "bench_semihost.h"\n')
    else:
        out.append("#include <stdio.h>\n")
    out.append(_c_array("uint32_t", "g_a", A))
    out.append(_c_array("uint32_t", "g_w", W[0]))
    if not rows:
        out.append(_c_array("int16_t", "g_cs", W[1]))
    out.append(_c_array("int32_t", "g_expect", expected))
    out.append(f"static int32_t g_d[{n_vec * n_out}];\n")
    args = "const uint32_t *, size_t, int, int, const uint32_t *, " + ("" if rows else "const int16_t *, ")
    decl = f"void {kernel}({args}int, int32_t *);\n"
    out.append(decl)
    call = (
        f"{kernel}(g_a, {A.shape[1]}, {n_vec}, {n_in}, g_w, {n_out}, g_d);"
        if rows
        else f"{kernel}(g_a, {A.shape[1]}, {n_vec}, {n_in}, g_w, g_cs, {n_out}, g_d);"
    )
    out.append("int main(void)\n{\n    " + call + "\n    int bad = 0;\n")
    loop = f"    for (int i = 0; i < {n_vec * n_out}; ++i) {{\n"
    out.append(loop + "        bad += g_d[i] != g_expect[i];\n    }\n")
    if host:
        out.append(loop + '        printf("%ld\\n", (long)g_d[i]);\n    }\n')
        out.append("    return bad != 0;\n}\n")
    else:
        out.append("    bench_exit(bad != 0);\n    return 0;\n}\n")
    return "".join(out)


def check_kernel(
    kernel: str,
    cpu: str,
    n_vec: int,
    n_in: int,
    n_out: int,
    seed: int,
    work: Path,
    density: float = 0.5,
    plugin: Path | None = None,
) -> KernelCheck:
    """Build and run ``kernel`` for ``cpu`` ("host", "m3".."m33" via unicorn, any board via QEMU with
    ``plugin``) on a random case; returns whether it equals the definition and its count."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    a_neg, w_neg = random_case(n_vec, n_in, n_out, seed, density)
    expected = dots_reference(a_neg, w_neg)
    A = pack_activations(a_neg)
    W = (pack_rows(w_neg),) if kernel in ROW_KERNELS else pack_columns(w_neg)
    kdir = firmware_dir() / "kernels"
    srcs = [kdir / s for s in SOURCES[kernel]]
    tag = f"{kernel}_{cpu}_{n_vec}_{n_in}_{n_out}_{seed}"
    if cpu == "host":
        import subprocess

        from ..toolchain import compile_host

        main = work / f"{tag}.c"
        main.write_text(_harness_source(kernel, A, W, n_vec, n_in, n_out, expected, host=True))
        exe = compile_host([main, *srcs], work / tag, include_dirs=[kdir], sanitize=True)
        proc = subprocess.run([str(exe)], capture_output=True, text=True)
        got = np.array([int(x) for x in proc.stdout.split()], dtype=np.int64).reshape(n_vec, n_out)
        ok = bool(proc.returncode == 0 and (got == expected).all())
        return KernelCheck(kernel, cpu, ok, 0, got, expected)
    if plugin is None and cpu in UNICORN_CPUS:
        from ..measure import SCRATCH_BASE, call_function
        from ..toolchain import compile_arm

        elf = compile_arm(srcs, work / f"{tag}.elf", cpu=cpu, include_dirs=[kdir], keep=[kernel])
        mem, addrs, off = {}, [], SCRATCH_BASE
        for part in (A, *W):
            b = np.ascontiguousarray(part).tobytes()
            mem[off] = b
            addrs.append(off)
            off += (len(b) + 15) & ~15
        if kernel in ROW_KERNELS:
            args = [addrs[0], A.shape[1], n_vec, n_in, addrs[1], n_out, off]
        else:
            args = [addrs[0], A.shape[1], n_vec, n_in, addrs[1], addrs[2], n_out, off]
        m = call_function(elf, kernel, args, mem, read=[(off, n_vec * n_out * 4)], cpu=cpu)
        got = np.frombuffer(m.memory[off], "<i4").reshape(n_vec, n_out)
        return KernelCheck(kernel, cpu, bool((got == expected).all()), m.instructions, got, expected)
    from .firmware import build_firmware
    from .qemu_count import build_plugin, run_counted

    main = work / f"{tag}.c"
    main.write_text(_harness_source(kernel, A, W, n_vec, n_in, n_out, expected, host=False))
    elf = build_firmware([main, *srcs], work / f"{tag}.elf", cpu=cpu)
    run = run_counted(elf, cpu, plugin or build_plugin())
    helpers = ("bnn_vs_", "count_planes", "planes_to_bytes", "write_d")
    n = sum(v for k, v in run.per_function.items() if k == kernel or k.startswith(helpers))
    empty = np.zeros_like(expected)
    return KernelCheck(kernel, cpu, run.exit_code == 0, n, empty, expected)
