"""Stage ⑦: the FastAPI service that publishes the built store (one wing over the core).

Layout: :mod:`.app` is a thin factory (settings, state, middleware, error handlers, routers);
:mod:`.deps` hands what lives on the app to the handlers; HTTP lives in the routers
(:mod:`.sparql`, :mod:`.resources` for the linked data, :mod:`.saved_queries` for
``/queries``, whose files :mod:`.saved_query_files` reads); untrusted queries run in
supervised worker processes (:mod:`.runner`, :mod:`.worker`) after a look at their text
(:mod:`.screening`); :mod:`.negotiation` picks one of the representations of
:mod:`gcmkg.representations`; :mod:`.results` writes results under the caps.

The service imports the core (IRIs, store facade, settings, errors, representations) and
never the build or the loaders: it serves what ``gcmkg build`` left in ``build/current``.
"""
