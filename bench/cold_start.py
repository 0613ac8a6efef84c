"""Cold start: from ``gcmkg serve`` being started to its first answer, several times.

Not a test: it prints figures (``make cold-start``).  Each run starts the service on a free port
over a built release and asks, every few milliseconds, for one resource as Turtle (what a
crawler's first request is) until a ``200`` comes; it prints the wall time of each run and the
CPU time the web process (its threads included, not its query workers) had spent by then.

    .venv/bin/python bench/cold_start.py --build-dir build [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

import httpx

import cases
from servers import BIN, free_port

RESOURCE = "id/a-73-l-66/en/annex/para/23"


def cpu_seconds(pid: int) -> float:
    """User and system time of process ``pid`` so far (``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_run(build_dir: Path, base_iri: str) -> tuple[float, float]:
    port = free_port()
    argv = [str(BIN / "gcmkg"), "--build-dir", str(build_dir), "--base-iri", base_iri, "serve", "--port", str(port)]
    argv += ["--no-access-log", "--log-level", "warning"]
    started = time.monotonic()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        with httpx.Client(timeout=5, headers={"Accept": "text/turtle"}) as client:
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"gcmkg serve exited with {process.returncode}")
                try:
                    if client.get(f"http://127.0.0.1:{port}/{RESOURCE}").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.003)
        return time.monotonic() - started, cpu_seconds(process.pid)
    finally:
        os.killpg(process.pid, 9)
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", type=Path, default=cases.ROOT / "build")
    parser.add_argument("--base-iri", default="http://127.0.0.1:8000/")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    runs = [one_run(args.build_dir, args.base_iri) for _ in range(args.runs)]
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    print(f"cold start to the first answer ({RESOURCE} as Turtle), {args.runs} runs")
    print("  wall s: " + " ".join(f"{w:.2f}" for w in walls))
    print(f"  wall median {statistics.median(walls):.2f} s, min {min(walls):.2f} s, max {max(walls):.2f} s")
    print(f"  CPU of the web process by then: median {statistics.median(cpus):.2f} s")


if __name__ == "__main__":
    main()
