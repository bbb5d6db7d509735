from django.urls import path

from . import views

app_name = "votes"

urlpatterns = [
    path("ideas/<int:pk>/vote/", views.vote, name="vote"),
    path("ideas/<int:pk>/unvote/", views.unvote, name="unvote"),
    # Moved from ideas/urls.py (same address): accepting an invitation to
    # co-author withdraws the invitee's own vote.
    path("ideas/<int:pk>/coauthorship/", views.coauthorship_answer, name="coauthorship"),
]
