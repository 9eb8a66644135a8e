"""bm25s's BM25, imported without scipy.

bm25s probes for scipy.sparse when it is imported (`try: import scipy.sparse`), but with its default
numpy backend (`csc_backend="numpy"`, the one retrieval and the category guide use) it never calls it.
scipy.sparse would cost the running bot about 13 MB and a tenth of a second of start-up for nothing,
so while bm25s is imported `scipy` is marked absent in `sys.modules` and the probe fails. When scipy is
already loaded (a process that trains the intent model), bm25s simply finds it; scores are the same.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING


def _import_bm25s_without_scipy() -> ModuleType:
    if "bm25s" in sys.modules or "scipy" in sys.modules:
        return import_module("bm25s")
    # A None entry makes `import scipy...` raise ImportError, which bm25s expects when scipy is missing.
    sys.modules["scipy"] = None  # type: ignore[assignment]
    try:
        return import_module("bm25s")
    finally:
        if "scipy" in sys.modules and sys.modules["scipy"] is None:
            del sys.modules["scipy"]


if TYPE_CHECKING:
    from bm25s import BM25
else:
    BM25 = _import_bm25s_without_scipy().BM25

__all__ = ["BM25"]
