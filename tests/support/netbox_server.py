"""A local HTTP server that answers like NetBox's REST API for ``/api/dcim/devices/`` (paged).

Serves ``count``/``next``/``previous``/``results`` pages of the devices it was given, honours
``limit``/``offset``, checks ``Authorization: Token <token>`` and sends the ``API-Version``
header NetBox sends, so pynetbox runs its real code against it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

__all__ = ["NetBoxServer", "netbox_device"]


def netbox_device(n: int, name: str | None, site: str, role: str, ip4: str | None) -> dict[str, Any]:
    """A device object shaped like NetBox 4's (nested site/role/primary_ip4)."""
    return {
        "id": n, "url": f"/api/dcim/devices/{n}/", "display": name or f"Unnamed device ({n})", "name": name,
        "site": {"id": 1, "url": "/api/dcim/sites/1/", "display": site.upper(), "name": site.upper(), "slug": site},
        "role": {"id": 2, "url": "/api/dcim/device-roles/2/", "display": role, "name": role, "slug": role},
        "status": {"value": "active", "label": "Active"},
        "primary_ip": {"id": 10 + n, "family": 4, "address": f"{ip4}/32"} if ip4 else None,
        "primary_ip4": {"id": 10 + n, "family": 4, "address": f"{ip4}/32"} if ip4 else None,
        "primary_ip6": None,
    }


class NetBoxServer:
    def __init__(self, devices: list[dict[str, Any]], *, token: str = "nb-test-token", max_limit: int = 1000) -> None:
        self.devices = devices
        self.token = token
        self.max_limit = max_limit
        self.requests: list[str] = []
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> NetBoxServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("API-Version", "4.1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - stdlib name
                owner.requests.append(self.path)
                if self.headers.get("Authorization") != f"Token {owner.token}":
                    return self._send(403, {"detail": "Invalid token"})
                url = urlparse(self.path)
                if url.path in ("/api/", "/api/status/"):
                    return self._send(200, {"netbox-version": "4.1.0"})
                if url.path != "/api/dcim/devices/":
                    return self._send(404, {"detail": "Not found."})
                q = parse_qs(url.query)
                limit = min(int(q.get("limit", ["50"])[0]) or owner.max_limit, owner.max_limit)
                offset = int(q.get("offset", ["0"])[0])
                page = owner.devices[offset:offset + limit]
                base = f"{owner.url}/api/dcim/devices/"
                nxt = f"{base}?limit={limit}&offset={offset + limit}" if offset + limit < len(owner.devices) else None
                prev = f"{base}?limit={limit}&offset={max(0, offset - limit)}" if offset else None
                self._send(200, {"count": len(owner.devices), "next": nxt, "previous": prev, "results": page})

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> NetBoxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
