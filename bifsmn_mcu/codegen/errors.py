"""Errors of code generation, each one clear line for the CLI."""


class CodegenError(ValueError):
    """Bad generate input: prefix, width, output path, board."""
