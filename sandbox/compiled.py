"""A job's code sent compiled, so a child runs it without compiling it again.

Compiling a harness of a few hundred lines costs a job child several milliseconds, paid on
every job since no child outlives its job. The client (trusted: it built the job) compiles each
distinct (code, filename) once, keeps the marshalled code object, and sends it beside the source
tagged with its interpreter's bytecode magic number. A child whose interpreter has the same magic
number loads it (a fraction of a millisecond); any other child, or any blob that does not load
into a code object of that file, compiles the source as before. The source is always sent too:
tracebacks and `linecache` need it, and it is the fallback.
"""

from __future__ import annotations

import functools
import importlib.util
import marshal
import types

MAGIC = importlib.util.MAGIC_NUMBER.hex()
"""This interpreter's bytecode magic number, as sent on the wire."""
CACHE_SIZE = 64
"""Distinct (code, filename) pairs whose compiled form a client keeps."""


@functools.lru_cache(maxsize=CACHE_SIZE)
def compiled_blob(code: str, filename: str) -> bytes | None:
    """The marshalled code object of `code` compiled as `filename`, or None when it does not
    compile (the child then compiles it and reports the SyntaxError as the job's error)."""
    try:
        return marshal.dumps(compile(code, filename, "exec", dont_inherit=True))
    except (SyntaxError, ValueError):
        return None


def load_code(code: str, filename: str, blob: bytes | None, magic: object) -> types.CodeType:
    """The code object to run: `blob` when it was made by an interpreter with this magic number
    and holds code compiled from `filename`, else `code` compiled here.

    Raises SyntaxError or ValueError from compiling `code` (the job's own error).
    """
    if blob is not None and magic == MAGIC:
        try:
            loaded = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            loaded = None
        if type(loaded) is types.CodeType and loaded.co_filename == filename:
            return loaded
    return compile(code, filename, "exec", dont_inherit=True)
