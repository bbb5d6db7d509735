"""Jury API under /api/v1/ (url names `jury-...` and `awards-...`, in jury/api_urls.py).

Jurors and managers:
  GET  campaigns/{slug}/jury/ideas/               the shortlist as the caller scores it (paginated)
  PUT  campaigns/{slug}/jury/scores/{idea_id}/    {"scores": {"<criterion id>": 0-5 | null}, "comment": "..."}
  POST campaigns/{slug}/jury/conflicts/{idea_id}/ {"reason": "..."}: declare a conflict of interest
Managers and the chair:
  GET  campaigns/{slug}/jury/progress/
Managers, during deliberation:
  GET/POST campaigns/{slug}/jury/wildcards/, DELETE .../wildcards/{id}/, POST .../jury/reminders/
Anyone who may see the campaign (managers write):
  GET/PUT campaigns/{slug}/jury-setup/
  POST campaigns/{slug}/jury-setup/jurors/, PATCH/DELETE .../jurors/{id}/
  POST campaigns/{slug}/jury-setup/criteria/, PATCH/DELETE .../criteria/{id}/, PUT .../criteria/order/
  POST campaigns/{slug}/jury-setup/awards/, PATCH/DELETE .../awards/{id}/, PUT .../awards/order/
Managers and the campaign's jurors (read), the chair and managers (write):
  GET    campaigns/{slug}/jury/awards/                 the awards, their decisions and the live ranking
  PUT    campaigns/{slug}/jury/awards/{award_id}/      {"winner": idea id, "justification": "..."}
  DELETE campaigns/{slug}/jury/awards/{award_id}/      take the decision back (204)
Public awards are decided by the votes, from the tally, when voting closes
(jury.services): never by hand, so PUT and DELETE refuse them. The ranking
is the shortlist (N ideas plus wildcards), so it is returned whole rather
than paginated.

A campaign the caller may not see, or whose jury pages they may not open,
is a 404; a juror who is not the chair gets 403 `permission_denied` on the
award writes.

Every response is rendered by an output serializer from what the services
and selectors return (the schema is what is sent); what depends on the
caller (blind review hides votes and authors) comes in the serializer's
context: `hides_votes`, `viewer`.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.serializers import PersonSerializer
from campaigns.models import Kind
from campaigns.services import require_manager
from ideabox.api import Pagination, refusals
from ideas.api import author_for
from ideas.models import Idea

from . import award_services, selectors, services
from .access import jury_campaign_or_404, may_decide_awards, may_see_progress, seat, visible_or_seated
from .models import SCALE_MAX, Award, AwardBasis, Criterion, Juror, Wildcard

# --- output serializers ------------------------------------------------------------------------


class JuryIdeaSerializer(serializers.Serializer):
    # A juror's card (jury.selectors.Card).
    id = serializers.IntegerField(source="idea.pk")
    title = serializers.CharField(source="idea.title")
    summary = serializers.CharField(source="idea.summary")
    status = serializers.CharField(source="idea.status")
    author = serializers.SerializerMethodField(
        help_text=_("Null in blind review, and on an anonymous idea for whoever may not learn who wrote it."),
    )
    votes = serializers.SerializerMethodField(help_text=_("Votes in the tally; null in blind review."))
    scores = serializers.SerializerMethodField(help_text=_("Your scores: {criterion id: 0-5}."))
    comment = serializers.CharField(allow_blank=True)
    conflict = serializers.BooleanField(help_text=_("You declared a conflict of interest."))
    own = serializers.BooleanField(help_text=_("You wrote or co-wrote it."))
    can_score = serializers.BooleanField()
    marks = serializers.IntegerField(help_text=_("How many jurors scored it."))
    disputed = serializers.BooleanField(help_text=_("The jurors' scores spread more than the threshold."))

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, card) -> dict | None:
        return None if self.context["hides_votes"] else author_for(card.idea, self.context["viewer"])

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, card) -> int | None:
        return None if self.context["hides_votes"] else card.votes

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_scores(self, card) -> dict[str, int]:
        return {str(pk): value for pk, value in card.scores.items()}


class EvaluationSerializer(serializers.Serializer):
    idea = serializers.IntegerField(source="idea_id")
    scores = serializers.SerializerMethodField()
    comment = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_scores(self, evaluation) -> dict[str, int]:
        return {str(s.criterion_id): s.value for s in evaluation.scores.all()}


class ConflictSerializer(serializers.Serializer):
    idea = serializers.IntegerField(source="idea_id")
    reason = serializers.CharField(allow_blank=True)
    declared_at = serializers.DateTimeField()


class JurorProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="juror.pk")
    display_name = serializers.CharField(source="juror.user.public_name")
    is_chair = serializers.BooleanField(source="juror.is_chair")
    given = serializers.IntegerField()
    expected = serializers.IntegerField()
    finished = serializers.BooleanField()


class IdeaProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="idea.pk")
    title = serializers.CharField(source="idea.title")
    votes = serializers.SerializerMethodField(help_text=_("Null for the chair in blind review."))
    marks = serializers.IntegerField()
    jury_average = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    spread = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    disputed = serializers.BooleanField()
    finished = serializers.IntegerField(help_text=_("Jurors who scored every criterion."))
    eligible = serializers.IntegerField(help_text=_("Jurors who may score it."))
    wildcard = serializers.SerializerMethodField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, row) -> int | None:
        return None if self.context["hides_votes"] else row.votes

    @extend_schema_field(serializers.BooleanField())
    def get_wildcard(self, row) -> bool:
        return row.wildcard is not None


class ProgressSerializer(serializers.Serializer):
    # jury.selectors.Progress; context: `scoring_open`, `hides_votes`.
    given = serializers.IntegerField()
    expected = serializers.IntegerField()
    scoring_open = serializers.SerializerMethodField()
    jurors = JurorProgressSerializer(many=True)
    ideas = IdeaProgressSerializer(many=True)

    @extend_schema_field(serializers.BooleanField())
    def get_scoring_open(self, _progress) -> bool:
        return self.context["scoring_open"]


class PublicJurorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="user.public_name")
    is_chair = serializers.BooleanField()


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "name", "description", "weight", "position"]
        read_only_fields = ["id", "position"]


class AwardSerializer(serializers.ModelSerializer):
    # Plain values, as the award decision API names them: one `basis` enum in the schema.
    basis = serializers.ChoiceField(choices=AwardBasis.values)

    class Meta:
        model = Award
        fields = ["id", "name", "prize", "basis", "position"]
        read_only_fields = ["id", "position"]


class JurySetupSerializer(serializers.Serializer):
    # A campaign's jury settings (a Jury, saved or the defaults) with its
    # jurors, criteria and awards.
    public_weight = serializers.DecimalField(max_digits=3, decimal_places=2)
    jury_weight = serializers.DecimalField(max_digits=3, decimal_places=2)
    shortlist_size = serializers.IntegerField(source="campaign.shortlist_size")
    blind_review = serializers.BooleanField()
    disagreement_threshold = serializers.DecimalField(max_digits=3, decimal_places=2)
    allow_multiple_awards = serializers.BooleanField()
    jurors = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    awards = serializers.SerializerMethodField()

    @extend_schema_field(PublicJurorSerializer(many=True))
    def get_jurors(self, jury):
        found = Juror.objects.filter(campaign=jury.campaign).select_related("user")
        return PublicJurorSerializer(found, many=True).data

    @extend_schema_field(CriterionSerializer(many=True))
    def get_criteria(self, jury):
        return CriterionSerializer(Criterion.objects.filter(campaign=jury.campaign), many=True).data

    @extend_schema_field(AwardSerializer(many=True))
    def get_awards(self, jury):
        return AwardSerializer(Award.objects.filter(campaign=jury.campaign), many=True).data


class WildcardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    title = serializers.CharField(source="idea.title")
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class RemindSerializer(serializers.Serializer):
    unfinished = serializers.IntegerField(
        help_text=_("How many of them have not finished: each gets an e-mail, at most one a day.")
    )


class AwardIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class PublicAwardDecisionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    reason = serializers.ChoiceField(
        choices=["tally", "winner_hidden"],
        help_text=_("`tally`: decided from the tally; `winner_hidden`: decided again, the winner was hidden."),
    )
    previous_winner = serializers.IntegerField(
        source="previous_winner_id", allow_null=True, help_text=_("The id of the previous winner.")
    )
    winner = serializers.IntegerField(
        source="winner_id", allow_null=True, help_text=_("Null: no idea that received votes could win it.")
    )


class AwardDecisionSerializer(serializers.Serializer):
    # An award and its decision; with the context's `overview` (the award
    # page's, jury.award_services.overview), its suggestion, the public winner's
    # votes and the decisions from the tally (null and empty without).
    id = serializers.IntegerField()
    name = serializers.CharField()
    position = serializers.IntegerField()
    prize = serializers.CharField(allow_blank=True)
    basis = serializers.ChoiceField(choices=["jury", "public"])
    winner = AwardIdeaSerializer(allow_null=True, help_text=_("Null while undecided."))
    justification = serializers.CharField(allow_blank=True)
    decided_by = PersonSerializer(
        allow_null=True, help_text=_("Null while undecided or when decided by the votes (public awards).")
    )
    decided_at = serializers.DateTimeField(
        allow_null=True,
        help_text=_(
            "Null while undecided. A public award may be decided with no winner: nobody voted for an idea that may win it."
        ),
    )
    suggested = serializers.SerializerMethodField(
        help_text=_(
            "Jury awards: the top-ranked idea that may win it (never one that won another award, unless the "
            "campaign allows several); public awards: their winner. Null when none may."
        ),
    )
    votes = serializers.SerializerMethodField(
        help_text=_("Public awards: the winner's votes in the tally (null for jurors in blind review)."),
    )
    history = serializers.SerializerMethodField(
        help_text=_("Public awards: each decision from the tally, oldest first.")
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_suggested(self, award) -> int | None:
        view = self.context.get("overview")
        return view.suggestions.get(award.pk) if view else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, award) -> int | None:
        view = self.context.get("overview")
        if view is None or self.context["hides_votes"] or award.basis != AwardBasis.PUBLIC:
            return None
        return view.votes.get(award.winner_id)

    @extend_schema_field(PublicAwardDecisionSerializer(many=True))
    def get_history(self, award) -> list:
        view = self.context.get("overview")
        return PublicAwardDecisionSerializer(view.history.get(award.pk, ()) if view else (), many=True).data


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    idea = AwardIdeaSerializer()
    votes = serializers.SerializerMethodField(help_text=_("Null for jurors in blind review."))
    jury_average = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    marks = serializers.IntegerField(help_text=_("How many jurors scored it."))
    final_score = serializers.DecimalField(max_digits=6, decimal_places=4)
    unscored = serializers.BooleanField()
    disputed = serializers.BooleanField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_votes(self, standing) -> int | None:
        return None if self.context["hides_votes"] else standing.votes


class AwardsOverviewSerializer(serializers.Serializer):
    # jury.award_services.overview; context: `overview` (the same), `hides_votes`, `may_decide`.
    phase = serializers.CharField(source="campaign.phase")
    may_decide = serializers.SerializerMethodField(help_text=_("The caller is the chair or a manager."))
    may_leave_deliberation = serializers.BooleanField(
        help_text=_("Every jury award is decided and the public awards are decided from the tally.")
    )
    published_at = serializers.DateTimeField(source="jury.published_at", allow_null=True)
    awards = AwardDecisionSerializer(many=True)
    ranking = RankingEntrySerializer(many=True, source="standings")

    @extend_schema_field(serializers.BooleanField())
    def get_may_decide(self, _view) -> bool:
        return self.context["may_decide"]


# --- input serializers -------------------------------------------------------------------------


class ScoresInSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        default=dict,
        help_text=_("{criterion id: 0-%(max)d or null to clear}; criteria not named keep their score.")
        % {"max": SCALE_MAX},
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, default=None, help_text=_("Omitted: unchanged.")
    )


class ConflictInSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class WildcardInSerializer(serializers.Serializer):
    idea = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("A published idea of the campaign."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RemindInSerializer(serializers.Serializer):
    jurors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Juror ids to remind; all the jurors who have not finished when left out."),
    )


class JurySettingsInSerializer(serializers.Serializer):
    public_weight = serializers.DecimalField(max_digits=3, decimal_places=2, required=False)
    shortlist_size = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    blind_review = serializers.BooleanField(required=False)
    disagreement_threshold = serializers.DecimalField(max_digits=3, decimal_places=2, required=False)
    allow_multiple_awards = serializers.BooleanField(required=False)


class JurorInSerializer(serializers.Serializer):
    who = serializers.CharField(max_length=254, help_text=_("Username or e-mail of a registered, verified user."))
    chair = serializers.BooleanField(required=False, default=False)


class JurorPatchSerializer(serializers.Serializer):
    is_chair = serializers.BooleanField()


class CriterionInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.IntegerField(required=False, default=1)


class CriterionPatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.IntegerField(required=False)


class AwardInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    prize = serializers.CharField(required=False, allow_blank=True, default="")
    basis = serializers.ChoiceField(choices=AwardBasis.values, required=False, default=AwardBasis.JURY)


class AwardPatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    prize = serializers.CharField(required=False, allow_blank=True)
    basis = serializers.ChoiceField(choices=AwardBasis.values, required=False)


class OrderSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("Every item's id, in the new order."))


class DecideAwardSerializer(serializers.Serializer):
    winner = serializers.IntegerField(help_text=_("The id of a shortlisted idea."))
    justification = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text=_("Required when the winner is not the top-ranked idea that may win this award."),
    )


# The refusals each kind of endpoint can answer (documented from ideabox.exceptions.ERROR_CODES).
SEE = ("not_found",)
DECLARE = ("invalid", "not_authenticated", "own_idea", "not_found", "jury_closed", "conflict_declared")
SCORE = (*DECLARE, "conflict")
MANAGE = ("not_authenticated", "permission_denied", "not_found")
WILDCARD = (*MANAGE, "jury_locked", "invalid_transition")
SET_UP = (*MANAGE, "jury_locked")
DECIDE = ("invalid", "permission_denied", "not_found", "awards_closed", "already_awarded")


def _hides_votes(campaign, user) -> bool:
    return selectors.settings_of(campaign).hides_votes_from(user)


# --- jurors ----------------------------------------------------------------------------------


class JuryIdeasView(APIView):
    permission_classes = [AllowAny]  # the campaign lookup answers 404 to anyone else
    pagination_class = Pagination

    @extend_schema(
        operation_id="jury_ideas",
        responses={200: JuryIdeaSerializer(many=True), **refusals(*SEE)},
        tags=["jury"],
        description=_("The shortlisted ideas with your scores (jurors and managers)."),
    )
    def get(self, request, slug: str):
        campaign = jury_campaign_or_404(slug, request.user)
        juror = seat(campaign, request.user)
        if juror is not None:
            juror.user = request.user
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.shortlist_for_jury(campaign), request, view=self)
        found = selectors.cards(campaign=campaign, juror=juror, ideas=page)
        context = {"hides_votes": _hides_votes(campaign, request.user), "viewer": request.user}
        return paginator.get_paginated_response(JuryIdeaSerializer(found, many=True, context=context).data)


class ScoresView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_scores_save",
        request=ScoresInSerializer,
        responses={200: EvaluationSerializer, **refusals(*SCORE)},
        tags=["jury"],
        description=_(
            "Save some or all of your scores of a shortlisted idea (null clears one) and your comment, "
            "while scoring is open (deliberation, before it ends)."
        ),
    )
    def put(self, request, slug: str, idea_id: int):
        campaign = jury_campaign_or_404(slug, request.user)
        data = ScoresInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        evaluation = services.save_evaluation(
            campaign=campaign,
            user=request.user,
            idea=idea_id,
            scores=data.validated_data["scores"],
            comment=data.validated_data["comment"],
        )
        return Response(EvaluationSerializer(evaluation).data)


class ConflictView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_conflict_declare",
        request=ConflictInSerializer,
        responses={201: ConflictSerializer, **refusals(*DECLARE)},
        tags=["jury"],
        description=_(
            "Declare a conflict of interest on a shortlisted idea: your scores of it are removed and you no "
            "longer score it. It cannot be withdrawn."
        ),
    )
    def post(self, request, slug: str, idea_id: int):
        campaign = jury_campaign_or_404(slug, request.user)
        data = ConflictInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conflict = services.declare_conflict(
            campaign=campaign, user=request.user, idea=idea_id, reason=data.validated_data["reason"]
        )
        return Response(ConflictSerializer(conflict).data, status=201)


class ProgressView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="jury_progress",
        responses={200: ProgressSerializer, **refusals(*SEE)},
        tags=["jury"],
        description=_("Scores given and expected per juror, and per idea (managers and the chair)."),
    )
    def get(self, request, slug: str):
        campaign = jury_campaign_or_404(slug, request.user)
        if not may_see_progress(campaign, request.user):
            raise Http404
        context = {
            "hides_votes": _hides_votes(campaign, request.user),
            "scoring_open": selectors.scoring_open(campaign),
        }
        return Response(ProgressSerializer(selectors.progress(campaign), context=context).data)


# --- wildcards and reminders (managers, during deliberation) ------------------------------


def _manager_campaign(request, slug: str):
    """The campaign for a manager's jury action: 404 for whoever may not
    see its jury, 403 `permission_denied` for a juror."""
    campaign = jury_campaign_or_404(slug, request.user)
    require_manager(request.user)
    return campaign


class WildcardsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_wildcards",
        responses={200: WildcardSerializer(many=True), **refusals(*MANAGE)},
        tags=["jury"],
        description=_("The ideas managers added to the shortlist (managers)."),
    )
    def get(self, request, slug: str):
        campaign = _manager_campaign(request, slug)
        found = Wildcard.objects.filter(campaign=campaign).select_related("idea").order_by("at", "pk")
        return Response(WildcardSerializer(found, many=True).data)

    @extend_schema(
        operation_id="jury_wildcard_add",
        request=WildcardInSerializer,
        responses={201: WildcardSerializer, **refusals("invalid", *WILDCARD)},
        tags=["jury"],
        description=_("Add a published idea to the shortlist during deliberation (managers)."),
    )
    def post(self, request, slug: str):
        campaign = _manager_campaign(request, slug)
        data = WildcardInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wildcard = services.add_wildcard(campaign=campaign, by=request.user, **data.validated_data)
        return Response(WildcardSerializer(wildcard).data, status=201)


class WildcardDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_wildcard_remove",
        request=None,
        responses={204: None, **refusals(*WILDCARD)},
        tags=["jury"],
        description=_("Take a wildcard back off the shortlist while nobody has scored it (managers)."),
    )
    def delete(self, request, slug: str, pk: int):
        campaign = _manager_campaign(request, slug)
        wildcard = get_object_or_404(Wildcard.objects.select_related("campaign"), campaign=campaign, pk=pk)
        services.remove_wildcard(wildcard=wildcard, by=request.user)
        return Response(status=204)


class RemindView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_remind",
        request=RemindInSerializer,
        responses={202: RemindSerializer, **refusals("invalid", *MANAGE, "jury_closed")},
        tags=["jury"],
        description=_(
            "E-mail the jurors who have not finished scoring, all or those named (managers, while scoring is "
            "open); each hears at most once a day."
        ),
    )
    def post(self, request, slug: str):
        campaign = _manager_campaign(request, slug)
        data = RemindInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unfinished = services.remind_jurors(campaign=campaign, by=request.user, juror_ids=data.validated_data["jurors"])
        return Response(RemindSerializer({"unfinished": unfinished}).data, status=202)


# --- setup ------------------------------------------------------------------------------------


def _setup_campaign(request, slug: str):
    return get_object_or_404(visible_or_seated(request.user).filter(kind=Kind.CHALLENGE), slug=slug)


class JurySetupView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="jury_setup",
        responses={200: JurySetupSerializer, **refusals(*SEE)},
        tags=["jury"],
        description=_("The campaign's jury, criteria, awards and weights (anyone who may see the campaign)."),
    )
    def get(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        return Response(JurySetupSerializer(selectors.settings_of(campaign)).data)

    @extend_schema(
        operation_id="jury_setup_update",
        request=JurySettingsInSerializer,
        responses={200: JurySetupSerializer, **refusals("invalid", *SET_UP)},
        tags=["jury"],
        description=_("Change the jury's settings (managers; weights are fixed once voting opens)."),
    )
    def put(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = JurySettingsInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_jury(campaign=campaign, by=request.user, **data.validated_data)
        campaign.refresh_from_db()
        return Response(JurySetupSerializer(selectors.settings_of(campaign)).data)


class JurorsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_juror_add",
        request=JurorInSerializer,
        responses={201: PublicJurorSerializer, **refusals("invalid", *SET_UP)},
        tags=["jury"],
        description=_("Add a juror by username or e-mail (managers)."),
    )
    def post(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = JurorInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        juror = services.add_juror(campaign=campaign, by=request.user, **data.validated_data)
        return Response(PublicJurorSerializer(juror).data, status=201)


class JurorDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _juror(self, request, slug: str, pk: int) -> Juror:
        campaign = _setup_campaign(request, slug)
        return get_object_or_404(Juror.objects.select_related("user", "campaign"), campaign=campaign, pk=pk)

    @extend_schema(
        operation_id="jury_juror_update",
        request=JurorPatchSerializer,
        responses={200: PublicJurorSerializer, **refusals("invalid", *SET_UP)},
        tags=["jury"],
        description=_("Make this juror the chair, or step them down (managers)."),
    )
    def patch(self, request, slug: str, pk: int):
        juror = self._juror(request, slug, pk)
        data = JurorPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["is_chair"]:
            services.set_chair(campaign=juror.campaign, by=request.user, juror=juror)
        elif juror.is_chair:
            services.set_chair(campaign=juror.campaign, by=request.user, juror=None)
            juror.is_chair = False
        return Response(PublicJurorSerializer(juror).data)

    @extend_schema(
        operation_id="jury_juror_remove",
        request=None,
        responses={204: None, **refusals(*SET_UP)},
        tags=["jury"],
        description=_("Remove a juror (managers, until the results are published)."),
    )
    def delete(self, request, slug: str, pk: int):
        services.remove_juror(juror=self._juror(request, slug, pk), by=request.user)
        return Response(status=204)


# Criteria and award categories are set up alike: add, change, delete, reorder
# (managers, in draft or submission). One class of each serves both; the
# subclasses name the model, the serializers, the services and the schema.


class _ItemsView(APIView):
    permission_classes = [IsAuthenticated]
    InputSerializer: type[serializers.Serializer]
    OutputSerializer: type[serializers.Serializer]
    add = None  # the service: add_criterion, add_award

    def post(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = type(self).add(campaign=campaign, by=request.user, **data.validated_data)
        return Response(self.OutputSerializer(item).data, status=201)


class _ItemDetailView(APIView):
    permission_classes = [IsAuthenticated]
    model: type
    kind: str  # the services' keyword: criterion, award
    PatchSerializer: type[serializers.Serializer]
    OutputSerializer: type[serializers.Serializer]
    update = None  # update_criterion, update_award
    delete_item = None  # delete_criterion, delete_award

    def _item(self, request, slug: str, pk: int):
        campaign = _setup_campaign(request, slug)
        return get_object_or_404(self.model.objects.select_related("campaign"), campaign=campaign, pk=pk)

    def patch(self, request, slug: str, pk: int):
        item = self._item(request, slug, pk)
        data = self.PatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        type(self).update(**{self.kind: item}, by=request.user, **data.validated_data)
        return Response(self.OutputSerializer(item).data)

    def delete(self, request, slug: str, pk: int):
        type(self).delete_item(**{self.kind: self._item(request, slug, pk)}, by=request.user)
        return Response(status=204)


class _OrderView(APIView):
    permission_classes = [IsAuthenticated]
    OutputSerializer: type[serializers.Serializer]
    reorder = None  # reorder_criteria, reorder_awards

    def put(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = type(self).reorder(campaign=campaign, by=request.user, ids=data.validated_data["ids"])
        return Response(self.OutputSerializer(found, many=True).data)


def _setup_schema(operation_id: str, description, request, responses: dict):
    return extend_schema(
        operation_id=operation_id, request=request, responses=responses, tags=["jury"], description=description
    )


@extend_schema_view(
    post=_setup_schema(
        "jury_criterion_add",
        _("Add an evaluation criterion (managers, in draft or submission)."),
        CriterionInSerializer,
        {201: CriterionSerializer, **refusals("invalid", *SET_UP)},
    )
)
class CriteriaView(_ItemsView):
    InputSerializer = CriterionInSerializer
    OutputSerializer = CriterionSerializer
    add = staticmethod(services.add_criterion)


@extend_schema_view(
    patch=_setup_schema(
        "jury_criterion_update",
        _("Change a criterion (managers, in draft or submission)."),
        CriterionPatchSerializer,
        {200: CriterionSerializer, **refusals("invalid", *SET_UP)},
    ),
    delete=_setup_schema(
        "jury_criterion_delete",
        _("Delete a criterion (managers, in draft or submission)."),
        None,
        {204: None, **refusals(*SET_UP)},
    ),
)
class CriterionDetailView(_ItemDetailView):
    model = Criterion
    kind = "criterion"
    PatchSerializer = CriterionPatchSerializer
    OutputSerializer = CriterionSerializer
    update = staticmethod(services.update_criterion)
    delete_item = staticmethod(services.delete_criterion)


@extend_schema_view(
    put=_setup_schema(
        "jury_criteria_order",
        _("Put the criteria in a new order (managers, in draft or submission)."),
        OrderSerializer,
        {200: CriterionSerializer(many=True), **refusals("invalid", *SET_UP)},
    )
)
class CriteriaOrderView(_OrderView):
    OutputSerializer = CriterionSerializer
    reorder = staticmethod(services.reorder_criteria)


@extend_schema_view(
    post=_setup_schema(
        "jury_award_add",
        _("Add an award category (managers, in draft or submission)."),
        AwardInSerializer,
        {201: AwardSerializer, **refusals("invalid", *SET_UP)},
    )
)
class AwardsView(_ItemsView):
    InputSerializer = AwardInSerializer
    OutputSerializer = AwardSerializer
    add = staticmethod(services.add_award)


@extend_schema_view(
    patch=_setup_schema(
        "jury_award_update",
        _("Change an award category (managers, in draft or submission)."),
        AwardPatchSerializer,
        {200: AwardSerializer, **refusals("invalid", *SET_UP)},
    ),
    delete=_setup_schema(
        "jury_award_delete",
        _("Delete an award category (managers, in draft or submission)."),
        None,
        {204: None, **refusals(*SET_UP)},
    ),
)
class AwardDetailView(_ItemDetailView):
    model = Award
    kind = "award"
    PatchSerializer = AwardPatchSerializer
    OutputSerializer = AwardSerializer
    update = staticmethod(services.update_award)
    delete_item = staticmethod(services.delete_award)


@extend_schema_view(
    put=_setup_schema(
        "jury_awards_order",
        _("Put the award categories in a new order (managers, in draft or submission)."),
        OrderSerializer,
        {200: AwardSerializer(many=True), **refusals("invalid", *SET_UP)},
    )
)
class AwardsOrderView(_OrderView):
    OutputSerializer = AwardSerializer
    reorder = staticmethod(services.reorder_awards)


# --- deciding the awards -----------------------------------------------------------------------


class AwardDecisionsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="campaign_awards",
        tags=["jury"],
        summary="A campaign's awards and the live ranking",
        description=_(
            "Managers and the campaign's jurors. Ranking by final score (public weight × votes ÷ the "
            "shortlist's most votes + jury weight × jury average ÷ 5), ties broken by more votes, the earlier "
            "submission, the lower id."
        ),
        responses={200: AwardsOverviewSerializer, **refusals(*SEE)},
    )
    def get(self, request, slug: str):
        campaign = jury_campaign_or_404(slug, request.user)
        view = award_services.overview(campaign)
        context = {
            "overview": view,
            "hides_votes": view.jury.hides_votes_from(request.user),
            "may_decide": may_decide_awards(campaign, request.user),
        }
        return Response(AwardsOverviewSerializer(view, context=context).data)


class AwardDecisionView(APIView):
    permission_classes = [AllowAny]

    def _award(self, request, slug: str, award_id: int) -> Award:
        campaign = jury_campaign_or_404(slug, request.user)
        return get_object_or_404(Award.objects.filter(campaign=campaign).select_related("campaign"), pk=award_id)

    @extend_schema(
        operation_id="campaign_award_decide",
        tags=["jury"],
        summary="Decide (or change) the winner of a jury award",
        description=_(
            "The chair or a manager, during deliberation. The winner must be shortlisted; another idea than the "
            "top-ranked one that may win needs a justification, published with the results."
        ),
        request=DecideAwardSerializer,
        responses={200: AwardDecisionSerializer, **refusals(*DECIDE)},
    )
    def put(self, request, slug: str, award_id: int):
        award = self._award(request, slug, award_id)
        data = DecideAwardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # An idea of another campaign is None here: the service refuses it as off the shortlist.
        winner = Idea.objects.filter(pk=data.validated_data["winner"], campaign=award.campaign).first()
        decided = award_services.decide_award(
            award=award, by=request.user, winner=winner, justification=data.validated_data["justification"]
        )
        return Response(AwardDecisionSerializer(decided).data)

    @extend_schema(
        operation_id="campaign_award_undecide",
        tags=["jury"],
        summary="Take an award decision back",
        request=None,
        responses={204: None, **refusals(*DECIDE)},  # invalid: a public award is decided by the votes
    )
    def delete(self, request, slug: str, award_id: int):
        award = self._award(request, slug, award_id)
        award_services.undecide_award(award=award, by=request.user)
        return Response(status=204)
