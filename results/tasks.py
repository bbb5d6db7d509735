"""The results' Celery tasks: each takes ids, calls one service
(results.services), and is safe to run twice."""

import logging

from celery import shared_task

from ideabox.exceptions import DomainError
from ideas.tasks import RETRY
from jury.tasks import CAMPAIGN_WORK_RETRY

from . import services

log = logging.getLogger(__name__)


@shared_task(name="results.tasks.publish_results", **CAMPAIGN_WORK_RETRY)
def publish_results(campaign_id: int) -> int | None:
    """Queued after a campaign left deliberation (campaigns.lifecycle.AFTER_DELIBERATION_TASK):
    store the results and tell people. Safe to run twice; returns the ranked
    ideas, None when the campaign is gone or not (or not yet) in the results phase."""
    try:
        result = services.publish_results(campaign_id=campaign_id)
    except DomainError as error:
        log.warning("campaign %s: results not published: %s", campaign_id, error)
        return None
    return len(result.rows)


@shared_task(name="results.tasks.announce_results", **RETRY)
def announce_results(campaign_id: int) -> int:
    """Queued by the publication once it committed: e-mail the published
    results, once per person. Returns how many e-mails were queued."""
    return services.announce_results(campaign_id=campaign_id)
