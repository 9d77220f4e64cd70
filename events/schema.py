"""The event catalogue in the OpenAPI schema, as OpenAPI 3.1 webhooks: one entry per event type,
the body we POST (the envelope with that type's payload, its fields and an example) and what
the receiver answers. A postprocessing hook, since the catalogue is filled by the apps at
start-up and drf-spectacular's WEBHOOKS setting takes fixed import paths."""

from __future__ import annotations

from typing import Any

from .catalogue import EventType, catalogue

HEADERS = {
    "webhook-id": "The event's id (evt_...), the same on every retry: your idempotency key.",
    "webhook-timestamp": "Seconds since the epoch when this attempt was signed.",
    "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`; two "
    "while a rotated secret is still valid.",
}


def _type_of(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if value is None:
        return {"type": ["integer", "null"]}
    return {"type": "string"}


def _body(kind: EventType) -> dict[str, Any]:
    data = {
        "type": "object",
        "properties": {name: _type_of(value) for name, value in kind.example.items()},
        "required": sorted(kind.example),
    }
    return {
        "type": "object",
        "required": ["id", "type", "version", "timestamp", "subject", "data"],
        "properties": {
            "id": {"type": "string", "example": "evt_2f1c0b4e9d8a4f7e8c3b1a0d9e8f7a6b"},
            "type": {"type": "string", "const": kind.name},
            "version": {"type": "integer", "const": kind.version},
            "timestamp": {"type": "string", "format": "date-time"},
            "subject": {"type": "string", "example": f"{kind.subject}:42"},
            "data": data,
        },
    }


def webhook_entry(kind: EventType) -> dict[str, Any]:
    example = {
        "id": "evt_2f1c0b4e9d8a4f7e8c3b1a0d9e8f7a6b",
        "type": kind.name,
        "version": kind.version,
        "timestamp": "2026-12-14T13:18:00+00:00",
        "subject": f"{kind.subject}:{next(iter(kind.example.values()))}",
        "data": kind.example,
    }
    return {
        "post": {
            "summary": kind.summary,
            "operationId": f"webhook_{kind.name.replace('.', '_')}",
            "tags": ["webhooks"],
            "parameters": [
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": text,
                }
                for name, text in HEADERS.items()
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _body(kind), "example": example}},
            },
            "responses": {
                "2XX": {"description": "Received: the delivery is done."},
                "410": {"description": "Gone: the endpoint is disabled, nothing more is sent."},
                "default": {"description": "Anything else: retried on the schedule."},
            },
        }
    }


def add_webhooks(result, generator, request, public):
    """Put every catalogued event type under `webhooks`."""
    result["webhooks"] = {kind.name: webhook_entry(kind) for kind in catalogue()}
    return result
