"""Who may see and do what in a campaign's jury.

Jury membership is per campaign. A juror sees the campaign's jury pages even
when the campaign itself is hidden from them (a juror from outside the
company on an internal campaign); managers run every jury; the chair (or a
manager) decides the awards. Anything else is a 404, never a 403.
"""

from django.db.models import Q
from django.http import Http404

from accounts import roles
from campaigns.models import Campaign, Kind

from .models import Juror


def seat(campaign: Campaign, user) -> Juror | None:
    """The user's seat on this campaign's jury, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Juror.objects.filter(campaign=campaign, user=user).first()


def jury_campaigns(user):
    """Challenges whose jury pages this user may open: every one for a
    manager, those they sit on for a juror."""
    challenges = Campaign.objects.filter(kind=Kind.CHALLENGE)
    if roles.is_manager(user):
        return challenges
    if not getattr(user, "is_authenticated", False):
        return challenges.none()
    return challenges.filter(jurors__user=user).distinct()


def jury_campaign_or_404(slug: str, user) -> Campaign:
    campaign = jury_campaigns(user).filter(slug=slug).first()
    if campaign is None:
        raise Http404
    return campaign


def visible_or_seated(user):
    """Campaigns this user may see at all, plus those they judge."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.visible_to(user)
    return Campaign.objects.filter(
        Q(pk__in=Campaign.objects.visible_to(user).values("pk")) | Q(jurors__user=user)
    ).distinct()


def _manager_or_chair(campaign: Campaign, user) -> bool:
    if roles.is_manager(user):
        return True
    juror = seat(campaign, user)
    return juror is not None and juror.is_chair


def may_see_progress(campaign: Campaign, user) -> bool:
    """Scoring progress: managers, and the chair (read-only)."""
    return _manager_or_chair(campaign, user)


def may_decide_awards(campaign: Campaign, user) -> bool:
    """The award decisions: managers, and the chair."""
    return _manager_or_chair(campaign, user)
