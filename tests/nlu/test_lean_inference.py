"""The running bot's NLU stays lean: a cached model predicts with numpy alone, and start-up loads the
tables a first parse would otherwise load on the first resident's turn."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from nlu.embedded import EmbeddedIntentModel
from nlu.interpreter import warm_up
from nlu.types import IntentScore

ROOT = Path(__file__).resolve().parent.parent.parent

TINY = """version: "3.1"
nlu:
- intent: greet
  examples: |
    - 你好
    - 您好
    - 早晨
    - 哈囉
    - hello
- intent: thanks_bye
  examples: |
    - 谢谢
    - 多謝晒
    - 唔該晒
    - 再见
    - 拜拜
"""

# Runs in a fresh interpreter: which training-only libraries do loading and predicting import?
_CHILD = """
import json, sys
from pathlib import Path
from nlu.embedded import EmbeddedIntentModel
model = EmbeddedIntentModel.load_or_train([Path(sys.argv[1])], cache_dir=Path(sys.argv[2]))
rankings = [[[s.name, s.confidence] for s in model.predict(text)] for text in sys.argv[3:]]
heavy = sorted(m for m in ("sklearn", "scipy", "pkg_resources") if m in sys.modules)
print(json.dumps({"rankings": rankings, "heavy": heavy}))
"""
# Simplified, Traditional, Cantonese.
TEXTS = ("你好", "多謝晒", "唔該晒")


def test_a_cached_model_predicts_without_scikit_learn_scipy_or_pkg_resources(tmp_path: Path) -> None:
    data = tmp_path / "tiny.yml"
    data.write_text(TINY, encoding="utf-8")
    cache = tmp_path / "cache"
    trained = EmbeddedIntentModel.load_or_train([data], cache_dir=cache)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(cache), *TEXTS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(child.stdout)
    assert answer["heavy"] == []
    expected = [[[s.name, s.confidence] for s in trained.predict(text)] for text in TEXTS]
    assert answer["rankings"] == expected


class RecordingModel:
    name = "recording"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def predict(self, normalized: str) -> tuple[IntentScore, ...]:
        self.calls.append(normalized)
        return (IntentScore("greet", 1.0),)


def test_warm_up_runs_an_in_process_model_once_on_normalised_text() -> None:
    model = RecordingModel()
    warm_up(model)
    (text,) = model.calls
    # Normalised: Cantonese and Traditional turned into the Simplified the model sees.
    assert "電話" not in text and "喺" not in text
