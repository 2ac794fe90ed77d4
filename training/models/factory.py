"""Build a model from a config's ``model`` section; copy teacher weights into a student."""

from __future__ import annotations

from torch import nn

from .student import WIDTHS, BinaryFSMN
from .teacher import DFSMNTeacher


def build_model(spec: dict, n_classes: int) -> nn.Module:
    """``{"kind": "teacher", "dropout": 0.2}`` or ``{"kind": "student", "act": "dsa", "lpb": true, ...}``."""
    kind = spec.get("kind", "student")
    if kind == "teacher":
        return DFSMNTeacher(n_classes, dropout=float(spec.get("dropout", 0.2)))
    if kind == "student":
        return BinaryFSMN(
            n_classes,
            act=spec.get("act", "dsa"),
            lpb=bool(spec.get("lpb", True)),
            weight_scale=bool(spec.get("weight_scale", True)),
            widths=tuple(spec.get("widths", WIDTHS)),
        )
    raise ValueError(f"unknown model kind {kind!r} (expected 'teacher' or 'student')")


def init_student_from_teacher(student: BinaryFSMN, teacher: DFSMNTeacher) -> None:
    """Copy conv/linear weights, biases and BN statistics; fc2's BN goes to every path's BN."""
    t = teacher.state_dict()
    s = student.state_dict()
    for name in s:
        src = name
        if ".fc2_bn." in name:  # blocks.i.fc2_bn.w2.weight -> blocks.i.fc2_bn.weight
            head, tail = name.split(".fc2_bn.")
            src = f"{head}.fc2_bn.{tail.split('.', 1)[1]}"
        if src in t and t[src].shape == s[name].shape:
            s[name] = t[src].clone()
    student.load_state_dict(s)
