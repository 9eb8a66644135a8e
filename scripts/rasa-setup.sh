#!/usr/bin/env bash
# rasa-setup.sh — create the optional Rasa 3.6 environment in .rasa-venv/ (repo root).
#
# Usage:   scripts/rasa-setup.sh            # idempotent: does nothing when rasa 3.6 + jieba are there
#          RASA_SETUP_FORCE=1 scripts/rasa-setup.sh   # reinstall into the existing venv
#
# Rasa 3.6 only supports Python 3.8-3.10, so it lives in its own virtualenv, apart from the
# project venv (.venv, Python 3.11). The bot never imports rasa: it talks to `rasa run` over HTTP
# (nlu/rasa_backend.py). This is the only step that touches the network (the package registry);
# training and serving run offline.
#
# Versions are pinned by nlu/rasa/constraints.txt (a pip freeze of a working environment).
# Python 3.10 is found, in order: $RASA_PYTHON, `pyenv prefix 3.10.13`, any pyenv 3.10.x,
# `python3.10` on PATH.
set -euo pipefail

export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2
# Rasa 3.6 still uses SQLAlchemy 1.4 APIs and warns about it on every start.
export SQLALCHEMY_SILENCE_UBER_WARNING=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RASA_VENV:-$REPO_ROOT/.rasa-venv}"
RASA_SPEC="rasa==3.6.*"
JIEBA_SPEC="jieba==0.42.1"
CONSTRAINTS="$REPO_ROOT/nlu/rasa/constraints.txt"

find_python310() {
    local candidate
    if [[ -n "${RASA_PYTHON:-}" ]]; then
        echo "$RASA_PYTHON"
        return 0
    fi
    if command -v pyenv >/dev/null 2>&1; then
        candidate="$(pyenv prefix 3.10.13 2>/dev/null || true)"
        if [[ -n "$candidate" && -x "$candidate/bin/python3.10" ]]; then
            echo "$candidate/bin/python3.10"
            return 0
        fi
        local root
        root="$(pyenv root 2>/dev/null || true)"
        for candidate in "$root"/versions/3.10.*/bin/python3.10; do
            if [[ -x "$candidate" ]]; then
                echo "$candidate"
                return 0
            fi
        done
    fi
    if command -v python3.10 >/dev/null 2>&1; then
        command -v python3.10
        return 0
    fi
    return 1
}

rasa_ready() {
    [[ -x "$VENV/bin/python" ]] || return 1
    "$VENV/bin/python" - <<'PY' >/dev/null 2>&1
import importlib.metadata as md
assert md.version("rasa").startswith("3.6."), md.version("rasa")
import jieba  # noqa: F401  (the JiebaTokenizer needs it at train and serve time)
PY
}

if [[ -z "${RASA_SETUP_FORCE:-}" ]] && rasa_ready; then
    echo "rasa-setup: rasa 3.6 and jieba already installed in $VENV; nothing to install"
else
    PYTHON="$(find_python310)" || {
        echo "rasa-setup: Python 3.10 not found (install it with 'pyenv install 3.10.13' or set RASA_PYTHON)" >&2
        exit 1
    }
    echo "rasa-setup: using $PYTHON ($("$PYTHON" --version 2>&1))"
    if [[ ! -x "$VENV/bin/python" ]]; then
        "$PYTHON" -m venv "$VENV"
    fi
    # The venv's bundled pip 23.0 lacks wheel and resolves rasa's tree slowly; setuptools is left
    # to rasa, which pins it (70.3.*) itself.
    "$VENV/bin/python" -m pip install --quiet --upgrade "pip>=23.1,<25" wheel
    # The constraints pin the whole tree to a set known to work; without them pip backtracks
    # through dozens of jax/aiogram releases and may land on a different TensorFlow stack.
    "$VENV/bin/python" -m pip install --constraint "$CONSTRAINTS" "$RASA_SPEC" "$JIEBA_SPEC"
    rasa_ready || {
        echo "rasa-setup: install finished but rasa 3.6 / jieba do not import" >&2
        exit 1
    }
fi

# Telemetry off for the user too, not only through the environment variable above.
"$VENV/bin/rasa" telemetry disable >/dev/null 2>&1 || true
echo "rasa-setup: ready — rasa $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("rasa"))') in $VENV (telemetry off)"
