"""Stage ④: linkers that relate the loaded texts to each other and to the catalogue.

Each module describes its linker as a :class:`gcmkg.links.Linker` (``LINKER``), registered in
the ``gcmkg.linkers`` entry-point group.  A linker reads the document model (and, if it needs
it, the catalogue the build loaded) and returns :class:`gcmkg.links.Links`: alignments,
mentions, retention flags and findings as model objects.  It never parses corpus files, never
sees the store and writes no quads; :func:`gcmkg.rdf.links_quads` does, and the build numbers
the findings.
"""
