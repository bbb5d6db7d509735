"""Receipts: a keyed hash naming a vote, never its voter."""

import hashlib
import hmac
import re

from django.test import override_settings

import pytest

from tests.factories import IdeaFactory, UserFactory
from tests.votes.test_cast import voting_campaign
from votes import receipts, services

pytestmark = pytest.mark.django_db


def test_a_receipt_is_64_hexadecimal_characters():
    assert re.fullmatch(r"[0-9a-f]{64}", receipts.new_receipt(campaign_id=1, idea_id=2))


def test_receipts_are_unique_even_for_the_same_idea():
    assert len({receipts.new_receipt(campaign_id=1, idea_id=2) for _ in range(1000)}) == 1000


def test_every_vote_stores_its_own_receipt():
    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    votes = [services.cast_vote(voter=UserFactory(), idea=idea)[0] for _ in range(5)]
    assert len({v.receipt for v in votes}) == 5


def test_a_receipt_cannot_be_recomputed_from_the_voter():
    """Whoever holds the key and every id still cannot link a receipt to a
    voter: the voter is not an input, and the nonce is not kept."""
    campaign = voting_campaign()
    idea = IdeaFactory(campaign=campaign)
    voter = UserFactory()
    vote = services.cast_vote(voter=voter, idea=idea)[0]
    key = receipts.receipt_key()
    guesses = set()
    for parts in [
        [str(voter.pk)],
        [str(voter.pk), str(campaign.pk), str(idea.pk)],
        [str(campaign.pk), str(idea.pk), str(voter.pk)],
        [voter.username],
        [receipts.RECEIPT_VERSION.decode(), str(voter.pk), str(campaign.pk), str(idea.pk)],
    ]:
        message = "|".join(parts).encode()
        guesses.add(hmac.new(key, message, hashlib.sha256).hexdigest())
        guesses.add(hashlib.sha256(message).hexdigest())
    assert vote.receipt not in guesses
    # Two votes of the same person look unrelated.
    other = services.cast_vote(voter=voter, idea=IdeaFactory(campaign=campaign))[0]
    assert vote.receipt[:8] != other.receipt[:8]


def test_the_key_is_derived_from_the_secret_key_but_is_not_it(settings):
    settings.VOTE_RECEIPT_KEY = ""
    derived = receipts.receipt_key()
    assert len(derived) == 32
    assert derived != settings.SECRET_KEY.encode()
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789"):
        assert receipts.receipt_key() != derived


def test_a_dedicated_key_setting_wins(settings):
    settings.VOTE_RECEIPT_KEY = "a dedicated receipt key"
    assert receipts.receipt_key() == b"a dedicated receipt key"
