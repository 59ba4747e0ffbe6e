"""Webhook signatures as Standard Webhooks (standardwebhooks.com) defines them, so receivers
can verify deliveries with that spec's libraries.

Secrets are ``whsec_`` + base64 of 24 random bytes; the HMAC key is the decoded bytes.
A delivery carries ``webhook-id`` (the same on every retry: receivers drop duplicates by it),
``webhook-timestamp`` (Unix seconds of this attempt: receivers refuse old replays) and
``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": signature(secret, message_id, timestamp, body),
            "Content-Type": "application/json"}
