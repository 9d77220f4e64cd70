"""A developer's receiver, like `stripe listen`: listens on a local port, checks each
delivery's signature with the endpoint's secret and prints the event.

    python manage.py webhook_listen --port 8765 --secret whsec_...
    python manage.py webhook_listen --port 8765 --register   # makes the endpoint itself

With --register it adds (or reuses) an endpoint for http://127.0.0.1:PORT/ for every event
type, as the first administrator, and takes a fresh secret for it (the sender must allow
loopback: WEBHOOK_ALLOW_LOOPBACK=1)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from events import services
from events.models import WebhookEndpoint

MAX_BODY = 1024 * 1024


def make_handler(verifier: Webhook | None, write, style):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            length = min(int(self.headers.get("content-length") or 0), MAX_BODY)
            body = self.rfile.read(length).decode("utf-8", "replace")
            headers = {key.lower(): value for key, value in self.headers.items()}
            if verifier is not None:
                try:
                    event = verifier.verify(body, headers)
                except WebhookVerificationError as exc:
                    write(style.ERROR(f"✗ {headers.get('webhook-id', '?')}: bad signature ({exc})"))
                    self._answer(401)
                    return
                mark = style.SUCCESS("✓ signature verified")
            else:
                event = json.loads(body or "{}")
                mark = style.WARNING("(signature not checked: no secret given)")
            write(
                f"{event.get('timestamp', '')} {event.get('type', '?')} on "
                f"{event.get('subject', '?')} id={headers.get('webhook-id', '?')} {mark}"
            )
            write(json.dumps(event.get("data", event), indent=2, ensure_ascii=False))
            self._answer(204)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    return Handler


class Command(BaseCommand):
    help = "Run a local webhook receiver that verifies signatures and prints each event."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--secret", default="", help="The endpoint's whsec_... secret.")
        parser.add_argument(
            "--register",
            action="store_true",
            help="Add (or reuse) an endpoint for this receiver, with a fresh secret.",
        )

    def handle(self, *args, port: int, host: str, secret: str, register: bool, **options):
        url = f"http://{host}:{port}/"
        if register:
            secret = self.register(url)
        verifier = Webhook(secret) if secret else None
        handler = make_handler(verifier, self.stdout.write, self.style)
        server = ThreadingHTTPServer((host, port), handler)
        self.stdout.write(f"Listening for webhooks on {url} (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def register(self, url: str) -> str:
        admin = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
        if admin is None:
            raise CommandError("--register needs an administrator (a superuser) to own it.")
        existing = WebhookEndpoint.objects.filter(url=url).first()
        if existing is None:
            endpoint, secret = services.create_endpoint(
                actor=admin, url=url, event_types=[], description="Local webhook_listen"
            )
        else:
            services.update_endpoint(actor=admin, endpoint_id=existing.pk, enabled=True)
            endpoint, secret = services.rotate_secret(actor=admin, endpoint_id=existing.pk)
        self.stdout.write(f"Registered endpoint #{endpoint.pk} for {url}")
        return secret
