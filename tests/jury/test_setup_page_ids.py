"""The jury setup page's forms sit side by side: each field has an id of its
own, so that each label ("Name" of a criterion, "Name" of an award) names its
own field (found by the manager's browser journey: the award's Name was the
criterion's)."""

import re
from collections import Counter

from django.urls import reverse

import pytest

from campaigns.models import Phase
from jury.models import Award, AwardBasis, Criterion
from tests.factories import CampaignFactory, user_with_role

pytestmark = pytest.mark.django_db


def ids_of(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


@pytest.mark.parametrize("data", [{}, {"action": "add_criterion", "name": ""}, {"action": "add_award", "name": ""}])
def test_every_id_on_the_setup_page_is_unique(client, data):
    campaign = CampaignFactory(phase=Phase.SUBMISSION)
    Criterion.objects.create(campaign=campaign, name="Impact", weight=2, position=0)
    Award.objects.create(campaign=campaign, name="Grand prize", basis=AwardBasis.JURY, position=0)
    client.force_login(user_with_role("manager"))
    url = reverse("jury:setup", args=[campaign.slug])
    response = client.post(url, data) if data else client.get(url)
    html = response.content.decode()
    assert {name: n for name, n in ids_of(html).items() if n > 1} == {}
    for name in ("id_criterion_name", "id_award_name"):
        assert f'for="{name}"' in html and f'id="{name}"' in html
