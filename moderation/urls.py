from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("log/", views.log, name="log"),
    path("box/", views.box, name="box"),
    path("ideas/<int:pk>/report/", views.report_idea, name="report_idea"),
    path("ideas/<int:pk>/hide/", views.hide_idea, name="hide_idea"),
    path("ideas/<int:pk>/restore/", views.restore_idea, name="restore_idea"),
    path("ideas/<int:pk>/approve/", views.approve, name="approve"),
    path("ideas/<int:pk>/merge/", views.merge, name="merge"),
    path("ideas/<int:pk>/review/", views.review_status, name="review"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("comments/<int:pk>/hide/", views.hide_comment, name="hide_comment"),
    path("comments/<int:pk>/restore/", views.restore_comment, name="restore_comment"),
    path("reports/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
]
