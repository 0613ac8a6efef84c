"""Cross-origin reads (CORS) for a public, read-only service that takes no credentials.

Any web page may query the endpoint and read any answer, as the Fetch standard's CORS protocol
lets a server say: ``Access-Control-Allow-Origin: *``, never with credentials.  So the policy
needs no list of origins, and an answer's CORS headers depend on one thing only: whether the
request named an ``Origin``.

* An answer to a request with ``Origin`` gets ``Access-Control-Allow-Origin: *`` and
  ``Access-Control-Expose-Headers`` (the validators, ``Retry-After``, ``Content-Disposition``, which
  a script may read).  Every answer gets ``Origin`` in its ``Vary``, so a shared cache never
  gives the answer without those headers to a request that needs them.
* A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered
  here: ``200`` listing the methods and request headers allowed, cached for :attr:`Cors.max_age`;
  ``400`` naming what is not allowed.

This runs for every answer, replayed ones included (:mod:`.replay`), so it works on the ASGI
header list as it is: it appends, and merges ``Vary`` in place, without building header objects.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# request headers a browser sends without asking (the Fetch standard's CORS-safelisted ones)
SAFELISTED = ("accept", "accept-language", "content-language", "content-type")


class Cors:
    """ASGI middleware: the policy of the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        methods: Iterable[str],
        request_headers: Iterable[str],
        exposed_headers: Iterable[str],
        max_age: int,
    ) -> None:
        self.app = app
        self.methods = tuple(methods)
        self.max_age = max_age
        self.request_headers = frozenset(h.lower() for h in (*SAFELISTED, *request_headers))
        self._exposed = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(exposed_headers).encode("latin-1")),
        ]
        self._preflight = {
            "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": ", ".join(self.methods),
            "Access-Control-Allow-Headers": ", ".join(sorted(self.request_headers)),
            "Access-Control-Max-Age": str(max_age),
            "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = requested_method = requested_headers = None
        for name, value in scope["headers"]:  # ASGI servers give the names in lower case
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                requested_method = value
            elif name == b"access-control-request-headers":
                requested_headers = value
        if origin is not None and requested_method is not None and scope["method"] == "OPTIONS":
            await self._answer_preflight(requested_method, requested_headers)(scope, receive, send)
            return
        added = self._exposed if origin is not None else []

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not isinstance(headers, list):
                    headers = message["headers"] = list(headers)
                _vary_on_origin(headers)
                headers.extend(added)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def _answer_preflight(self, method: bytes, headers: bytes | None) -> PlainTextResponse:
        refused = []
        if method.decode("latin-1") not in self.methods:
            refused.append(f"method {method.decode('latin-1')} (allowed: {', '.join(self.methods)})")
        asked = [h.strip().lower() for h in (headers or b"").decode("latin-1").split(",") if h.strip()]
        unknown = [h for h in asked if h not in self.request_headers]
        if unknown:
            refused.append(f"request header(s) {', '.join(unknown)}")
        if refused:
            return PlainTextResponse(
                "cross-origin request not allowed: " + "; ".join(refused) + "\n", 400, headers=self._preflight
            )
        return PlainTextResponse("OK", 200, headers=self._preflight)


def _vary_on_origin(headers: list[tuple[bytes, bytes]]) -> None:
    """Add ``Origin`` to the answer's ``Vary`` (merged into the one there is, or a new one)."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            if b"origin" not in value.lower() and value.strip() != b"*":
                headers[index] = (name, value + b", Origin")
            return
    headers.append((b"vary", b"Origin"))
