"""Giving freed memory back to the system after a model is done with it (issue 19).

A model at full scale holds ~350 MB in NumPy arrays, most of them below glibc's mmap threshold once it
has adapted (the threshold rises to the size of the largest block freed, up to 32 MB), so they live on
the heap. When the model is dropped its arrays are freed, but glibc keeps the pages: the process stays
as large as at the end of the months while it builds the indicator frame and draws the figures (which
then add to that). A dropped model is a reference cycle (mesa 3.3's `Model` keeps its wrapped `step` as a
bound method on itself), so it waits for Python's next full collection. `give_back()` collects it at once
and asks glibc to return every free page (`malloc_trim(0)`, a few milliseconds).
"""

import ctypes
import ctypes.util
import gc
from functools import cache


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None (macOS, musl: nothing to call; freed memory is returned as it is)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back() -> None:
    """Free unreachable objects now and return the heap's free pages to the system."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
