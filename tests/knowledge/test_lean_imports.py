"""The knowledge package loads without scipy and pkg_resources: the running bot needs neither."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from knowledge.bm25 import BM25

ROOT = Path(__file__).resolve().parent.parent.parent

_CHILD = """
import json, sys
import knowledge.category_guide, knowledge.retrieval
print(json.dumps(sorted(m for m in ("scipy", "sklearn", "pkg_resources") if m in sys.modules)))
"""


def test_retrieval_and_the_guide_import_neither_scipy_nor_pkg_resources() -> None:
    child = subprocess.run(
        [sys.executable, "-c", _CHILD], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(child.stdout) == []


def test_bm25_scores_with_numpy_alone() -> None:
    # knowledge/bm25.py hides scipy from bm25s: sound only while its default backend is numpy.
    retriever = BM25()
    assert retriever.csc_backend == "numpy"
    retriever.index([["示范点", "资助"], ["长者", "饭堂"], ["義工", "報名"]], show_progress=False)
    scores = retriever.get_scores(["长者"])
    assert scores.argmax() == 1
