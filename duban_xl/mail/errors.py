"""Why a mail run could not go on (exit 2, one line; the next run resumes)."""
from __future__ import annotations

from ..errors import BadConfig, DubanError

__all__ = ["BadConfig", "MailUnavailable"]


class MailUnavailable(DubanError):
    """The mailbox or the outgoing server is out of reach, refuses us, or broke off."""

    code = "mail_unavailable"
    english = "the mail server cannot be used"
