"""Measure the whole assistant as it runs: start-up, resident memory, turn latency, embedded parse.

    .venv/bin/python scripts/benchmark.py [--turns 400] [--parses 3200] [--cold] [--breakdown]

1. Server: starts `python -m bot serve` for real (embedded NLU, SQLite in a temporary data directory,
   no WeChat or Telegram) and times it until `/healthz` answers. It then plays a fixed mix of short
   conversations (policy questions, category guide, eligibility, help and volunteer forms, status,
   hand-off, crisis, small talk; Simplified, Traditional and Cantonese) through the web-chat endpoint
   `POST /api/webchat/messages`, one keep-alive HTTP connection, and reports the server's resident memory
   (VmRSS from /proc) after start-up, after the first turn and after all turns, its peak (VmHWM), the
   wall latency per turn (p50/p99) and the server's CPU time per turn.
   The trained intent model is read from the cache in `--cache-dir` (default `var/cache`, the one
   `scripts/dev serve` uses). When the server had to train it (a cold cache, or `--cold`: an empty
   one), that cold start-up is reported too and the server is started once more, so the other
   figures are always those of a warm start.
2. Embedded parse: the whole interpreter (normalisation, crisis rules, intent model, entities) and the
   intent model alone on the held-out NLU test messages, in this process pinned to one core.
3. `--breakdown`: resident memory and time after each import and build step, in a fresh process, and
   which heavy libraries and how many jieba dictionaries end up loaded: where the memory goes.

Speed and memory are measured here, never asserted in tests; docs/benchmarks.md records the figures.
The machine is shared (2 cores): the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_CACHE_DIR = REPO / "var" / "cache"
READY_TIMEOUT_S = 180.0

# Short conversations as residents and organisations have them, each by a new user (37 messages a round).
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("你好", "示范点每个社区资助多少钱", "社区服务中心要配几个社工", "谢谢"),
    ("我们想帮外卖小哥维权,该申报哪一类", "1"),
    ("我们社区能不能申请示范点", "是的", "不清楚", "否"),
    ("我要求助", "同意", "1", "我家老人腿脚不好想找人上门护理", "莲花北社区", "13800138000", "取消"),
    ("我周末有空想做义工", "同意", "王芳", "算了"),
    ("查询进度",),
    ("那个嗯我想问一下就是低保怎么申请", "需要什么材料"),
    ("請問點樣申請義工", "唔該晒"),
    ("長者飯堂點樣收費",),
    ("我哋機構想做青少年預防犯罪,報邊一類",),
    ("我们想做个项目", "1"),
    ("明天会下雨吗", "講個笑話"),
    ("转人工",),
    ("有人打我",),
    ("社区党群服务中心有哪些功能", "示范点项目要多久评估一次"),
    ("HR-20261123-0001",),
)


# ---- process figures --------------------------------------------------------------------------------


def _status_mb(pid: int | str, field: str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        # The command name may hold spaces; the fields after its closing parenthesis do not.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(sorted_values: Sequence[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _model_files(cache_dir: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime for p in (cache_dir / "nlu").glob("embedded-*.pkl")}


# ---- 1. the server ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerFigures:
    startup_s: float
    cold_startup_s: float | None  # when the first start had to train the intent model
    rss_start_mb: float
    rss_first_turn_mb: float
    rss_end_mb: float
    peak_mb: float
    first_turn_ms: float
    latencies_ms: tuple[float, ...]  # sorted
    cpu_ms_per_turn: float
    statuses: dict[int, int]


class Server:
    """`python -m bot serve` in a child process, on a free loopback port."""

    def __init__(self, data_dir: Path, cache_dir: Path) -> None:
        from bot.pii import new_key

        self.port = _free_port()
        data_dir.mkdir(parents=True, exist_ok=True)
        # The server keeps its model cache in DATA_DIR/cache: point it at the shared one.
        (data_dir / "cache").symlink_to(cache_dir, target_is_directory=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CA_", "WECHAT_", "TELEGRAM_"))}
        env.update(
            CA_DATA_DIR=str(data_dir),
            CA_DATABASE_URL=f"sqlite:///{data_dir / 'bench.db'}",
            CA_PII_KEY=new_key(),
            CA_HOST="127.0.0.1",
            CA_PORT=str(self.port),
            CA_LOG_LEVEL="WARNING",
            NLU_BACKEND="embedded",
        )
        self._log = (data_dir / "server.log").open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"], cwd=REPO, env=env, stdout=self._log, stderr=self._log
        )
        try:
            self.startup_s = self._wait_ready() - started
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait_ready(self) -> float:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = Path(self._log.name).read_text(encoding="utf-8", errors="replace")[-3000:]
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return time.perf_counter()
                connection.close()
            time.sleep(0.01)  # polling a real server that is still starting, not a timed assertion
        raise RuntimeError(f"the server did not answer /healthz within {READY_TIMEOUT_S:.0f} s")

    def rss_mb(self) -> float:
        return _status_mb(self.pid, "VmRSS")

    def peak_mb(self) -> float:
        return _status_mb(self.pid, "VmHWM")

    def cpu_seconds(self) -> float:
        return _cpu_seconds(self.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def _turns(count: int) -> Iterator[tuple[str, str]]:
    """(user id, text) for `count` turns: the conversations in turn, each by a new user."""
    n = 0
    round_no = 0
    while True:
        for c, conversation in enumerate(CONVERSATIONS):
            for text in conversation:
                if n == count:
                    return
                yield f"bench-{round_no:04d}-{c:02d}", text
                n += 1
        round_no += 1


def _post(connection: http.client.HTTPConnection, user_id: str, text: str, message_id: int) -> int:
    body = json.dumps({"user_id": user_id, "text": text, "message_id": str(message_id)}).encode()
    connection.request("POST", "/api/webchat/messages", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    return response.status


def run_server(turns: int, cache_dir: Path) -> ServerFigures:
    before = _model_files(cache_dir)
    with tempfile.TemporaryDirectory(prefix="ca-bench-") as tmp:
        server = Server(Path(tmp) / "first", cache_dir)
        cold_startup: float | None = None
        if _model_files(cache_dir) != before:
            cold_startup = server.startup_s
            server.stop()
            server = Server(Path(tmp) / "warm", cache_dir)
        try:
            rss_start = server.rss_mb()
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            statuses: dict[int, int] = {}
            latencies: list[float] = []
            first_turn_ms = 0.0
            rss_first = rss_start
            cpu_before = server.cpu_seconds()
            for i, (user_id, text) in enumerate(_turns(turns)):
                t0 = time.perf_counter_ns()
                status = _post(connection, user_id, text, i)
                elapsed_ms = (time.perf_counter_ns() - t0) / 1e6
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(elapsed_ms)
                if i == 0:
                    first_turn_ms = elapsed_ms
                    rss_first = server.rss_mb()
            cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
            connection.close()
            figures = ServerFigures(
                startup_s=server.startup_s,
                cold_startup_s=cold_startup,
                rss_start_mb=rss_start,
                rss_first_turn_mb=rss_first,
                rss_end_mb=server.rss_mb(),
                peak_mb=server.peak_mb(),
                first_turn_ms=first_turn_ms,
                latencies_ms=tuple(sorted(latencies)),
                cpu_ms_per_turn=cpu_ms / max(1, len(latencies)),
                statuses=statuses,
            )
        finally:
            server.stop()
    return figures


# ---- 2. embedded parse ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParseFigures:
    cpu: int | None
    samples: int
    parse_wall_ms: tuple[float, ...]  # sorted
    parse_cpu_ms: tuple[float, ...]  # sorted
    model_wall_ms: tuple[float, ...]  # sorted
    model_cpu_ms: tuple[float, ...]  # sorted


def _pin_to_one_core() -> int | None:
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def _timed(
    fn: Callable[[str], object], texts: Sequence[str], samples: int
) -> tuple[list[float], list[float]]:
    wall: list[float] = []
    cpu: list[float] = []
    while len(wall) < samples:
        for text in texts:
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            fn(text)
            c1, t1 = time.thread_time_ns(), time.perf_counter_ns()
            wall.append((t1 - t0) / 1e6)
            cpu.append((c1 - c0) / 1e6)
            if len(wall) == samples:
                break
    return sorted(wall), sorted(cpu)


def run_parse(samples: int, cache_dir: Path) -> ParseFigures:
    from nlu.interpreter import build_interpreter
    from nlu.normalize import normalize
    from nlu.training_data import HELD_OUT_TEST_FILE, load_training_data

    cpu = _pin_to_one_core()
    interpreter = build_interpreter("embedded", cache_dir=cache_dir / "nlu")
    texts = [e.text for e in load_training_data([HELD_OUT_TEST_FILE])]
    texts += [text for conversation in CONVERSATIONS for text in conversation]
    for text in texts:  # warm-up: lazy tables and caches load outside the measurement
        interpreter.parse(text)
    parse_wall, parse_cpu = _timed(interpreter.parse, texts, samples)
    normalized = [normalize(t).text for t in texts]
    model_wall, model_cpu = _timed(interpreter.model.predict, normalized, samples)  # type: ignore[arg-type]
    return ParseFigures(
        cpu, samples, tuple(parse_wall), tuple(parse_cpu), tuple(model_wall), tuple(model_cpu)
    )


# ---- 3. where the memory goes -----------------------------------------------------------------------

HEAVY_MODULES = (
    "sklearn",
    "scipy",
    "scipy.sparse",
    "scipy.optimize",
    "pkg_resources",
    "bm25s",
    "opencc",
    "jieba",
    "numpy",
)


def breakdown_steps(cache_dir: Path) -> None:
    """Run in a fresh process (`--breakdown-steps`): RSS and time after each import and build step."""
    last = _status_mb("self", "VmRSS")
    print(f"{'step':58s} {'+MB':>7s} {'RSS MB':>7s} {'s':>6s}")
    print(f"{'python and the standard library':58s} {'':>7s} {last:7.1f}")

    def step(name: str, fn: Callable[[], object]) -> object:
        nonlocal last
        t0 = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - t0
        now = _status_mb("self", "VmRSS")
        print(f"{name:58s} {now - last:+7.1f} {now:7.1f} {seconds:6.2f}", flush=True)
        last = now
        return result

    from importlib import import_module

    step("import bot.assistant (core, dialogs, SQLAlchemy)", lambda: import_module("bot.assistant"))
    step(
        "import the web stack (bot.cli, bot.http_app, webchat, uvicorn)",
        lambda: [import_module(m) for m in ("bot.cli", "bot.http_app", "adapters.webchat", "uvicorn")],
    )
    step(
        "import nlu.interpreter, nlu.embedded",
        lambda: [import_module("nlu.interpreter"), import_module("nlu.embedded")],
    )
    from nlu.embedded import EmbeddedIntentModel
    from nlu.interpreter import Interpreter

    model = step(
        "intent model: read the cache (or train)",
        lambda: EmbeddedIntentModel.load_or_train(cache_dir=cache_dir / "nlu"),
    )
    interpreter = step("interpreter (entities, tables)", lambda: Interpreter(model))  # type: ignore[arg-type]
    step(
        "first parse (lazy tables: gazetteer, normalisation)",
        lambda: interpreter.parse("我住莲花北社区,想做义工"),
    )  # type: ignore[attr-defined]
    step(
        "import knowledge.retrieval, knowledge.category_guide",
        lambda: [import_module("knowledge.retrieval"), import_module("knowledge.category_guide")],
    )
    from knowledge.category_guide import CategoryGuide
    from knowledge.retrieval import PolicyKnowledge

    knowledge = step("policy knowledge: pack + BM25 index", PolicyKnowledge.load)
    guide = step("category guide: 3 catalogues + lexicon + BM25", CategoryGuide.load)
    with tempfile.TemporaryDirectory(prefix="ca-bench-") as tmp:
        from adapters.collecting import CollectingChannel
        from bot.assistant import Assistant
        from bot.cli import build_web_app
        from bot.pii import new_key
        from bot.settings import Settings

        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp), pii_key=new_key())
        assistant = step(
            "Assistant.build (database, migrations, pipeline)",
            lambda: Assistant.build(settings, interpreter=interpreter, knowledge=knowledge, guide=guide),  # type: ignore[arg-type]
        )
        step("web app (FastAPI routes)", lambda: build_web_app(settings, assistant))  # type: ignore[arg-type]

        def conversations() -> None:
            for c, conversation in enumerate(CONVERSATIONS):
                resident = CollectingChannel(assistant.handle, user_id=f"bench-{c:02d}")  # type: ignore[attr-defined]
                for text in conversation:
                    resident.say(text)

        step(f"one of each of the {len(CONVERSATIONS)} conversations", conversations)
        assistant.close()  # type: ignore[attr-defined]

    loaded = ", ".join(f"{m} {'yes' if m in sys.modules else 'no'}" for m in HEAVY_MODULES)
    print(f"loaded: {loaded}")
    import gc

    import jieba

    tokenizers = [t for t in gc.get_objects() if isinstance(t, jieba.Tokenizer) and t.initialized]
    # A layered tokenizer (nlu/segmenter.py) holds its own words, not a dictionary.
    full = [t for t in tokenizers if type(t.FREQ) is dict]
    print(
        f"jieba: {len(full)} full dictionaries in memory ({len(full[0].FREQ) if full else 0} entries each), "
        f"{len(tokenizers) - len(full)} layered tokenizers over them"
    )


def run_breakdown(cache_dir: Path) -> None:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--breakdown-steps",
        "--cache-dir",
        str(cache_dir),
    ]
    subprocess.run(command, cwd=REPO, check=True)


# ---- report -----------------------------------------------------------------------------------------


def _machine() -> str:
    cores = os.cpu_count()
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.machine()}, {cores} cores, {memory:.0f} GiB, Python {platform.python_version()}, "
        f"load average {load}"
    )


def report_server(figures: ServerFigures, turns: int) -> None:
    lat = figures.latencies_ms
    if figures.cold_startup_s is not None:
        print(f"start-up with a cold model cache (trains the intent model): {figures.cold_startup_s:.2f} s")
    print(f"start-up (until /healthz answers, model cache warm): {figures.startup_s:.2f} s")
    print(
        f"resident memory (VmRSS): after start-up {figures.rss_start_mb:.0f} MB, after the first turn "
        f"{figures.rss_first_turn_mb:.0f} MB, after {turns} turns {figures.rss_end_mb:.0f} MB; peak {figures.peak_mb:.0f} MB"
    )
    print(f"first turn: {figures.first_turn_ms:.1f} ms")
    print(
        f"turns: {len(lat)} through POST /api/webchat/messages (HTTP status {figures.statuses}); wall ms "
        f"p50 {_percentile(lat, 0.5):.1f}, p90 {_percentile(lat, 0.9):.1f}, p99 {_percentile(lat, 0.99):.1f}, "
        f"max {lat[-1]:.1f}, mean {statistics.mean(lat):.1f}; server CPU {figures.cpu_ms_per_turn:.1f} ms per turn"
    )


def report_parse(figures: ParseFigures) -> None:
    core = f"pinned to CPU {figures.cpu}" if figures.cpu is not None else "not pinned"

    def spread(wall: Sequence[float], cpu: Sequence[float]) -> str:
        return (
            f"wall ms p50 {_percentile(wall, 0.5):.3f}, p99 {_percentile(wall, 0.99):.3f}; "
            f"CPU ms p50 {_percentile(cpu, 0.5):.3f}, p99 {_percentile(cpu, 0.99):.3f}"
        )

    print(
        f"embedded parse (interpreter: normalise + crisis rules + model + entities; {core}; "
        f"{figures.samples} parses): {spread(figures.parse_wall_ms, figures.parse_cpu_ms)}"
    )
    print(
        f"intent model alone (features + classifier): {spread(figures.model_wall_ms, figures.model_cpu_ms)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=400, help="web-chat turns through the server")
    parser.add_argument("--parses", type=int, default=3200, help="embedded parses timed on one core")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="model cache root")
    parser.add_argument("--cold", action="store_true", help="start the server with an empty model cache")
    parser.add_argument("--breakdown", action="store_true", help="also show memory per import and build step")
    parser.add_argument("--breakdown-steps", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-server", action="store_true", help="only the embedded parse (and breakdown)")
    args = parser.parse_args(argv)

    if args.breakdown_steps:
        breakdown_steps(args.cache_dir.resolve())
        return 0
    print(f"machine: {_machine()}")
    cache_dir = args.cache_dir.resolve()
    cold_dir: Path | None = None
    if args.cold:
        cold_dir = Path(tempfile.mkdtemp(prefix="ca-bench-cache-"))
        cache_dir = cold_dir
    cache_dir.mkdir(parents=True, exist_ok=True)
    try:
        if not args.skip_server:
            figures = run_server(args.turns, cache_dir)
            report_server(figures, args.turns)
        if args.breakdown:
            run_breakdown(cache_dir)
        report_parse(run_parse(args.parses, cache_dir))
    finally:
        if cold_dir is not None:
            shutil.rmtree(cold_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
