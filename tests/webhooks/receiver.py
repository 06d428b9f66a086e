"""A real HTTP server on 127.0.0.1 (a free port) that records the webhooks POSTed to it, and an
independent Standard Webhooks verifier (hmac + hashlib + base64, not the library we sign with).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_S = 300


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0
    drip_s: float = 0.0


class Receiver:
    """Answers each POST with the next scripted Reply (200 "ok" once the script runs out)."""

    def __init__(
        self, replies: list[Reply] | None = None, *, tls: ssl.SSLContext | None = None
    ) -> None:
        self.requests: list[Received] = []
        self._replies = list(replies or [])
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver._changed:
                    # Recorded before answering: once the sender has its answer, it is here.
                    receiver.requests.append(
                        Received(
                            path=self.path,
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                        )
                    )
                    receiver._changed.notify_all()
                    reply = receiver._replies.pop(0) if receiver._replies else Reply()
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    if reply.drip_s:
                        self._drip(reply)
                        return
                    self.send_response(reply.status)
                    for name, value in reply.headers:
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender gave up waiting (a timeout test)

            def _drip(self, reply: Reply) -> None:
                """The whole answer, headers included, one byte every `drip_s` seconds."""
                raw = (
                    f"HTTP/1.1 {reply.status} Slow\r\nX-Padding: {'x' * 200}\r\n"
                    f"Content-Length: {len(reply.body)}\r\n\r\n"
                ).encode() + reply.body
                for byte in raw:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.drip_s)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook", *, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, *, within_s: float = 60.0) -> list[Received]:
        """The requests once `count` have arrived; fails the test if they do not in time."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout=within_s):
                raise AssertionError(
                    f"expected {count} webhook request(s) within {within_s} s, got "
                    f"{len(self.requests)}"
                )
            return list(self.requests)


def verify(*, secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> bool:
    """True when the body is signed with `secret` and the timestamp is within 5 minutes."""
    headers = {k.lower(): v for k, v in headers.items()}
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > TOLERANCE_S:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in headers["webhook-signature"].split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return True
    return False
