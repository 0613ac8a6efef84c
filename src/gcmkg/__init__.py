"""gcmkg: the Global Compact for Migration and its related texts as one RDF knowledge graph."""

__version__ = "0.1.0"
