"""Every route has a test that walks the roles over it (issue 11, item 11).

Each URL pattern of the site (every one `get_resolver()` knows, pages and API,
by its route as urls.py writes it) is in PERMISSION_TESTS, with a test
parametrized by `role` that requests it, or in EXEMPT: routes with no rule of
ours (public documents, Django's language switch); the admin and allauth's
pages are left out. Every route is covered (the last 36 gaps were closed
with issue 11): a new route fails the first test until a role matrix
requests it and is named here.

The list was made by running every test parametrized by `role` and
recording the route of each request it made (the survey is not part of the
suite: it takes minutes).
"""

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

TESTS = Path(__file__).resolve().parent

PERMISSION_TESTS = {
    "": "test_the_home_page_lists_the_campaigns_live_for_each_audience",
    "accounts/notifications/": "test_every_signed_in_person_sees_their_settings",
    "accounts/profile/": "test_the_personal_pages_are_for_whoever_is_logged_in",
    "accounts/profile/token/": "test_every_signed_in_person_manages_their_own_api_token",
    "accounts/profile/token/revoke/": "test_every_signed_in_person_manages_their_own_api_token",
    "accounts/receipts/": "test_the_personal_pages_are_for_whoever_is_logged_in",
    "accounts/unsubscribe/<str:token>/": "test_an_unsubscribe_link_works_for_whoever_holds_it_and_nobody_else",
    "api/v1/auth/token/": "test_every_account_exchanges_its_own_credentials_for_a_token",
    "api/v1/campaigns/": "test_only_managers_create_campaigns",
    "api/v1/campaigns/<slug:slug>/": "test_api_patch_of_a_voter_rule_by_anyone_else_is_refused_as_before",
    "api/v1/campaigns/<slug:slug>/categories/": "test_categories_are_listed_for_whoever_sees_the_campaign",
    "api/v1/campaigns/<slug:slug>/extend/": "test_the_extend_permission_matrix",
    "api/v1/campaigns/<slug:slug>/follow/": "test_the_follow_permission_matrix",
    "api/v1/campaigns/<slug:slug>/ideas/": "test_the_api_gives_no_author_to_whoever_may_not_know",
    "api/v1/campaigns/<slug:slug>/ideas/similar/": "test_who_sees_similar_ideas",
    "api/v1/campaigns/<slug:slug>/jury-setup/": "test_an_internal_campaigns_jury_setup_is_not_found_for_outsiders",
    "api/v1/campaigns/<slug:slug>/jury-setup/awards/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/awards/<int:pk>/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/awards/order/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/criteria/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/criteria/<int:pk>/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/criteria/order/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/jurors/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury-setup/jurors/<int:pk>/": "test_the_jury_setup_api_writes_are_for_managers_only",
    "api/v1/campaigns/<slug:slug>/jury/awards/": "test_who_reads_and_who_decides",
    "api/v1/campaigns/<slug:slug>/jury/awards/<int:award_id>/": "test_who_may_delete",
    "api/v1/campaigns/<slug:slug>/jury/conflicts/<int:idea_id>/": "test_the_jury_endpoints_are_not_found_for_everyone_else",
    "api/v1/campaigns/<slug:slug>/jury/ideas/": "test_the_jury_endpoints_are_not_found_for_everyone_else",
    "api/v1/campaigns/<slug:slug>/jury/progress/": "test_the_jury_endpoints_are_not_found_for_everyone_else",
    "api/v1/campaigns/<slug:slug>/jury/reminders/": "test_only_managers_use_wildcards_and_reminders",
    "api/v1/campaigns/<slug:slug>/jury/scores/<int:idea_id>/": "test_the_jury_endpoints_are_not_found_for_everyone_else",
    "api/v1/campaigns/<slug:slug>/jury/wildcards/": "test_only_managers_use_wildcards_and_reminders",
    "api/v1/campaigns/<slug:slug>/jury/wildcards/<int:pk>/": "test_only_managers_use_wildcards_and_reminders",
    "api/v1/campaigns/<slug:slug>/results/": "test_an_anonymous_author_is_null_whoever_reads",
    "api/v1/campaigns/<slug:slug>/results/<int:idea_id>/move-to-box/": "test_who_may_move_an_idea_into_the_box_on_the_page_and_through_the_api",
    "api/v1/campaigns/<slug:slug>/tally/": "test_who_sees_the_tally_in_the_api",
    "api/v1/campaigns/<slug:slug>/transition/": "test_the_transition_permission_matrix",
    "api/v1/comments/<int:pk>/hide/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/comments/<int:pk>/report/": "test_who_may_report_through_the_api",
    "api/v1/comments/<int:pk>/restore/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/entities/": "test_employees_and_staff_read_the_entities_and_nobody_else",
    "api/v1/entities/<int:pk>/": "test_employees_and_staff_read_the_entities_and_nobody_else",
    "api/v1/entities/import/": "test_only_administrators_change_the_entities",
    "api/v1/ideas/<int:pk>/": "test_the_api_gives_no_author_to_whoever_may_not_know",
    "api/v1/ideas/<int:pk>/approve/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/ideas/<int:pk>/coauthorship/": "test_only_the_invitee_answers_an_invitation_to_co_author",
    "api/v1/ideas/<int:pk>/comments/": "test_an_authors_comment_on_their_anonymous_idea_names_nobody",
    "api/v1/ideas/<int:pk>/follow/": "test_who_may_follow_an_idea",
    "api/v1/ideas/<int:pk>/hide/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/ideas/<int:pk>/merge/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/ideas/<int:pk>/report/": "test_who_may_report_through_the_api",
    "api/v1/ideas/<int:pk>/restore/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/ideas/<int:pk>/review/": "test_the_permission_matrix_of_moderation_endpoints",
    "api/v1/ideas/<int:pk>/vote/": "test_nobody_votes_outside_voting",
    "api/v1/me/": "test_every_signed_in_person_may_set_their_own_name_by_the_api",
    "api/v1/me/notifications/": "test_the_api_shows_each_person_their_settings",
    "api/v1/moderation/queue/": "test_only_moderators_read_the_queue",
    "api/v1/reports/<int:pk>/dismiss/": "test_the_permission_matrix_of_moderation_endpoints",
    "box/": "test_who_sees_the_box",
    "box/ideas/new/": "test_who_opens_the_submit_page",
    "campaigns/": "test_the_list_shows_what_each_role_may_see",
    "campaigns/<slug:slug>/": "test_an_empty_campaign_in_submission_invites_whoever_may_submit",
    "campaigns/<slug:slug>/categories/": "test_the_manager_pages_permission_matrix",
    "campaigns/<slug:slug>/categories/add/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/categories/delete/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/categories/down/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/categories/rename/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/categories/up/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/edit/": "test_the_manager_pages_permission_matrix",
    "campaigns/<slug:slug>/extend/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/follow/": "test_the_follow_permission_matrix",
    "campaigns/<slug:slug>/ideas/new/": "test_who_opens_the_submit_page",
    "campaigns/<slug:slug>/ideas/similar/": "test_who_sees_similar_ideas",
    "campaigns/<slug:slug>/jury/": "test_the_jury_page_is_hidden_from_everyone_else",
    "campaigns/<slug:slug>/jury/awards/": "test_who_sees_the_award_page_and_who_gets_the_forms",
    "campaigns/<slug:slug>/jury/awards/<int:award_id>/decide/": "test_the_buttons_are_404_for_everyone_off_the_jury",
    "campaigns/<slug:slug>/jury/awards/<int:award_id>/undecide/": "test_the_buttons_are_404_for_everyone_off_the_jury",
    "campaigns/<slug:slug>/jury/ideas/<int:idea_id>/conflict/": "test_the_jury_page_is_hidden_from_everyone_else",
    "campaigns/<slug:slug>/jury/ideas/<int:idea_id>/scores/": "test_the_jury_page_is_hidden_from_everyone_else",
    "campaigns/<slug:slug>/jury/progress/": "test_the_progress_page_is_hidden_from_everyone_else",
    "campaigns/<slug:slug>/jury/progress/remind/": "test_the_progress_page_is_hidden_from_everyone_else",
    "campaigns/<slug:slug>/jury/setup/": "test_the_setup_page_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/add-award/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/add-criterion/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/add-juror/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/delete-award/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/delete-criterion/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/move-award/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/move-criterion/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/remove-juror/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/set-chair/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/settings/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/update-award/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/setup/update-criterion/": "test_a_setup_action_is_for_managers_only",
    "campaigns/<slug:slug>/jury/wildcards/": "test_the_wildcard_buttons_are_for_managers_only",
    "campaigns/<slug:slug>/jury/wildcards/<int:wildcard_id>/remove/": "test_the_wildcard_buttons_are_for_managers_only",
    "campaigns/<slug:slug>/manage/": "test_the_manager_pages_permission_matrix",
    "campaigns/<slug:slug>/preview.png": "test_only_what_the_public_may_see_has_a_preview_whoever_asks",
    "campaigns/<slug:slug>/results.csv": "test_only_managers_download_the_csv",
    "campaigns/<slug:slug>/results/": "test_the_results_page_and_api_name_no_anonymous_author_whoever_reads",
    "campaigns/<slug:slug>/results/<int:idea_id>/move-to-box/": "test_who_may_move_an_idea_into_the_box_on_the_page_and_through_the_api",
    "campaigns/<slug:slug>/tally/": "test_who_sees_the_tally_pages",
    "campaigns/<slug:slug>/tally/check/": "test_who_sees_the_tally_pages",
    "campaigns/<slug:slug>/tally/receipts.csv": "test_who_sees_the_tally_pages",
    "campaigns/<slug:slug>/transition/": "test_the_manager_actions_permission_matrix",
    "campaigns/<slug:slug>/unfollow/": "test_the_unfollow_permission_matrix",
    "campaigns/new/": "test_only_managers_open_the_new_campaign_page",
    "ideas/<int:pk>/": "test_an_authors_comment_on_their_anonymous_idea_names_nobody",
    "ideas/<int:pk>/attachments/<int:attachment_pk>/delete/": "test_only_the_authors_edit_an_idea_and_its_attachments",
    "ideas/<int:pk>/attachments/<int:attachment_pk>/describe/": "test_only_the_authors_edit_an_idea_and_its_attachments",
    "ideas/<int:pk>/coauthorship/": "test_only_the_invitee_answers_an_invitation_to_co_author",
    "ideas/<int:pk>/comments/": "test_who_may_comment_on_an_idea",
    "ideas/<int:pk>/edit/": "test_only_the_authors_edit_an_idea_and_its_attachments",
    "ideas/<int:pk>/follow/": "test_who_may_follow_an_idea",
    "ideas/<int:pk>/unvote/": "test_nobody_votes_on_pages_outside_voting",
    "ideas/<int:pk>/vote/": "test_nobody_votes_on_pages_outside_voting",
    "ideas/invitations/": "test_the_personal_pages_are_for_whoever_is_logged_in",
    "moderation/": "test_only_moderators_open_the_moderation_pages",
    "moderation/box/": "test_only_moderators_open_the_moderation_pages",
    "moderation/comments/<int:pk>/hide/": "test_who_may_moderate",
    "moderation/comments/<int:pk>/report/": "test_who_may_report_an_idea",
    "moderation/comments/<int:pk>/restore/": "test_who_may_moderate",
    "moderation/ideas/<int:pk>/approve/": "test_who_may_moderate",
    "moderation/ideas/<int:pk>/hide/": "test_who_may_moderate",
    "moderation/ideas/<int:pk>/merge/": "test_who_may_moderate",
    "moderation/ideas/<int:pk>/report/": "test_who_may_report_an_idea",
    "moderation/ideas/<int:pk>/restore/": "test_who_may_moderate",
    "moderation/ideas/<int:pk>/review/": "test_who_may_moderate",
    "moderation/log/": "test_only_moderators_open_the_moderation_pages",
    "moderation/reports/<int:pk>/dismiss/": "test_who_may_moderate",
}

EXEMPT = {
    "^api/": "the JSON 404 of unknown API paths",
    "api/v1/": "the JSON 404 of unknown API paths",
    "api/docs/": "the API's documentation, public",
    "api/schema/": "the API's description, public",
    "healthz": "the load balancer's probe, public",
    "i18n/setlang/": "Django's language switch, for anyone",
    "tally/verify.py": "the tally verifier's source, public",
}


def routes(patterns=None, prefix: str = "") -> set[str]:
    """Every route of the site as urls.py writes it, the admin's and allauth's left out."""
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.app_name != "admin" and not getattr(pattern.urlconf_module, "__name__", "").startswith(
                "allauth"
            ):
                found |= routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not (pattern.name or "").startswith("account_"):
            found.add(route)
    return found


def role_matrix_tests() -> set[str]:
    """The names of the test functions that take a `role` parameter."""
    names = set()
    for path in TESTS.rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(arg.arg == "role" for arg in node.args.args):
                names.add(node.name)
    return names


def test_every_route_has_a_role_matrix_or_is_exempt():
    listed = set(PERMISSION_TESTS) | set(EXEMPT)
    assert not routes() - listed, "routes with no role matrix: write one and name it in PERMISSION_TESTS"
    assert not listed - routes(), "no such route any more: take it out of its list"


def test_the_lists_do_not_overlap():
    assert not set(PERMISSION_TESTS) & set(EXEMPT)


def test_each_named_test_exists_and_walks_the_roles():
    missing = sorted(set(PERMISSION_TESTS.values()) - role_matrix_tests())
    assert not missing, f"no test of that name takes a `role` parameter: {missing}"
