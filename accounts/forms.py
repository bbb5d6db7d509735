from django import forms

from .models import NotificationSettings, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language"]


class NotificationSettingsForm(forms.ModelForm):
    """One checkbox per kind of e-mail; an unticked box turns the kind off."""

    class Meta:
        model = NotificationSettings
        fields = list(NotificationSettings.KINDS)
