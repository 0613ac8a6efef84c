"""Stage ⑦: the FastAPI service that publishes the built store.

Layout: :mod:`.app` is a thin factory (settings, middleware, error handlers, routers);
HTTP lives in the routers (:mod:`.sparql` here, plus the linked-data and saved-query routers);
untrusted queries run in supervised worker processes (:mod:`.runner`, :mod:`.worker`) after a
look at their text (:mod:`.screening`); :mod:`.negotiation` picks media types; :mod:`.results`
writes results under the caps.
"""
