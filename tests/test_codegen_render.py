"""Model rendering: identifiers, banner, one path's weights only, static memory, size plan."""

import re

import numpy as np
import pytest

from bifsmn_mcu import __version__
from bifsmn_mcu.codegen.cgen import array_decl, c_string, check_identifier, format_values
from bifsmn_mcu.codegen.errors import CodegenError
from bifsmn_mcu.codegen.render import plan_memory, render_model
from bifsmn_mcu.model.fold import fold
from bifsmn_mcu.model.random_deploy import random_deploy_state


@pytest.fixture(scope="module")
def ir():
    return fold(random_deploy_state(31))


@pytest.mark.parametrize(
    "bad", ["", "2kws", "kws-1", "int", "static", "_Bool", "__x", "_Kws", "k ws", "kws\n"]
)
def test_bad_identifiers(bad):
    with pytest.raises(CodegenError):
        check_identifier(bad)


@pytest.mark.parametrize("good", ["kws", "kws_2", "k", "my_model_x"])
def test_good_identifiers(good):
    assert check_identifier(good) == good


def test_array_decl_formats_exact_integers():
    d = array_decl("kws", "w", np.array([0, 0xFFFFFFFF, 5], dtype=np.uint32))
    assert d.name == "g_kws_w" and d.size_macro == "KWS_W_SIZE" and d.size == 3 and d.nbytes == 12
    assert "0xffffffffu" in d.body
    assert format_values(np.array([-(2**31), 7], dtype=np.int32), "int32_t").split(", ")[0].strip() == (
        "(-2147483647 - 1)"
    )
    with pytest.raises(CodegenError):
        array_decl("kws", "f", np.zeros(2, dtype=np.float32))


def test_c_string_escapes():
    assert c_string('a"b\\c') == '"a\\"b\\\\c"'
    assert c_string("é") == '"\\303\\251"'
    from bifsmn_mcu.project import app_config

    assert app_config.c_string is c_string  # one C string encoder for the model and the app config


@pytest.mark.parametrize("width", ["1", "1/4"])
def test_only_the_chosen_path_is_emitted(ir, width):
    files = render_model(ir, width, "kws")
    data = files["kws_model_data.c"]
    blocks = set(ir.blocks(width))
    emitted = {int(b) for b in re.findall(r"g_kws_block(\d+)_fc1_w\[", data)}
    assert emitted == blocks
    # the fc2 BN/PReLU of the chosen path: its M values are in the data, another path's are not
    i = ir.blocks(width)[-1]
    mine = ir.arrays[ir.layer(f"block{i}.fc2")["paths"][width]["M"]]
    m_line = data.split(f"g_kws_block{i}_fc2_m[")[1].split("};")[0]
    assert str(int(mine[0])) in m_line
    src = files["kws_model.c"]
    assert src.count("_bmem(p,") == len(blocks)


def test_every_file_has_the_banner_and_api(ir):
    files = render_model(ir, "1/2", "abc")
    for name, text in files.items():
        assert ir.sha256 in text, name
        assert f"bifsmn-mcu {__version__}" in text, name
    h = files["abc.h"]
    for sym in (
        "abc_init(void)",
        "abc_frontend_reset(void)",
        "abc_frontend_push(const int16_t *pcm, size_t n)",
        "const int16_t *abc_features(void)",
        "abc_infer(const int16_t *features, int32_t *logits)",
        "#define ABC_N_CLASSES 12",
        f'#define ABC_MODEL_SHA256 "{ir.sha256}"',
    ):
        assert sym in h
    assert "DO NOT EDIT" in files["abc_model.c"]
    assert "malloc" not in "".join(files.values())


def test_bad_prefix_and_width(ir):
    with pytest.raises(CodegenError, match="C keyword"):
        render_model(ir, "1", "while")
    with pytest.raises(CodegenError, match="not in this model"):
        render_model(ir, "3/4", "kws")


def test_memory_plan(ir):
    # the portable layout holds the sign bits alone; the fast layout adds a per-output int16 count
    plans = {w: plan_memory(ir, w, kernels="portable") for w in ir.widths}
    assert (
        plans["1"].model_flash
        > plans["1/2"].model_flash
        > plans["1/4"].model_flash
        > plans["1/8"].model_flash
    )
    p = plans["1"]
    # packed binary weights alone: 574,976 bits at width 1
    assert p.model_flash > 574976 // 8
    assert p.float32_bytes > 20 * 574976 // 8
    assert p.ram == plans["1/8"].ram  # buffers do not depend on depth
    # weights only: 574,976 binary + 12,688 int8 weights -> packed + int8 bytes, >= 25x below float32
    assert p.float32_weight_bytes == 4 * (574976 + 400 + 12288)
    assert p.weight_compression >= 25.0
    fast = plan_memory(ir, "1", kernels="fast")
    # dense: colsums + padding; conv2 keeps its portable words and adds 400 column words, 32 int16
    # colsums and 25 x 32 uint8 per-tap counts
    conv2_extra = 4 * 400 + 2 * 32 + 25 * 32
    assert 0 < fast.model_flash - p.model_flash <= 2 * (128 + 8 * (256 + 128)) + 4 * 17 + conv2_extra


def test_kernel_header_format_matches_folding():
    from bifsmn_mcu.model.fold import Q_ACT, Q_SLOPE, S2_MAX
    from bifsmn_mcu.resources import firmware_dir

    h = (firmware_dir() / "kernels" / "bnn_kernels.h").read_text()
    assert re.search(rf"#define BNN_Q_ACT {Q_ACT}\b", h)
    assert re.search(rf"#define BNN_S2_MAX \(1 << {S2_MAX.bit_length() - 1}\)", h)
    assert re.search(rf"#define BNN_Q_SLOPE {Q_SLOPE}\b", h)


def test_ir_of_another_activation_format_is_refused(ir):
    import copy

    old = copy.deepcopy(ir)
    old.header["constants"]["q_act"] = 12
    with pytest.raises(CodegenError, match="Q12 activations"):
        render_model(old, "1", "kws")
