"""Loader for A/73/L.66 (the final text of the Global Compact): being written."""
