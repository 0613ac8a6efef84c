"""The web process's heap and Python's cyclic garbage collector, tuned for steady answer times.

What the service builds while it starts (FastAPI's routes and models, the templates, the MCP
SDK, the first release's caches) lives as long as the process.  Left to the collector, every
full collection walks all of it again: under load that was a pause of 120–450 ms on the event
loop, which every waiting client saw.  :func:`settle` moves what exists at that moment out of
the collector's way (``gc.freeze``: never collected, never walked; no ``gc.collect`` first, which
would cost the cold start about 0.1 s), and :data:`THRESHOLDS` makes the young generations'
collections rarer, so that objects of one request mostly die before they are ever examined.
Memory stays bounded: cycles are still collected, only less often, and a frozen object is one
that lives as long as the process anyway.
"""

from __future__ import annotations

import gc

# (generation 0 allocations, generation-0 collections per generation 1, generation-1 per 2):
# CPython's defaults are (700, 10, 10); a request allocates a few thousand tracked objects.
THRESHOLDS = (10_000, 10, 10)


def settle() -> None:
    """Freeze what the process holds now (call once it has started, and after a big import)."""
    gc.set_threshold(*THRESHOLDS)
    gc.freeze()
