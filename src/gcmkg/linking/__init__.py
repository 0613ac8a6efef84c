"""Stage ④: linkers that add graphs over the loaded texts.

Each linker is a callable ``(iris, documents, store) -> Iterable[Quad]`` registered in the
``gcmkg.linkers`` entry-point group and run by the build, in name order, after every text
is in the store.  Linkers read the document model (and may query the store); they never
parse corpus files.
"""
