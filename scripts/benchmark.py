"""Measure the whole assistant: start-up time, resident memory, and turn latency through the pipeline.

    .venv/bin/python scripts/benchmark.py [--turns 400]

Runs the real pipeline (embedded NLU, knowledge pack, category guide, SQLite in a temporary directory)
through the collecting adapter with a fixed mix of resident messages, and prints the figures. Speed
and memory are measured here, never asserted in tests; docs/benchmarks.md records the latest figures.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

MESSAGES = (
    "你好",
    "示范点每个社区资助多少钱",
    "社区服务中心要配几个社工",
    "我们想帮外卖小哥维权,该申报哪一类",
    "查询进度",
    "那个嗯我想问一下就是低保怎么申请",
    "請問點樣申請義工",
    "明天会下雨吗",
    "我们社区能不能申请示范点",
    "谢谢",
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=400)
    args = parser.parse_args()

    from adapters.collecting import CollectingChannel
    from bot.assistant import Assistant
    from bot.pii import new_key
    from bot.settings import Settings

    with tempfile.TemporaryDirectory(prefix="ca-bench-") as tmp:
        started = time.perf_counter()
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", data_dir=Path(tmp), pii_key=new_key())
        assistant = Assistant.build(settings)
        startup = time.perf_counter() - started
        after_start = current_rss_mb()

        latencies: list[float] = []
        for n in range(args.turns):
            # A new user every ten messages keeps conversations short, as in real traffic.
            resident = CollectingChannel(assistant.handle, user_id=f"bench-{n // 10}")
            text = MESSAGES[n % len(MESSAGES)]
            t0 = time.perf_counter_ns()
            resident.say(text)
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
        assistant.close()

    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(f"machine: {platform.machine()} {platform.processor() or ''} Python {platform.python_version()}")
    print(f"start-up (cache warm if var/cache exists): {startup:.2f} s")
    print(f"resident memory after start-up: {after_start:.0f} MB; peak: {rss_mb():.0f} MB")
    print(f"turns: {len(latencies)}; latency ms p50 {p(0.5):.1f}, p90 {p(0.9):.1f}, p99 {p(0.99):.1f}, mean {statistics.mean(latencies):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
