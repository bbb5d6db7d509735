"""The demo site: accounts, campaigns in every phase, the idea box, ideas,
comments and moderation, all made through the services a person would use.

Campaigns are played forward in time: each is created in draft, then moved
phase by phase at the dates of its schedule, and ideas are submitted while
its submission was open (the services take `now`). Everything is keyed by
slug or username, so running it twice adds nothing.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts import entities
from accounts import services as account_services
from accounts.models import Entity, EntityKind, User
from accounts.roles import MANAGERS_GROUP, MODERATORS_GROUP
from campaigns import services as campaign_services
from campaigns.models import Audience, Campaign, Kind, Moderation, Phase
from ideabox.exceptions import DomainError
from ideas import review
from ideas import services as idea_services
from ideas.models import Idea, Status
from jury import award_services, ranking
from jury import services as jury_services
from jury.models import AwardBasis, Criterion, Juror
from moderation import services as moderation
from results import services as result_services
from votes import coauthorship
from votes import services as vote_services

PASSWORD = "ideabox-demo"
EMPLOYEE_DOMAIN = "ideabox.example"
PUBLIC_DOMAIN = "example.org"
DAY = timedelta(days=1)


def demo_accounts() -> list[dict]:
    """The demo accounts that ../shared/PRODUCT.md lists, one dict each."""
    accounts = [
        {"username": "admin", "display_name": "Ada Admin", "superuser": True},
        {"username": "manager", "display_name": "Max Manager", "groups": (MANAGERS_GROUP,)},
        {"username": "moderator", "display_name": "Mona Moderator", "groups": (MODERATORS_GROUP,)},
    ]
    accounts += [{"username": f"jury{n}", "display_name": f"Juror {n}"} for n in range(1, 4)]
    accounts += [{"username": f"employee{n}", "display_name": f"Employee {n}"} for n in range(1, 6)]
    for account in accounts:
        account["email"] = f"{account['username']}@{EMPLOYEE_DOMAIN}"
    accounts += [
        {"username": f"voter{n}", "display_name": f"Voter {n}", "email": f"voter{n}@{PUBLIC_DOMAIN}"}
        for n in range(1, 21)
    ]
    return accounts


def ensure_accounts() -> int:
    """Create the demo accounts that are missing; returns how many were created."""
    created = 0
    for account in demo_accounts():
        _user, was_created = account_services.ensure_user(password=PASSWORD, **account)
        created += was_created
    return created


# --- the company's entities ------------------------------------------------------------

# (code, name, kind, parent's code, headcount): a company of about 1,200
# people in three divisions. Headcounts are the departments' (what the HR
# export gives); a division's is the sum of its departments'.
ENTITIES = [
    ("IDEABOX", "Ideabox Group", EntityKind.COMPANY, "", None),
    ("OPS", "Operations", EntityKind.DIVISION, "IDEABOX", None),
    ("OPS-LOG", "Logistics", EntityKind.DEPARTMENT, "OPS", 310),
    ("OPS-MNT", "Maintenance", EntityKind.DEPARTMENT, "OPS", 220),
    ("OPS-CS", "Customer service", EntityKind.DEPARTMENT, "OPS", 240),
    ("TECH", "Technology", EntityKind.DIVISION, "IDEABOX", None),
    ("TECH-IT", "IT", EntityKind.DEPARTMENT, "TECH", 140),
    ("TECH-RD", "Research and development", EntityKind.DEPARTMENT, "TECH", 110),
    ("TECH-DATA", "Data", EntityKind.DEPARTMENT, "TECH", 45),
    ("CORP", "Corporate services", EntityKind.DIVISION, "IDEABOX", None),
    ("CORP-HR", "Human resources", EntityKind.DEPARTMENT, "CORP", 60),
    ("CORP-FIN", "Finance", EntityKind.DEPARTMENT, "CORP", 75),
]

# Where each demo employee works (the accounts at the employees' domain).
PLACES = {
    "admin": "TECH-IT",
    "manager": "CORP-FIN",
    "moderator": "CORP-HR",
    "jury1": "TECH-RD",
    "jury2": "OPS-CS",
    "jury3": "TECH-DATA",
    "employee1": "OPS-LOG",
    "employee2": "OPS-MNT",
    "employee3": "TECH-IT",
    "employee4": "OPS-CS",
    "employee5": "OPS-LOG",
}


def ensure_entities() -> int:
    """Create the demo entities that are missing (by code; those there are
    kept as they are) and place the demo employees who have no entity yet;
    returns how many entities were created."""
    existing = {entity.code: entity for entity in Entity.objects.all()}
    created = 0
    for code, name, kind, parent, headcount in ENTITIES:
        if code not in existing:
            existing[code] = entities.create_entity(
                actor=None, name=name, code=code, kind=kind, parent=existing.get(parent), headcount=headcount
            )
            created += 1
    for user in User.objects.filter(username__in=PLACES, entity__isnull=True):
        entities.set_person_entity(actor=None, user=user, entity=existing[PLACES[user.username]])
    return created


@dataclass
class CampaignSpec:
    slug: str
    title: str
    theme: str
    phase: str
    # days from now of: submission opens, closes, voting opens, closes, deliberation ends
    days: tuple[int, int, int, int, int]
    ideas: list[tuple[str, str]]
    audience: str = Audience.PUBLIC
    moderation: str = Moderation.POST
    allow_anonymous: bool = False
    votes_per_voter: int | None = None
    categories: tuple[str, ...] = ()
    # A jury set up while the campaign is open for ideas (criteria, awards,
    # weights and jurors); it scores once the campaign deliberates.
    jury: bool = False


CAMPAIGNS = [
    CampaignSpec(
        slug="smart-city-2027",
        title="The smart city of 2027",
        theme="How should the city use data and sensors **for its inhabitants**? Opens soon.",
        phase=Phase.DRAFT,
        days=(10, 40, 40, 54, 68),
        ideas=[],
        categories=("Mobility", "Environment"),
    ),
    CampaignSpec(
        slug="connected-home",
        jury=True,
        title="The connected home",
        theme=(
            "Our customers' homes are filling with devices. Which services would make their life "
            "**simpler, safer or greener**?\n\n- be concrete\n- say who it helps\n- one idea per submission"
        ),
        phase=Phase.SUBMISSION,
        days=(-12, 16, 16, 30, 44),
        allow_anonymous=True,
        votes_per_voter=5,
        categories=("Energy", "Security", "Comfort", "Accessibility"),
        ideas=[
            ("A thermostat that reads the weather forecast", "Pre-heat before a cold night and not after it."),
            ("One app for every device in the house", "Stop juggling five apps for lights, heating and locks."),
            ("Leak alerts under the washing machine", "A cheap sensor that texts you before the floor floods."),
            ("Voice control for people who cannot see the screen", "Every setting reachable by voice, in plain words."),
            ("Monthly energy report in plain language", "What used the most, and one thing to change."),
            ("Door lock that works when the network is down", "Local codes that still open the door."),
            ("Shared shopping list on the fridge", "The whole family adds to it; it syncs with phones."),
            ("Night mode for all lights at once", "Dim everything to a warm glow after 10 pm."),
            ("Solar panel output next to consumption", "See when to run the dishwasher for free."),
            ("A panic button for elderly relatives", "Calls a chosen person and opens the door for help."),
            ("Turn off standby devices when everyone is out", "Plugs learn the routine and cut the waste."),
            ("Guest access that expires", "A code for the plumber, valid Tuesday 9 to 11 only."),
        ],
    ),
    CampaignSpec(
        slug="green-office",
        jury=True,
        title="A greener office",
        theme="Every idea to cut the energy, water and waste of our offices. **Vote for the best ones.**",
        phase=Phase.VOTING,
        days=(-40, -10, -10, 12, 26),
        votes_per_voter=3,
        categories=("Energy", "Waste", "Travel"),
        ideas=[
            ("Lights that follow daylight", "Sensors dim the lamps near the windows."),
            ("Refill stations instead of bottles", "Filtered water taps on every floor."),
            ("Bike repair corner in the car park", "Tools and a pump, open to everyone."),
            ("Print only on request at the printer", "Jobs wait until you badge, so nothing is forgotten."),
            ("Compost for the canteen", "Food waste becomes compost for the garden."),
            ("A second-hand market for office furniture", "Teams swap desks and chairs instead of buying."),
            ("Heating off on Friday afternoons", "Most people work from home then."),
            ("Train before plane under 600 km", "Travel policy books the train by default."),
            ("Shared electric cars for site visits", "Two cars booked through the intranet."),
            ("Plants on every floor", "Better air and a nicer place to work."),
        ],
    ),
    CampaignSpec(
        slug="future-of-mobility",
        jury=True,
        title="The future of mobility",
        theme="How will people move around the region in ten years? The jury is deliberating.",
        phase=Phase.DELIBERATION,
        days=(-60, -30, -30, -5, 9),
        categories=("Public transport", "Cycling", "Walking"),
        ideas=[
            ("Night buses on demand", "Book a stop from your phone after midnight."),
            ("Protected bike lanes on main roads", "A kerb between cars and bikes."),
            ("One ticket for bus, train and bike", "A single pass for every mode."),
            ("Car-free school streets", "Streets close to cars at the school gates."),
            ("Real-time crowding on trains", "Choose the emptier carriage before boarding."),
            ("Covered bike parking at stations", "Safe, dry parking where the train leaves."),
            ("Benches every 200 metres", "Walking is easier for older people."),
            ("Car-pooling for the industrial park", "Match colleagues who live near each other."),
        ],
    ),
    CampaignSpec(
        slug="customer-experience",
        jury=True,
        title="Customer experience 2026",
        theme="Ideas to make every contact with us a good one. Results are published.",
        phase=Phase.RESULTS,
        days=(-120, -90, -90, -70, -50),
        categories=("Support", "Shops", "Online"),
        ideas=[
            ("Call back instead of waiting on hold", "Leave your number, we call within the hour."),
            ("A live status page for outages", "Know what is wrong before calling."),
            ("Plain-language bills", "One page, no jargon, what you pay and why."),
            ("Chat with a person, not a bot, on request", "A button that skips the bot."),
            ("Appointments in shops", "Book a time slot and skip the queue."),
            ("Follow your repair like a parcel", "Every step of a repair, online."),
        ],
    ),
    CampaignSpec(
        slug="paperless-2025",
        jury=True,
        title="Paperless 2025",
        theme="Last year's campaign to stop printing. Archived.",
        phase=Phase.ARCHIVED,
        days=(-400, -370, -370, -350, -330),
        ideas=[
            ("Sign contracts electronically", "No more printing to sign and scan."),
            ("Digital pay slips", "Pay slips in a secure online space."),
            ("Scan the archives once", "Old files searchable, boxes recycled."),
        ],
    ),
    CampaignSpec(
        slug="internal-tools",
        title="Better internal tools",
        theme="For employees only: which tool slows you down, and how would you fix it? Ideas are published once a moderator approves them.",
        phase=Phase.SUBMISSION,
        days=(-7, 21, 21, 35, 49),
        audience=Audience.INTERNAL,
        moderation=Moderation.PRE,
        categories=("Intranet", "HR", "IT"),
        ideas=[
            ("One login for every internal tool", "Single sign-on instead of six passwords."),
            ("Expense claims from a photo", "Snap the receipt, the form fills itself."),
            ("Book a desk from the calendar", "Desk booking inside the meeting invite."),
            ("Search that finds documents by content", "Find the policy without knowing its name."),
            ("A status page for IT incidents", "Know when the VPN is down and when it is back."),
            ("Holiday requests in two clicks", "Pick the dates, the manager approves on mobile."),
        ],
    ),
]

BOX_IDEAS = [
    ("Quiet room on every floor", "A room with no phones for focused work."),
    ("Standing desks on request", "Ask once, get one within a month."),
    ("Onboarding buddy for newcomers", "A colleague to ask the small questions."),
    ("Publish the canteen menu a week ahead", "Plan lunches and reduce waste."),
    ("Badge that opens every site", "One badge for all our buildings."),
    ("Share meeting notes automatically", "Notes go to everyone invited, absent or not."),
    ("Fix the coffee machine on floor 3", "It has been broken for a month."),
    ("Secure bike parking at the north site", "Bikes get stolen from the open racks."),
    ("Lunch-and-learn sessions", "Colleagues teach what they know, once a month."),
    ("Mentoring across departments", "Pair people from different teams."),
    ("A shared calendar of company events", "One place for every event."),
    ("Electric car chargers in the car park", "Four chargers to start with."),
    ("Better coffee beans", "Local roaster, fair trade."),
    ("Internal job board", "See open positions before they go outside."),
    ("Ergonomic check for home workers", "A visit or a video call to set up the desk."),
    ("Recycle old laptops through a charity", "Wipe them and give them a second life."),
    ("Meeting-free Wednesday mornings", "Time to work without interruptions."),
    ("Translate the intranet into English", "Half of our colleagues do not read French."),
    ("Showers for people who cycle to work", "Two showers in the basement."),
    ("Napping pods", "Twenty minutes of rest after lunch."),
    ("Clear signs to the meeting rooms", "Visitors get lost every day."),
    ("Hot-desking map in real time", "See which desks are free right now."),
    ("Recognition wall for team successes", "Thank colleagues in public."),
    ("Refill station for the reusable cups", "Stop the paper cups."),
]

COMMENTS = [
    "Great idea, I would use it every day.",
    "How much would this cost?",
    "We tried something similar in my previous company: it worked well.",
    "I am not convinced: who would maintain it?",
    "+1, especially for people with reduced mobility.",
    "Could it work for the other sites too?",
    "Simple and useful. Let's do it.",
    "There is a similar idea already, maybe they could be merged.",
]


DEVICES = ["lamp", "heater", "door", "window", "oven", "camera", "speaker", "blind", "fridge", "boiler"]
BENEFITS = [
    ("that saves energy at night", "Uses the quiet hours to cut the bill."),
    ("that warns a neighbour", "Someone nearby knows when something goes wrong."),
    ("you can lend to a guest", "Temporary access without sharing a password."),
    ("that explains itself", "Every setting says what it does in plain words."),
    ("that works offline", "Keeps working when the internet is down."),
    ("for people with low vision", "Large contrast and voice feedback."),
]


def generated_ideas(count: int) -> list[tuple[str, str]]:
    """More ideas for the open campaign, so its list has pages to browse."""
    combos = [(d, b) for b in BENEFITS for d in DEVICES]
    return [(f"A {device} {benefit}", summary) for device, (benefit, summary) in combos[:count]]


# --- the jury ---------------------------------------------------------------------------

JURORS = ("jury1", "jury2", "jury3")  # jury1 chairs
CRITERIA = [
    ("Innovation", 2, "Is it new, for us or for the market? Not a copy of what exists."),
    ("Feasibility", 1, "Could a small team build a first version within a year, with what we have?"),
    ("Customer value", 2, "How many people it helps, and how much it changes their day."),
]
AWARDS = [
    ("Grand prize", AwardBasis.JURY, "€5,000 and six months with a team to build a pilot."),
    ("Public's choice", AwardBasis.PUBLIC, "A trip for the authors to present the idea at our annual conference."),
    ("Special mention", AwardBasis.JURY, "A workshop day with our design team."),
]
PUBLIC_WEIGHT = Decimal("0.40")
SPECIAL_MENTION_JUSTIFICATION = (
    "Not the highest score, but the idea the jury discussed the longest: it costs almost nothing to try, "
    "and the jury wants to encourage small ideas like it."
)


def _set_up_jury(campaign: Campaign, *, manager: User) -> None:
    """What a manager sets up before voting opens, through the jury services."""
    jury_services.update_jury(campaign=campaign, by=manager, public_weight=PUBLIC_WEIGHT)
    for name, weight, description in CRITERIA:
        jury_services.add_criterion(campaign=campaign, by=manager, name=name, description=description, weight=weight)
    for name, basis, prize in AWARDS:
        jury_services.add_award(campaign=campaign, by=manager, name=name, basis=basis, prize=prize)
    for username in JURORS:
        jury_services.add_juror(campaign=campaign, by=manager, who=username, chair=username == "jury1")


def _demo_score(*, idea_index: int, juror_index: int, criterion_index: int) -> int:
    """Scores that differ from idea to idea and juror to juror, the same on
    every run; jury2 is much harsher than jury1 on every fourth idea, so the
    jury page has ideas flagged for discussion."""
    base = 4 - idea_index % 4
    harsh = 3 if juror_index == 1 and idea_index % 4 == 1 else 0
    return max(0, min(5, base - harsh + (criterion_index + juror_index * 2 + idea_index) % 3 - 1))


def _score(campaign: Campaign, *, complete: bool, start, end) -> None:
    """The jurors score the shortlist between `start` and `end`.

    complete: every juror scores every idea, except one conflict of interest.
    Otherwise part way through: jury1 finished, jury2 half way (with one
    conflict of interest declared), jury3 not started.
    """
    campaign = Campaign.objects.get(pk=campaign.pk)
    ideas = list(ranking.shortlist(campaign).order_by("pk"))
    criteria = list(Criterion.objects.filter(campaign=campaign).order_by("position", "pk"))
    jurors = {j.user.username: j.user for j in Juror.objects.filter(campaign=campaign).select_related("user")}
    plan = {"jury1": len(ideas), "jury2": len(ideas) if complete else (len(ideas) + 1) // 2, "jury3": len(ideas)}
    if not complete:
        plan["jury3"] = 0
    conflicted = ("jury3" if complete else "jury2", ideas[-1].pk if complete else ideas[0].pk) if ideas else None
    steps = sum(plan.values()) + 2
    step = 0
    for juror_index, username in enumerate(JURORS):
        user = jurors[username]
        for idea_index, idea in enumerate(ideas[: plan[username]]):
            step += 1
            when = start + (end - start) * step / steps
            if conflicted == (username, idea.pk):
                jury_services.declare_conflict(
                    campaign=campaign,
                    user=user,
                    idea=idea,
                    reason="I advised the author's team on this project last year.",
                    now=when,
                )
                continue
            scores = {
                criterion.pk: _demo_score(idea_index=idea_index, juror_index=juror_index, criterion_index=n)
                for n, criterion in enumerate(criteria)
            }
            comment = "Clear and easy to pilot." if (idea_index + juror_index) % 3 == 0 else ""
            jury_services.save_evaluation(
                campaign=campaign, user=user, idea=idea, scores=scores, comment=comment, now=when
            )


def _decide_awards(campaign: Campaign, *, now) -> None:
    """The chair confirms the jury awards: the Grand prize to the top-ranked
    idea that may win it, the Special mention to a lower-ranked idea, with a
    justification (the Public's choice was decided by the votes, from the
    tally, when voting closed: its idea is taken)."""
    campaign = Campaign.objects.get(pk=campaign.pk)
    chair = User.objects.get(username="jury1")
    view = award_services.overview(campaign)
    standings = view.standings
    awards = {award.name: award for award in view.awards}
    if not standings:
        return
    grand = next(s.idea for s in standings if s.idea.pk == view.suggestions[awards["Grand prize"].pk])
    award_services.decide_award(award=awards["Grand prize"], by=chair, winner=grand, now=now)
    # Below the top of the ranking, and not an idea that won already.
    taken = (grand.pk, awards["Public's choice"].winner_id)
    candidates = [s.idea for s in standings[2:] if s.idea.pk not in taken]
    if candidates:
        award_services.decide_award(
            award=awards["Special mention"],
            by=chair,
            winner=candidates[-1],
            justification=SPECIAL_MENTION_JUSTIFICATION,
            now=now,
        )


def _schedule(days: tuple[int, ...], now) -> dict:
    names = ("submission_opens", "submission_closes", "voting_opens", "voting_closes", "deliberation_ends")
    return {name: now + offset * DAY for name, offset in zip(names, days, strict=True)}


def _vote(campaign: Campaign, *, voters: list[User], opens, closes) -> None:
    """Each voter supports a few ideas, more for the first ideas (so the
    ranking is not flat), within the campaign's limit."""
    ideas = list(campaign.ideas.filter(approved=True, hidden=False).order_by("pk"))
    span = closes - opens
    for n, voter in enumerate(voters):
        wanted = ideas[n % 3 :: 2][: 2 + n % 4]
        for k, idea in enumerate(wanted):
            try:
                vote_services.cast_vote(
                    voter=voter, idea=idea, now=opens + span * (n * 5 + k + 1) / (len(voters) * 5 + 10)
                )
            except DomainError:
                continue  # their own idea, or their votes are spent: as on the site


def _play_campaign(
    spec: CampaignSpec, *, manager: User, authors: list[User], commenters: list[User], voters: list[User], now
) -> int:
    """Create one campaign and live its history up to its phase; returns the ideas made."""
    schedule = _schedule(spec.days, now)
    campaign = campaign_services.create_campaign(
        by=manager,
        title=spec.title,
        slug=spec.slug,
        theme=spec.theme,
        audience=spec.audience,
        moderation=spec.moderation,
        allow_anonymous=spec.allow_anonymous,
        votes_per_voter=spec.votes_per_voter,
        **schedule,
    )
    for name in spec.categories:
        campaign_services.add_category(campaign=campaign, by=manager, name=name)
    if spec.jury:
        _set_up_jury(campaign, manager=manager)
    if spec.phase == Phase.DRAFT:
        return 0
    campaign_services.transition_campaign(
        campaign=campaign, to=Phase.SUBMISSION, by=manager, now=schedule["submission_opens"]
    )
    categories = list(campaign.categories.all())
    window = min(schedule["submission_closes"], now) - schedule["submission_opens"]
    made = 0
    for index, (title, summary) in enumerate(spec.ideas):
        author = authors[index % len(authors)]
        # Every fourth idea names a colleague as co-author, who accepts below.
        coauthor = authors[(index + 1) % len(authors)] if index % 4 == 1 else None
        submitted = schedule["submission_opens"] + window * (index + 1) / (len(spec.ideas) + 1)
        idea = idea_services.submit_idea(
            campaign=campaign,
            author=author,
            title=title,
            summary=summary,
            body=(
                "**Why it matters:** it saves time and it is simple to try.\n\n"
                "How to start:\n\n1. a pilot with a few volunteers\n2. measure what changed after a month\n"
                "3. extend it if it works"
            ),
            category=categories[index % len(categories)] if categories else None,
            tags=("pilot", "quick win")[: 1 + index % 2],
            anonymous=spec.allow_anonymous and index % 5 == 4,
            coauthors=[coauthor.username] if coauthor else (),
            now=submitted,
        )
        made += 1
        if spec.moderation == Moderation.PRE and index % 3 != 2:
            # Most approved; a third still wait in the moderation queue.
            moderation.approve_idea(idea=idea, by=_moderator())
            idea.refresh_from_db()
        if coauthor and idea.approved:
            coauthorship.accept(idea=idea, user=coauthor, now=submitted + (window / (len(spec.ideas) + 1)) / 2)
        if idea.approved:
            for n in range(index % 4):
                idea_services.add_comment(
                    idea=idea,
                    author=commenters[(index + n) % len(commenters)],
                    body=COMMENTS[(index + n) % len(COMMENTS)],
                )
    for to, boundary in (
        (Phase.VOTING, "voting_opens"),
        (Phase.DELIBERATION, "voting_closes"),
        (Phase.RESULTS, "deliberation_ends"),
    ):
        if list(Phase.values).index(spec.phase) < list(Phase.values).index(to):
            break
        if to == Phase.RESULTS and spec.jury:
            # The jury finishes before deliberation ends: leaving it needs every award decided.
            _score(campaign, complete=True, start=schedule["voting_closes"], end=schedule["deliberation_ends"] - DAY)
            _decide_awards(campaign, now=schedule["deliberation_ends"] - DAY / 2)
        campaign_services.transition_campaign(campaign=campaign, to=to, by=None, now=schedule[boundary])
        if to == Phase.VOTING:
            _vote(campaign, voters=voters, opens=schedule["voting_opens"], closes=min(schedule["voting_closes"], now))
        if to == Phase.DELIBERATION:
            # What the scheduler's hand-over does after commit (the tally, and
            # the public awards decided from it), done now so the demo's tally
            # pages are there at once (it is idempotent).
            award_services.tally_and_decide_public_awards(campaign_id=campaign.pk, now=schedule["voting_closes"])
            if spec.jury and spec.phase == Phase.DELIBERATION:
                _score(campaign, complete=False, start=schedule["voting_closes"], end=now)
        if to == Phase.RESULTS:
            # Likewise the publication the move queues after commit (idempotent).
            result_services.publish_results(campaign_id=campaign.pk, now=schedule[boundary])
    if spec.phase == Phase.ARCHIVED:
        campaign_services.transition_campaign(campaign=campaign, to=Phase.ARCHIVED, by=manager, now=now)
    return made


def _moderator() -> User:
    return User.objects.get(username="moderator")


def _fill_box(*, employees: list[User], commenters: list[User], now) -> int:
    box = Campaign.objects.get(kind=Kind.BOX)
    if box.ideas.exists():
        return 0
    reviewer = _moderator()
    made = 0
    for index, (title, summary) in enumerate(BOX_IDEAS):
        # Spread over the last two months; the oldest have been answered.
        idea = idea_services.submit_idea(
            campaign=box,
            author=employees[index % len(employees)],
            title=title,
            summary=summary,
            body="I think it would help many of us. Happy to help set it up.",
            tags=("workplace",),
            # A co-author who accepted, and an invitation employee2 has still to answer (/ideas/invitations/).
            coauthors={1: ["employee3"], 4: ["employee2"]}.get(index, ()),
            now=now - (60 - index * 2.4) * DAY,
        )
        made += 1
        if index == 1:
            coauthorship.accept(idea=idea, user=User.objects.get(username="employee3"), now=now - 55 * DAY)
        for n in range(index % 3):
            idea_services.add_comment(
                idea=idea, author=commenters[(index + n) % len(commenters)], body=COMMENTS[(index + n) % len(COMMENTS)]
            )
        kind = index % 6
        if kind in (1, 2):
            review.change_status(idea=idea, to=Status.ACCEPTED, by=reviewer)
        if kind == 2:
            review.change_status(idea=Idea.objects.get(pk=idea.pk), to=Status.IMPLEMENTED, by=reviewer)
        if kind == 3:
            review.change_status(
                idea=idea,
                to=Status.REJECTED,
                by=reviewer,
                reason="We looked into it: the building's lease does not allow it. Thank you for the suggestion.",
            )
        # kind 0, 4, 5: still under review; the oldest of them are overdue.
    # Colleagues support the ideas they like: the box is always open to votes.
    _vote(box, voters=employees + [reviewer], opens=now - DAY, closes=now)
    return made


def _moderation_examples(*, reporter: User) -> None:
    """A report waiting in the queue and a hidden comment, so the moderation pages are not empty."""
    campaign = Campaign.objects.get(slug="connected-home")
    idea = campaign.ideas.order_by("pk").first()
    if idea is not None and not idea.reports.exists():
        moderation.report_idea(reporter=reporter, target=idea, reason="This looks like an advertisement for a product.")
    comment = (
        campaign.ideas.order_by("-pk").first().comments.order_by("pk").first() if campaign.ideas.exists() else None
    )
    if comment is not None and not comment.hidden:
        moderation.hide_comment(comment=comment, by=_moderator(), reason="Off-topic.")


def seed(*, extra_ideas: int = 48, progress=lambda items, total, label: items) -> dict:
    """Everything the demo site shows. Returns counts of what was created.

    `extra_ideas` generated ideas join the campaign open for submissions.
    """
    # People are placed before they write: each idea remembers its author's entity.
    created = {"accounts": ensure_accounts(), "entities": ensure_entities(), "campaigns": 0, "ideas": 0}
    now = timezone.now()
    manager = User.objects.get(username="manager")
    voters = list(User.objects.filter(username__startswith="voter").order_by("pk"))
    employees = list(User.objects.filter(username__startswith="employee").order_by("pk"))
    todo = [spec for spec in CAMPAIGNS if not Campaign.objects.filter(slug=spec.slug).exists()]
    for spec in todo:
        if spec.phase == Phase.SUBMISSION and spec.audience == Audience.PUBLIC:
            spec.ideas = spec.ideas + generated_ideas(extra_ideas)
    for spec in progress(todo, total=len(todo), label="campaigns"):
        internal = spec.audience == Audience.INTERNAL
        authors = employees if internal else voters[:12]
        commenters = employees if internal else voters[8:]
        created["ideas"] += _play_campaign(
            spec, manager=manager, authors=authors, commenters=commenters, voters=commenters, now=now
        )
        created["campaigns"] += 1
    created["ideas"] += _fill_box(employees=employees, commenters=employees + [manager], now=now)
    _moderation_examples(reporter=voters[-1])
    return created
