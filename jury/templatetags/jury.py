"""`{% jury_panel campaign %}`: the campaign's jury, criteria, awards and
weights, shown on its page to everyone who can see the campaign."""

from django import template
from django.db.models import Prefetch

from jury.models import Award, Criterion, Juror, Jury

register = template.Library()


@register.inclusion_tag("jury/_panel.html", takes_context=True)
def jury_panel(context, campaign):
    """One query when no jury is set up; four otherwise, whatever its size.
    A juror also finds the way to the jury's page here, the chair to the awards."""
    if campaign is None or campaign.is_box:
        return {"jury": None}
    jury = (
        Jury.objects.filter(campaign=campaign)
        .select_related("campaign")
        .prefetch_related(
            Prefetch("campaign__jurors", queryset=Juror.objects.select_related("user"), to_attr="seated"),
            Prefetch(
                "campaign__criteria", queryset=Criterion.objects.order_by("position", "pk"), to_attr="ordered_criteria"
            ),
            Prefetch("campaign__awards", queryset=Award.objects.order_by("position", "pk"), to_attr="ordered_awards"),
        )
        .first()
    )
    if jury is None or not (jury.campaign.seated or jury.campaign.ordered_criteria or jury.campaign.ordered_awards):
        return {"jury": None}
    user = context.get("user")
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    return {
        "jury": jury,
        "campaign": campaign,
        "seat": next((j for j in jury.campaign.seated if user_id and j.user_id == user_id), None),
        "jurors": jury.campaign.seated,
        "criteria": jury.campaign.ordered_criteria,
        "awards": jury.campaign.ordered_awards,
    }
