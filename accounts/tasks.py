import smtplib

from django.core.mail import EmailMultiAlternatives

from celery import shared_task

from . import services


def serialize_email(message) -> dict:
    """What a worker needs to send a rendered message, as JSON."""
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "content_subtype": getattr(message, "content_subtype", "plain"),
    }


@shared_task(
    name="accounts.tasks.send_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
    ignore_result=True,
)
def send_email(payload: dict) -> None:
    # Mail is at-least-once: a worker killed after the server accepted the
    # message but before the task was acknowledged sends it again.
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload.get("cc") or None,
        bcc=payload.get("bcc") or None,
        reply_to=payload.get("reply_to") or None,
        headers=payload.get("headers") or None,
    )
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    message.content_subtype = payload.get("content_subtype", "plain")
    message.send()


@shared_task(name="accounts.tasks.clear_expired_sessions", ignore_result=True)
def clear_expired_sessions() -> None:
    # Safe to run twice or late: it deletes only what has expired.
    services.clear_expired_sessions()
