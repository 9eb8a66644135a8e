#!/usr/bin/env bash
# rasa-serve.sh — serve the trained NLU model over HTTP for the bot (NLU_BACKEND=rasa).
#
# Usage:   scripts/rasa-serve.sh                  # http://127.0.0.1:5005
#          RASA_PORT=5006 scripts/rasa-serve.sh
# Then:    NLU_BACKEND=rasa RASA_URL=http://127.0.0.1:5005 <start the bot>
#
# Binds to 127.0.0.1 only: the HTTP API (--enable-api) has no authentication, so it must not
# be reachable from other machines. Loads the newest model in nlu/rasa/models/ (made by
# scripts/rasa-train.sh). Runs offline with telemetry off. Stops on Ctrl-C / SIGTERM.
# The server's process id is written to nlu/rasa/.rasa/rasa-serve-$PORT.pid (the script execs
# rasa, so it is rasa's own id): stop a background server with `kill "$(cat that file)"`, and
# give it to `python -m nlu.evaluate --rasa-pid` to measure the server's CPU time per parse.
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
MODELS_DIR="$REPO_ROOT/nlu/rasa/models"
PORT="${RASA_PORT:-5005}"

if [[ ! -x "$VENV/bin/rasa" ]]; then
    echo "rasa-serve: no Rasa in $VENV — run scripts/rasa-setup.sh first" >&2
    exit 1
fi
if ! compgen -G "$MODELS_DIR/*.tar.gz" >/dev/null; then
    echo "rasa-serve: no model in $MODELS_DIR — run scripts/rasa-train.sh first" >&2
    exit 1
fi

PID_DIR="$REPO_ROOT/nlu/rasa/.rasa"
mkdir -p "$PID_DIR"
echo "$$" >"$PID_DIR/rasa-serve-$PORT.pid"

cd "$REPO_ROOT/nlu/rasa"
exec "$VENV/bin/rasa" run \
    --enable-api \
    --interface 127.0.0.1 \
    --port "$PORT" \
    --model "$MODELS_DIR" \
    --endpoints "$REPO_ROOT/nlu/rasa/endpoints.yml" \
    --credentials "$REPO_ROOT/nlu/rasa/credentials.yml"
