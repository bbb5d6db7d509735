"""Vote receipts: a keyed hash that names a vote without naming its voter.

The scheme (version 1):

    key     = settings.VOTE_RECEIPT_KEY, or, when it is not set,
              HMAC-SHA256(SECRET_KEY, "ideabox.votes.receipt-key.v1")
    nonce   = 16 random bytes (128 bits) from the operating system
    receipt = hex(HMAC-SHA256(key, "v1|" + nonce + "|" + campaign id + "|" + idea id))

64 hexadecimal characters, stored on the Vote (unique). The nonce is
thrown away once the receipt is computed, and the voter is not part of the
input at all: the receipt is a random-looking name for one vote row that
the voter is shown (and can look up on their page) and that the published
(receipt, idea) list carries. Whoever holds the published list, even with
the key and every account id, cannot tell whose vote a receipt is: there is
nothing left to recompute it from. Only the database row links a receipt to
its voter, and that link is never published.

The key makes receipts unforgeable as a set: a receipt is bound to the
campaign and idea the vote was cast for, at the moment it was cast, by
someone holding the key (the site). When a merge moves a vote to another
idea, its receipt stays, so a voter still finds their vote (now counted on
the target idea) in the published list.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

RECEIPT_VERSION = b"v1"
KEY_CONTEXT = b"ideabox.votes.receipt-key.v1"
NONCE_BYTES = 16
RECEIPT_LENGTH = 64


def receipt_key() -> bytes:
    """The HMAC key: the dedicated setting, or one derived from SECRET_KEY
    (so that the receipt key is never the SECRET_KEY itself)."""
    configured = getattr(settings, "VOTE_RECEIPT_KEY", "")
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    return hmac.new(settings.SECRET_KEY.encode(), KEY_CONTEXT, hashlib.sha256).digest()


def new_receipt(*, campaign_id: int, idea_id: int) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    message = b"|".join([RECEIPT_VERSION, nonce, str(campaign_id).encode(), str(idea_id).encode()])
    return hmac.new(receipt_key(), message, hashlib.sha256).hexdigest()
