"""PyTorch side of bifsmn-mcu: D-FSMN teacher, BiFSMNv2 student, distillation, data, trainer.

Installed as ``bifsmn_mcu.training``; the only part of the project that imports torch.
"""
