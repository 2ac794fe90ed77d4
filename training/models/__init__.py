"""Networks: the full-precision D-FSMN teacher and the (Bi)FSMN binary students."""

from .factory import build_model
from .student import PATH_BLOCKS, WIDTHS, BinaryFSMN
from .teacher import DFSMNTeacher

__all__ = ["PATH_BLOCKS", "WIDTHS", "BinaryFSMN", "DFSMNTeacher", "build_model"]
