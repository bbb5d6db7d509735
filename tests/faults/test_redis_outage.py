"""Redis stopped while people vote and comment (PRODUCT.md, "Reliability";
issue 9, items 5 and 6).

The Redis is the tests' own (broker and cache of the site and of a real
worker). While it is down, every vote is accepted or refused by the rules,
with a clean 4xx and its code, never a 500, and every accepted vote is
stored; comments are saved and their e-mails wait in the outbox. Once Redis
is back, the scheduler's sweep sends them, and each is sent exactly once.
"""

import datetime
import time

from django.test import Client
from django.utils import timezone

import pytest
from rest_framework.test import APIClient

from campaigns import lifecycle
from ideabox.models import OutboxMessage
from ideas.models import Comment
from tests.factories import CampaignFactory, IdeaFactory, UserFactory
from votes.models import Vote

from .harness import sent_mail, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def page_client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_votes_and_comments_while_redis_is_down(workers, redis_server, mail_dir):
    workers.start()
    campaign = CampaignFactory(phase="voting", votes_per_voter=2)
    authors = UserFactory.create_batch(3)
    ideas = [IdeaFactory(campaign=campaign, author=author) for author in authors]
    ana, ben = UserFactory(), UserFactory()

    redis_server.stop()

    answers = []

    def vote(user, idea):
        response = api_for(user).post(f"/api/v1/ideas/{idea.pk}/vote/")
        answers.append(response)
        return response

    assert vote(ana, ideas[0]).status_code == 201
    assert vote(ana, ideas[1]).status_code == 201
    over = vote(ana, ideas[2])
    again = vote(ana, ideas[0])
    own = vote(authors[2], ideas[2])
    page_vote = page_client_for(ben).post(f"/ideas/{ideas[0].pk}/vote/", HTTP_HX_REQUEST="true")
    answers.append(page_vote)
    comments = [
        page_client_for(ana).post(f"/ideas/{ideas[0].pk}/comments/", {"body": "Cheaper than it looks."}),
        page_client_for(ben).post(f"/ideas/{ideas[1].pk}/comments/", {"body": "We tried it at home."}),
    ]
    answers += comments
    withdrawal = api_for(ana).delete(f"/api/v1/ideas/{ideas[1].pk}/vote/")
    answers.append(withdrawal)
    after_withdrawal = vote(ana, ideas[2])

    # Refused by the rules, cleanly, and named; nothing answered a 5xx.
    assert [r.status_code for r in answers if r.status_code >= 500] == []
    assert (over.status_code, over.json()["code"]) == (409, "vote_limit_reached")
    assert (again.status_code, again.json()["code"]) == (409, "already_voted")
    assert (own.status_code, own.json()["code"]) == (403, "own_idea")
    assert page_vote.status_code == 200
    assert [c.status_code for c in comments] == [302, 302]
    assert withdrawal.status_code == 204
    assert after_withdrawal.status_code == 201

    # Every accepted vote is stored, nothing else; the comments are saved.
    assert sorted(Vote.objects.values_list("voter_id", "idea_id")) == sorted(
        [(ana.pk, ideas[0].pk), (ana.pk, ideas[2].pk), (ben.pk, ideas[0].pk)]
    )
    assert Comment.objects.count() == 2
    waiting = OutboxMessage.objects.count()
    assert waiting >= 2, "the comments' e-mails must wait in the outbox"
    assert sent_mail(mail_dir) == []

    # Redis returns; the sweep sends what waited, the worker sends the e-mails.
    redis_server.start()
    report = lifecycle.sweep(now=timezone.now() + datetime.timedelta(minutes=1))
    assert (report.sent, report.refused) == (waiting, False)
    assert not OutboxMessage.objects.exists()

    def comment_mail():
        return sorted(m["To"] for m in sent_mail(mail_dir) if m["To"] in {authors[0].email, authors[1].email})

    assert wait_for(lambda: len(comment_mail()) >= 2, 60), sent_mail(mail_dir)

    # Exactly once: a second sweep has nothing to send, and nothing arrives twice.
    assert lifecycle.sweep(now=timezone.now() + datetime.timedelta(minutes=2)).sent == 0
    time.sleep(2)  # time for a duplicate to arrive, were one sent
    assert comment_mail() == sorted([authors[0].email, authors[1].email])
    recipients = [(m["To"], m["Subject"]) for m in sent_mail(mail_dir)]
    assert len(recipients) == len(set(recipients)), recipients
