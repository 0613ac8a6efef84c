"""The loaders: one module per source text, each reading its corpus file into the document model.

Where to look:

* ``<source>.py`` (``final_text``, ``zero_draft``, ``swedish``, ``iom_contribution``,
  ``imrf_declaration``) — what is particular to one text: its layout, headings and structure.
  Each exposes ``load(path, entry)``, found by the build through the ``gcmkg.loaders`` entry
  points named in ``corpus/manifest.toml``;
* :mod:`loaders.reader` — what every loader needs to read: numbered lines, blocks, list
  markers, spans, the :class:`~gcmkg.errors.SourceError` and the one place a finding is
  recorded (:meth:`loaders.reader.Source.finding`);
* :mod:`loaders.text_repair` — where a provision's text is cleaned: page furniture, split
  words, hyphens, Markdown marks and links, footnote markers, whitespace;
* :mod:`loaders.swedish_defects` — the defect checks of the Swedish translation.

Document metadata (keys, titles, dates, statuses) comes from ``corpus/manifest.toml``, read by
:mod:`gcmkg.corpus`; no loader holds any.
"""
