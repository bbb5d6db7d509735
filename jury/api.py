"""Jury API under /api/v1/ (url names `jury-...`).

Jurors and managers:
  GET  campaigns/{slug}/jury/ideas/               the shortlist as the caller scores it (paginated)
  PUT  campaigns/{slug}/jury/scores/{idea_id}/    {"scores": {"<criterion id>": 0-5 | null}, "comment": "..."}
  POST campaigns/{slug}/jury/conflicts/{idea_id}/ {"reason": "..."}: declare a conflict of interest
Managers and the chair:
  GET  campaigns/{slug}/jury/progress/
Anyone who may see the campaign (managers write):
  GET/PUT campaigns/{slug}/jury-setup/
  POST campaigns/{slug}/jury-setup/jurors/, PATCH/DELETE .../jurors/{id}/
  POST campaigns/{slug}/jury-setup/criteria/, PATCH/DELETE .../criteria/{id}/, PUT .../criteria/order/
  POST campaigns/{slug}/jury-setup/awards/, PATCH/DELETE .../awards/{id}/, PUT .../awards/order/

A campaign the caller may not see, or whose jury pages they may not open, is a 404.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import roles
from campaigns.models import Kind
from campaigns.services import require_manager
from ideabox.api import ErrorSerializer, Pagination
from ideas.api import author_for

from . import services
from .access import jury_campaign_or_404, may_see_progress, seat, visible_or_seated
from .models import SCALE_MAX, Award, AwardBasis, Criterion, Juror, Jury, Wildcard

# --- serializers ---------------------------------------------------------------------------


class AuthorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class JuryIdeaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    status = serializers.CharField()
    author = AuthorSerializer(
        allow_null=True,
        help_text=_("Null in blind review, and on an anonymous idea for whoever may not learn who wrote it."),
    )
    votes = serializers.IntegerField(allow_null=True, help_text=_("Votes in the tally; null in blind review."))
    scores = serializers.DictField(child=serializers.IntegerField(), help_text=_("Your scores: {criterion id: 0-5}."))
    comment = serializers.CharField(allow_blank=True)
    conflict = serializers.BooleanField(help_text=_("You declared a conflict of interest."))
    own = serializers.BooleanField(help_text=_("You wrote or co-wrote it."))
    can_score = serializers.BooleanField()
    marks = serializers.IntegerField(help_text=_("How many jurors scored it."))
    disputed = serializers.BooleanField(help_text=_("The jurors' scores spread more than the threshold."))


def _card_data(card: services.Card, *, blind: bool, viewer) -> dict:
    idea = card.idea
    return {
        "id": idea.pk,
        "title": idea.title,
        "summary": idea.summary,
        "status": idea.status,
        "author": None if blind else author_for(idea, viewer),
        "votes": None if blind else card.votes,
        "scores": {str(pk): value for pk, value in card.scores.items()},
        "comment": card.comment,
        "conflict": card.conflict,
        "own": card.own,
        "can_score": card.can_score,
        "marks": card.marks,
        "disputed": card.disputed,
    }


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


class EvaluationSerializer(serializers.Serializer):
    idea = serializers.IntegerField()
    scores = serializers.DictField(child=serializers.IntegerField())
    comment = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField()


class ConflictInSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConflictSerializer(serializers.Serializer):
    idea = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    declared_at = serializers.DateTimeField()


class JurorProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
    is_chair = serializers.BooleanField()
    given = serializers.IntegerField()
    expected = serializers.IntegerField()
    finished = serializers.BooleanField()


class IdeaProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    votes = serializers.IntegerField(allow_null=True, help_text=_("Null for the chair in blind review."))
    marks = serializers.IntegerField()
    jury_average = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    spread = serializers.DecimalField(max_digits=6, decimal_places=3, allow_null=True)
    disputed = serializers.BooleanField()
    finished = serializers.IntegerField(help_text=_("Jurors who scored every criterion."))
    eligible = serializers.IntegerField(help_text=_("Jurors who may score it."))
    wildcard = serializers.BooleanField()


class ProgressSerializer(serializers.Serializer):
    given = serializers.IntegerField()
    expected = serializers.IntegerField()
    scoring_open = serializers.BooleanField()
    jurors = JurorProgressSerializer(many=True)
    ideas = IdeaProgressSerializer(many=True)


class PublicJurorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()
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
    public_weight = serializers.DecimalField(max_digits=3, decimal_places=2)
    jury_weight = serializers.DecimalField(max_digits=3, decimal_places=2)
    shortlist_size = serializers.IntegerField()
    blind_review = serializers.BooleanField()
    disagreement_threshold = serializers.DecimalField(max_digits=3, decimal_places=2)
    allow_multiple_awards = serializers.BooleanField()
    jurors = PublicJurorSerializer(many=True)
    criteria = CriterionSerializer(many=True)
    awards = AwardSerializer(many=True)


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


def _refusals(*codes: int) -> dict:
    described = {
        400: _("`invalid`, with `fields`."),
        401: _("`not_authenticated`."),
        403: _("`permission_denied` (not a manager) or `own_idea`."),
        404: _("`not_found`: no such campaign or idea for you."),
        409: _("`jury_locked`, `jury_closed`, `conflict_declared` or `invalid_transition`."),
    }
    return {code: OpenApiResponse(ErrorSerializer, description=described[code]) for code in codes}


# --- jurors ----------------------------------------------------------------------------------


def _blind(campaign, user) -> bool:
    if roles.is_manager(user):
        return False
    return Jury.objects.filter(campaign=campaign, blind_review=True).exists()


class JuryIdeasView(APIView):
    permission_classes = [AllowAny]  # the campaign lookup answers 404 to anyone else
    pagination_class = Pagination

    @extend_schema(
        operation_id="jury_ideas",
        responses={200: JuryIdeaSerializer(many=True), **_refusals(404)},
        tags=["jury"],
        description=_("The shortlisted ideas with your scores (jurors and managers)."),
    )
    def get(self, request, slug: str):
        campaign = jury_campaign_or_404(slug, request.user)
        juror = seat(campaign, request.user)
        if juror is not None:
            juror.user = request.user
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(services.shortlist_for_jury(campaign), request, view=self)
        blind = _blind(campaign, request.user)
        found = services.cards(campaign=campaign, juror=juror, ideas=page)
        return paginator.get_paginated_response([_card_data(card, blind=blind, viewer=request.user) for card in found])


class ScoresView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_scores_save",
        request=ScoresInSerializer,
        responses={200: EvaluationSerializer, **_refusals(400, 401, 403, 404, 409)},
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
        body = {
            "idea": evaluation.idea_id,
            "scores": {str(s.criterion_id): s.value for s in evaluation.scores.all()},
            "comment": evaluation.comment,
            "updated_at": evaluation.updated_at,
        }
        return Response(EvaluationSerializer(body).data)


class ConflictView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_conflict_declare",
        request=ConflictInSerializer,
        responses={201: ConflictSerializer, **_refusals(401, 403, 404, 409)},
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
        body = {"idea": conflict.idea_id, "reason": conflict.reason, "declared_at": conflict.declared_at}
        return Response(ConflictSerializer(body).data, status=201)


class ProgressView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="jury_progress",
        responses={200: ProgressSerializer, **_refusals(404)},
        tags=["jury"],
        description=_("Scores given and expected per juror, and per idea (managers and the chair)."),
    )
    def get(self, request, slug: str):
        campaign = jury_campaign_or_404(slug, request.user)
        if not may_see_progress(campaign, request.user):
            raise Http404
        found = services.progress(campaign)
        blind = _blind(campaign, request.user)
        body = {
            "given": found.given,
            "expected": found.expected,
            "scoring_open": services.scoring_open(campaign),
            "jurors": [
                {
                    "id": row.juror.pk,
                    "display_name": row.juror.user.public_name,
                    "is_chair": row.juror.is_chair,
                    "given": row.given,
                    "expected": row.expected,
                    "finished": row.finished,
                }
                for row in found.jurors
            ],
            "ideas": [
                {
                    "id": row.idea.pk,
                    "title": row.idea.title,
                    "votes": None if blind else row.votes,
                    "marks": row.marks,
                    "jury_average": row.jury_average,
                    "spread": row.spread,
                    "disputed": row.disputed,
                    "finished": row.finished,
                    "eligible": row.eligible,
                    "wildcard": row.wildcard is not None,
                }
                for row in found.ideas
            ],
        }
        return Response(ProgressSerializer(body).data)


# --- wildcards and reminders (managers, during deliberation) ------------------------------


class WildcardInSerializer(serializers.Serializer):
    idea = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("A published idea of the campaign."))
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WildcardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    idea = serializers.IntegerField(source="idea_id")
    title = serializers.CharField(source="idea.title")
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class RemindInSerializer(serializers.Serializer):
    jurors = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Juror ids to remind; all the jurors who have not finished when left out."),
    )


class RemindSerializer(serializers.Serializer):
    unfinished = serializers.IntegerField(
        help_text=_("How many of them have not finished: each gets an e-mail, at most one a day.")
    )


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
        responses={200: WildcardSerializer(many=True), **_refusals(401, 403, 404)},
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
        responses={201: WildcardSerializer, **_refusals(400, 401, 403, 404, 409)},
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
        responses={204: None, **_refusals(401, 403, 404, 409)},
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
        responses={202: RemindSerializer, **_refusals(400, 401, 403, 404, 409)},
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


def _setup_body(campaign) -> dict:
    jury = Jury.objects.filter(campaign=campaign).first() or Jury(campaign=campaign)
    jurors = Juror.objects.filter(campaign=campaign).select_related("user")
    return JurySetupSerializer(
        {
            "public_weight": jury.public_weight,
            "jury_weight": jury.jury_weight,
            "shortlist_size": campaign.shortlist_size,
            "blind_review": jury.blind_review,
            "disagreement_threshold": jury.disagreement_threshold,
            "allow_multiple_awards": jury.allow_multiple_awards,
            "jurors": [{"id": j.pk, "display_name": j.user.public_name, "is_chair": j.is_chair} for j in jurors],
            "criteria": Criterion.objects.filter(campaign=campaign),
            "awards": Award.objects.filter(campaign=campaign),
        }
    ).data


class JurySetupView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="jury_setup",
        responses={200: JurySetupSerializer, **_refusals(404)},
        tags=["jury"],
        description=_("The campaign's jury, criteria, awards and weights (anyone who may see the campaign)."),
    )
    def get(self, request, slug: str):
        return Response(_setup_body(_setup_campaign(request, slug)))

    @extend_schema(
        operation_id="jury_setup_update",
        request=JurySettingsInSerializer,
        responses={200: JurySetupSerializer, **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Change the jury's settings (managers; weights are fixed once voting opens)."),
    )
    def put(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = JurySettingsInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_jury(campaign=campaign, by=request.user, **data.validated_data)
        campaign.refresh_from_db()
        return Response(_setup_body(campaign))


class JurorsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_juror_add",
        request=JurorInSerializer,
        responses={201: PublicJurorSerializer, **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Add a juror by username or e-mail (managers)."),
    )
    def post(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = JurorInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        juror = services.add_juror(campaign=campaign, by=request.user, **data.validated_data)
        body = {"id": juror.pk, "display_name": juror.user.public_name, "is_chair": juror.is_chair}
        return Response(PublicJurorSerializer(body).data, status=201)


class JurorDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _juror(self, request, slug: str, pk: int) -> Juror:
        campaign = _setup_campaign(request, slug)
        return get_object_or_404(Juror.objects.select_related("user", "campaign"), campaign=campaign, pk=pk)

    @extend_schema(
        operation_id="jury_juror_update",
        request=JurorPatchSerializer,
        responses={200: PublicJurorSerializer, **_refusals(400, 401, 403, 404, 409)},
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
        body = {"id": juror.pk, "display_name": juror.user.public_name, "is_chair": juror.is_chair}
        return Response(PublicJurorSerializer(body).data)

    @extend_schema(
        operation_id="jury_juror_remove",
        request=None,
        responses={204: None, **_refusals(401, 403, 404, 409)},
        tags=["jury"],
        description=_("Remove a juror (managers, until the results are published)."),
    )
    def delete(self, request, slug: str, pk: int):
        services.remove_juror(juror=self._juror(request, slug, pk), by=request.user)
        return Response(status=204)


class CriteriaView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_criterion_add",
        request=CriterionInSerializer,
        responses={201: CriterionSerializer, **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Add an evaluation criterion (managers, in draft or submission)."),
    )
    def post(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = CriterionInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        criterion = services.add_criterion(campaign=campaign, by=request.user, **data.validated_data)
        return Response(CriterionSerializer(criterion).data, status=201)


class CriterionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _criterion(self, request, slug: str, pk: int) -> Criterion:
        campaign = _setup_campaign(request, slug)
        return get_object_or_404(Criterion.objects.select_related("campaign"), campaign=campaign, pk=pk)

    @extend_schema(
        operation_id="jury_criterion_update",
        request=CriterionPatchSerializer,
        responses={200: CriterionSerializer, **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Change a criterion (managers, in draft or submission)."),
    )
    def patch(self, request, slug: str, pk: int):
        criterion = self._criterion(request, slug, pk)
        data = CriterionPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_criterion(criterion=criterion, by=request.user, **data.validated_data)
        return Response(CriterionSerializer(criterion).data)

    @extend_schema(
        operation_id="jury_criterion_delete",
        request=None,
        responses={204: None, **_refusals(401, 403, 404, 409)},
        tags=["jury"],
        description=_("Delete a criterion (managers, in draft or submission)."),
    )
    def delete(self, request, slug: str, pk: int):
        services.delete_criterion(criterion=self._criterion(request, slug, pk), by=request.user)
        return Response(status=204)


class CriteriaOrderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_criteria_order",
        request=OrderSerializer,
        responses={200: CriterionSerializer(many=True), **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Put the criteria in a new order (managers, in draft or submission)."),
    )
    def put(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.reorder_criteria(campaign=campaign, by=request.user, ids=data.validated_data["ids"])
        return Response(CriterionSerializer(found, many=True).data)


class AwardsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_award_add",
        request=AwardInSerializer,
        responses={201: AwardSerializer, **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Add an award category (managers, in draft or submission)."),
    )
    def post(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = AwardInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        award = services.add_award(campaign=campaign, by=request.user, **data.validated_data)
        return Response(AwardSerializer(award).data, status=201)


class AwardDetailView(APIView):
    permission_classes = [IsAuthenticated]

    def _award(self, request, slug: str, pk: int) -> Award:
        campaign = _setup_campaign(request, slug)
        return get_object_or_404(Award.objects.select_related("campaign"), campaign=campaign, pk=pk)

    @extend_schema(
        operation_id="jury_award_update",
        request=AwardPatchSerializer,
        responses={200: AwardSerializer, **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Change an award category (managers, in draft or submission)."),
    )
    def patch(self, request, slug: str, pk: int):
        award = self._award(request, slug, pk)
        data = AwardPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.update_award(award=award, by=request.user, **data.validated_data)
        return Response(AwardSerializer(award).data)

    @extend_schema(
        operation_id="jury_award_delete",
        request=None,
        responses={204: None, **_refusals(401, 403, 404, 409)},
        tags=["jury"],
        description=_("Delete an award category (managers, in draft or submission)."),
    )
    def delete(self, request, slug: str, pk: int):
        services.delete_award(award=self._award(request, slug, pk), by=request.user)
        return Response(status=204)


class AwardsOrderView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="jury_awards_order",
        request=OrderSerializer,
        responses={200: AwardSerializer(many=True), **_refusals(400, 401, 403, 404, 409)},
        tags=["jury"],
        description=_("Put the award categories in a new order (managers, in draft or submission)."),
    )
    def put(self, request, slug: str):
        campaign = _setup_campaign(request, slug)
        data = OrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.reorder_awards(campaign=campaign, by=request.user, ids=data.validated_data["ids"])
        return Response(AwardSerializer(found, many=True).data)


SETUP = "campaigns/<slug:slug>/jury-setup/"

urlpatterns = [
    path("campaigns/<slug:slug>/jury/ideas/", JuryIdeasView.as_view(), name="jury-ideas"),
    path("campaigns/<slug:slug>/jury/scores/<int:idea_id>/", ScoresView.as_view(), name="jury-scores"),
    path("campaigns/<slug:slug>/jury/conflicts/<int:idea_id>/", ConflictView.as_view(), name="jury-conflicts"),
    path("campaigns/<slug:slug>/jury/progress/", ProgressView.as_view(), name="jury-progress"),
    path("campaigns/<slug:slug>/jury/wildcards/", WildcardsView.as_view(), name="jury-wildcards"),
    path("campaigns/<slug:slug>/jury/wildcards/<int:pk>/", WildcardDetailView.as_view(), name="jury-wildcard"),
    path("campaigns/<slug:slug>/jury/reminders/", RemindView.as_view(), name="jury-reminders"),
    path(SETUP, JurySetupView.as_view(), name="jury-setup"),
    path(SETUP + "jurors/", JurorsView.as_view(), name="jury-setup-jurors"),
    path(SETUP + "jurors/<int:pk>/", JurorDetailView.as_view(), name="jury-setup-juror"),
    path(SETUP + "criteria/", CriteriaView.as_view(), name="jury-setup-criteria"),
    path(SETUP + "criteria/order/", CriteriaOrderView.as_view(), name="jury-setup-criteria-order"),
    path(SETUP + "criteria/<int:pk>/", CriterionDetailView.as_view(), name="jury-setup-criterion"),
    path(SETUP + "awards/", AwardsView.as_view(), name="jury-setup-awards"),
    path(SETUP + "awards/order/", AwardsOrderView.as_view(), name="jury-setup-awards-order"),
    path(SETUP + "awards/<int:pk>/", AwardDetailView.as_view(), name="jury-setup-award"),
]
