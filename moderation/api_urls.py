"""The moderation API's routes, included under /api/v1/ (names `api:moderation-...`)."""

from django.urls import path

from .api import (
    CommentHideView,
    CommentReportView,
    CommentRestoreView,
    IdeaApproveView,
    IdeaHideView,
    IdeaMergeView,
    IdeaReportView,
    IdeaRestoreView,
    IdeaReviewView,
    ModerationQueueView,
    ReportDismissView,
)

urlpatterns = [
    path("ideas/<int:pk>/report/", IdeaReportView.as_view(), name="moderation-idea-report"),
    path("ideas/<int:pk>/hide/", IdeaHideView.as_view(), name="moderation-idea-hide"),
    path("ideas/<int:pk>/restore/", IdeaRestoreView.as_view(), name="moderation-idea-restore"),
    path("ideas/<int:pk>/approve/", IdeaApproveView.as_view(), name="moderation-idea-approve"),
    path("ideas/<int:pk>/merge/", IdeaMergeView.as_view(), name="moderation-idea-merge"),
    path("ideas/<int:pk>/review/", IdeaReviewView.as_view(), name="moderation-idea-review"),
    path("comments/<int:pk>/report/", CommentReportView.as_view(), name="moderation-comment-report"),
    path("comments/<int:pk>/hide/", CommentHideView.as_view(), name="moderation-comment-hide"),
    path("comments/<int:pk>/restore/", CommentRestoreView.as_view(), name="moderation-comment-restore"),
    path("reports/<int:pk>/dismiss/", ReportDismissView.as_view(), name="moderation-report-dismiss"),
    path("moderation/queue/", ModerationQueueView.as_view(), name="moderation-queue"),
]
