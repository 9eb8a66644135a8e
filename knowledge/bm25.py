"""bm25s's BM25, imported without scipy.

bm25s probes for scipy.sparse when it is imported (`try: import scipy.sparse`), but with its default
numpy backend (`csc_backend="numpy"`, the one retrieval and the category guide use) it never calls it.
scipy.sparse would cost the running bot about 13 MB and a tenth of a second of start-up for nothing,
so while bm25s is imported `scipy` is marked absent in `sys.modules` and the probe fails. When scipy is
already loaded (a process that trains the intent model), bm25s simply finds it; scores are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlu.lean_import import import_without

if TYPE_CHECKING:
    from bm25s import BM25
else:
    BM25 = import_without("bm25s", "scipy").BM25

__all__ = ["BM25"]
