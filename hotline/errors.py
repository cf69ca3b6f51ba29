"""Domain errors with a stable code, turned into structured JSON by the API.

The message is a lazy translation template filled with the details (``%(name)s``): the API
renders it in Chinese and in English, so a client always gets both.
"""

from __future__ import annotations

from typing import Any


class HotlineError(Exception):
    """A refusal the user can understand: a stable ``code`` plus a translated message."""

    status = 400

    def __init__(self, code: str, message: Any, /, *, status: int | None = None, **details: Any):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def render(self) -> str:
        """The message in the active language, with the details filled in."""
        return render_message(self.message, self.details)


def render_message(message: Any, details: dict[str, Any] | None = None) -> str:
    """A (lazy) message template in the active language, filled with ``details``."""
    text = str(message)
    if not details:
        return text
    return text % {key: str(value) for key, value in details.items()}


class NotFound(HotlineError):
    status = 404


class Forbidden(HotlineError):
    status = 403


class Conflict(HotlineError):
    """Somebody else changed the record first; reload and try again."""

    status = 409
