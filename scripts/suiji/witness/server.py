"""`suiji witness serve`: the tlog-witness HTTP interface over the standard library.

One POST route, `<prefix>/add-checkpoint`; everything else is 404. The decision and the
state live in `suiji.witness.core`; this module only moves bytes. `ThreadingHTTPServer`
answers requests in parallel and the witness's lock makes check-and-save atomic, as the
protocol requires (two requests racing can never roll the saved size back).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from suiji.standards.witnessproto import ADD_CHECKPOINT, MAX_REQUEST_BYTES
from suiji.witness.core import Answer, Witness


def make_server(witness: Witness, host: str, port: int, prefix: str = "") -> ThreadingHTTPServer:
    """A server bound to (host, port); `server.server_address[1]` is the port (0: any)."""
    route = prefix.rstrip("/") + "/" + ADD_CHECKPOINT

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            if self.path != route:
                self._send(Answer(404, "text/plain; charset=utf-8", b"not found\n"))
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._send(Answer(411, "text/plain; charset=utf-8", b"length required\n"))
                return
            if not 0 <= length <= MAX_REQUEST_BYTES:
                self._send(Answer(413, "text/plain; charset=utf-8", b"too large\n"))
                return
            self._send(witness.add_checkpoint(self.rfile.read(length)))

        def do_GET(self) -> None:
            self._send(Answer(404, "text/plain; charset=utf-8", b"not found\n"))

        def _send(self, answer: Answer) -> None:
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            return  # the operator's service manager logs the process; no request echo

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_thread(server: ThreadingHTTPServer) -> threading.Thread:
    """Run `server` in a daemon thread (tests, and one process serving several witnesses)."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread
