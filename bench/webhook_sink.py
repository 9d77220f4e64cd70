"""A receiver for the webhook benchmark: answers every POST 204 at once (HTTP/1.1, keep-alive)
and appends `<webhook-id> <arrival time>` per request to the file given.

    python bench/webhook_sink.py PORT ARRIVALS_FILE
"""

import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, path = int(sys.argv[1]), sys.argv[2]
    out = open(path, "a", buffering=1)  # noqa: SIM115 - open for the server's life

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("content-length") or 0))
            out.write(f"{self.headers.get('webhook-id')} {time.time():.6f}\n")
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
