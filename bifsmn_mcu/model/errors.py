"""Errors of the model side, each carrying one clear line for the CLI."""


class ModelError(ValueError):
    """Base class: bad model input (deploy dict, IR file, width)."""


class FoldError(ModelError):
    """A deploy dict cannot be folded into the integer semantics (SPEC §5)."""


class IRError(ModelError):
    """A model IR file is unreadable, corrupt, of a newer format, or incomplete."""
