"""The graph as a Model Context Protocol server, for AI assistants (the official ``mcp`` SDK).

Read-only, and served two ways over the same code: mounted in the service at ``/mcp``
(streamable HTTP, stateless, JSON answers; :mod:`.http`) and as ``gcmkg mcp`` over stdio for
desktop assistants (:mod:`.stdio`).  Both open the release ``build/current`` points to exactly
as ``gcmkg serve`` does (``gcmkg.service.app.create_app``: pins, read-only store, the two lanes
of supervised query workers, per-client budgets) and follow it to each new release.

* :mod:`.server` — the :class:`~mcp.server.MCPServer` with its tools, resources and what they
  read (:class:`~.server.GraphSource`);
* :mod:`.tools` — the tools: one per saved query (generated from its ``#+`` header),
  ``sparql`` (the endpoint's lane, screening and limits) and ``schema``;
* :mod:`.citations` — what a citation of a provision needs (document symbol and date, printed
  number, label, IRI, release), looked up once per release;
* :mod:`.answers` — the size every answer stays within, and how an answer says it was shortened;
* :mod:`.vocabulary` — the ontology's classes and properties with one example each.

This package belongs to the service wing: it imports the core and ``gcmkg.service``, never the
build (``tests/test_architecture.py``).
"""
