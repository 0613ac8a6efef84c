"""The OpenAPI document describes what the running service answers: schemathesis, all checks.

schemathesis reads ``/openapi.json`` from a running server and, for every operation, sends
requests the document says are valid (they must be accepted) and requests it says are invalid
(they must be refused with a 4xx), and checks every answer against the document: no 5xx,
documented status codes, content types and headers, response schemas, ``Allow`` on 405, and
the rest of its checks (``--checks all``).  Its phases: coverage (boundary values derived from
each schema), fuzzing, stateful (links between operations).

Bounded: ``--max-examples`` per operation, deterministic generation (the same requests every
run, no example database), a timeout per request; about a minute on the project machine.  The
one exception to the defaults is written down in ``schemathesis.toml`` beside this file.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.server

CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = 10  # per operation and phase
BUDGET_S = 600  # only a guard against a hang: the run takes one to two minutes, more on a loaded machine


def test_schemathesis_finds_nothing_with_all_checks(service_url: str, tmp_path: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(CONFIG),
        "run",
        service_url + "openapi.json",
        "--checks",
        "all",
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",
        "--workers",
        "1",  # 2 hit a race inside hypothesis (lambda descriptions cached across threads): a tool error
        "--request-timeout",
        "20",
        "--no-color",
        "--report-dir",
        str(tmp_path),
    ]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=BUDGET_S, cwd=tmp_path)
    elapsed = time.monotonic() - started
    summary = [line for line in run.stdout.splitlines() if "generated" in line or "passed" in line]
    print(f"\nschemathesis: {elapsed:.1f} s; " + "; ".join(s.strip() for s in summary))
    assert run.returncode == 0, run.stdout[-12000:] + run.stderr[-3000:]
