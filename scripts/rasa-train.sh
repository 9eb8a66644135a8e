#!/usr/bin/env bash
# rasa-train.sh — train the NLU-only Rasa model into nlu/rasa/models/ and record its cost.
#
# Usage:   scripts/rasa-train.sh                       # trains from nlu/data/nlu.yml
#          RASA_NLU_DATA=/tmp/mini.yml scripts/rasa-train.sh   # other training file(s), space-separated
#
# Needs scripts/rasa-setup.sh to have been run once, and the project venv (.venv, Python 3.11)
# for the export step. Runs offline. The bot sends Rasa normalised text, so the training data
# is first normalised the same way (python -m nlu.rasa.training_export, into nlu/rasa/build/)
# and Rasa trains on that copy. Writes
#   nlu/rasa/models/nlu-zh.tar.gz       the model (replaced on every run)
#   nlu/rasa/models/train_report.json   {"train_seconds", "peak_rss_mb", "cpu_seconds",
#                                        "model_size_mb", "rasa_version", "trained_at",
#                                        "nlu_data_sha256", ...}
# Wall time and peak resident memory are those of the `rasa train nlu` process, measured
# from the wrapper with getrusage(RUSAGE_CHILDREN) (the same figure `/usr/bin/time -v` prints);
# the wall time includes Rasa's own start-up (imports, TensorFlow graph tracing).
# The held-out nlu/data/test.yml is refused as training data.
set -euo pipefail

export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
# Rasa 3.6 still uses SQLAlchemy 1.4 APIs and warns about it on every start.
export SQLALCHEMY_SILENCE_UBER_WARNING=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Rasa puts its training cache under the working directory by default; keep it in the
# gitignored nlu/rasa/.rasa/ and disabled (size 0) so every train_seconds is a cold run.
export RASA_CACHE_DIRECTORY="$REPO_ROOT/nlu/rasa/.rasa/cache"
export RASA_MAX_CACHE_SIZE=0
VENV="${RASA_VENV:-$REPO_ROOT/.rasa-venv}"
CONFIG="$REPO_ROOT/nlu/rasa/config.yml"
MODELS_DIR="$REPO_ROOT/nlu/rasa/models"
MODEL_NAME="nlu-zh"
BUILD_DIR="$REPO_ROOT/nlu/rasa/build"
# The same files the embedded model trains on (nlu.training_data.DEFAULT_TRAINING_FILES).
read -r -a NLU_FILES <<< "${RASA_NLU_DATA:-$REPO_ROOT/nlu/data/nlu.yml $REPO_ROOT/nlu/data/nlu_written.yml}"
PROJECT_PYTHON="${PROJECT_PYTHON:-$REPO_ROOT/.venv/bin/python}"

if [[ ! -x "$VENV/bin/rasa" ]]; then
    echo "rasa-train: no Rasa in $VENV — run scripts/rasa-setup.sh first" >&2
    exit 1
fi
if [[ ! -x "$PROJECT_PYTHON" ]]; then
    echo "rasa-train: project Python $PROJECT_PYTHON not found (set PROJECT_PYTHON)" >&2
    exit 1
fi
for NLU_DATA in "${NLU_FILES[@]}"; do
if [[ ! -f "$NLU_DATA" ]]; then
    echo "rasa-train: training data $NLU_DATA not found" >&2
    exit 1
fi
if [[ "$(basename "$NLU_DATA")" == "test.yml" ]]; then
    echo "rasa-train: $NLU_DATA is the held-out test set; train on nlu.yml" >&2
    exit 1
fi
done

mkdir -p "$MODELS_DIR"
cd "$REPO_ROOT"
rm -rf "$BUILD_DIR"
"$PROJECT_PYTHON" -m nlu.rasa.training_export "${NLU_FILES[@]}" --out "$BUILD_DIR"
# The server loads the newest archive in the folder: drop older ones so it cannot pick a stale model.
find "$MODELS_DIR" -maxdepth 1 -name '*.tar.gz' -delete

"$VENV/bin/python" - "$VENV/bin/rasa" "$CONFIG" "$BUILD_DIR/nlu.yml" "$MODELS_DIR" "$MODEL_NAME" "${NLU_FILES[@]}" <<'PY'
"""Run `rasa train nlu`, then write train_report.json next to the model."""
import datetime
import hashlib
import importlib.metadata
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

rasa, config, exported_data, models_dir, model_name = sys.argv[1:6]
nlu_data = sys.argv[6:]
command = [
    rasa, "train", "nlu",
    "--config", config,
    "--nlu", exported_data,
    "--out", models_dir,
    "--fixed-model-name", model_name,
]
load_before = os.getloadavg()[0]
started = time.monotonic()
completed = subprocess.run(command, check=False)
seconds = time.monotonic() - started
if completed.returncode != 0:
    sys.exit(f"rasa-train: `rasa train nlu` failed with exit code {completed.returncode}")

model = Path(models_dir) / f"{model_name}.tar.gz"
if not model.is_file():
    sys.exit(f"rasa-train: training finished but {model} is missing")
# ru_maxrss is in KiB on Linux; RUSAGE_CHILDREN covers the rasa process we waited for.
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
peak_kib = usage.ru_maxrss
report = {
    "train_seconds": round(seconds, 1),
    "peak_rss_mb": round(peak_kib / 1024, 1),
    # CPU time and the load average show whether other work on the machine stretched the wall time.
    "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
    "load_average_1m": round(max(load_before, os.getloadavg()[0]), 2),
    "model_size_mb": round(model.stat().st_size / (1024 * 1024), 2),
    "rasa_version": importlib.metadata.version("rasa"),
    "trained_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "model_file": model.name,
    "nlu_data": [
        os.path.relpath(f) if Path(f).resolve().is_relative_to(Path.cwd()) else str(Path(f).resolve())
        for f in nlu_data
    ],
    # The hash of the source file (not of the normalised export) lets `python -m nlu.evaluate`
    # tell whether the served model was trained on the data the embedded model trains on now.
    # One hash over the training files in order (nlu.evaluate.training_data_sha256 computes the same).
    "nlu_data_sha256": hashlib.sha256(b"".join(Path(f).read_bytes() for f in nlu_data)).hexdigest(),
    "cpu_count": float(os.cpu_count() or 0),
}
summary_path = Path(exported_data).with_name("export_summary.json")
if summary_path.is_file():
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    report["training_examples"] = float(summary["examples_out"])
    report["entity_annotations"] = float(summary["entities_kept"])
    report["jieba_words"] = float(summary["domain_words"] + summary.get("entity_words", 0))
report_path = Path(models_dir) / "train_report.json"
report_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"rasa-train: {model} trained in {report['train_seconds']} s ({report['cpu_seconds']} CPU s), "
      f"peak RSS {report['peak_rss_mb']} MB, {report['model_size_mb']} MB; report in {report_path}")
PY
