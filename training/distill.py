"""Distillation losses: one-level 2-D Haar DWT, FID (BiFSMNv2), HED (BiFSMN v1), logit MSE, soft-label KL."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def haar_dwt2(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """One-level orthonormal 2-D Haar DWT of ``(B, C, T)`` over (channel, time), C and T even.

    Returns (LL, LH, HL, HH), each ``(B, C/2, T/2)``; the transform preserves the energy.
    """
    a, b = x[:, 0::2, 0::2], x[:, 0::2, 1::2]
    c, d = x[:, 1::2, 0::2], x[:, 1::2, 1::2]
    ll = (a + b + c + d) / 2
    lh = (a - b + c - d) / 2  # high along time
    hl = (a + b - c - d) / 2  # high along channel
    hh = (a - b - c + d) / 2
    return ll, lh, hl, hh


def _attention(a: torch.Tensor) -> torch.Tensor:
    """``Q / ||Q||`` with ``Q = A^2`` flattened per sample."""
    return F.normalize(a.pow(2).flatten(1), dim=1)


def fid_parts(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised attention maps of the low (LL) and high (LH, HL, HH) Haar parts of a block output."""
    ll, *high = haar_dwt2(x)
    return _attention(ll), _attention(torch.cat(high, 1))


def fid_loss(student_blocks: dict, teacher_blocks: dict, teacher_parts: dict | None = None) -> torch.Tensor:
    """Frequency Independent Distillation over the blocks the student ran: low (LL) and high
    (LH, HL, HH) parts compared separately, ``|| Q_s/||Q_s|| - Q_t/||Q_t|| ||_2`` averaged over the batch.

    ``teacher_parts`` (``{i: fid_parts(teacher block i)}``) lets several paths share the teacher's side.
    """
    total = 0.0
    for i, s in student_blocks.items():
        tl, th = teacher_parts[i] if teacher_parts is not None else fid_parts(teacher_blocks[i].detach())
        sl, sh = fid_parts(s)
        total = total + (sl - tl).norm(dim=1).mean() + (sh - th).norm(dim=1).mean()
    return total


def _std_norm(x: torch.Tensor) -> torch.Tensor:
    return x / (x.flatten(1).std(dim=1).view(-1, 1, 1) + 1e-6)


def high_pass(x: torch.Tensor) -> torch.Tensor:
    """The detail part of ``x``: ``x`` minus its Haar low-pass reconstruction."""
    ll = haar_dwt2(x)[0]
    low = ll.repeat_interleave(2, dim=1).repeat_interleave(2, dim=2) / 2
    return x - low


def hed_loss(student_blocks: dict, teacher_blocks: dict) -> torch.Tensor:
    """High-frequency Enhancement Distillation (BiFSMN v1): the student's normalised block output
    against the teacher's ``f/std(f) + HP(f)/std(HP(f))``, MSE."""
    total = 0.0
    for i, s in student_blocks.items():
        t = teacher_blocks[i].detach()
        target = _std_norm(t) + _std_norm(high_pass(t))
        total = total + F.mse_loss(_std_norm(s), target)
    return total


def logit_mse(student: torch.Tensor, teacher: torch.Tensor) -> torch.Tensor:
    return F.mse_loss(student, teacher.detach())


def soft_kl(student: torch.Tensor, teacher: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Hinton's soft-label loss ``T^2 * KL(softmax(t/T) || softmax(s/T))``, batch mean."""
    t = float(temperature)
    log_p = F.log_softmax(student / t, dim=1)
    q = F.softmax(teacher.detach() / t, dim=1)
    return F.kl_div(log_p, q, reduction="batchmean") * (t * t)
