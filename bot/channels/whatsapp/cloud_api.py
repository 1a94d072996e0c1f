"""Meta's WhatsApp Cloud API: its limits, its error codes, and a thin client.

Limits and codes are Meta's (developers.facebook.com/documentation/business-messaging/
whatsapp; summed up in the project's platform facts, §7). The client sends one message
per call and turns Meta's error answers into :class:`CloudAPIError` with the code, so the
outbox can decide (wait, template, give up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

TEXT_MAX = 4096  # characters of a text message's body
INTERACTIVE_BODY_MAX = 1024  # of an interactive message's body
FOOTER_MAX = 60
BUTTONS_MAX = 3  # reply buttons
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_ROWS_MAX = 10  # in all sections together
LIST_SECTIONS_MAX = 10
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
ROW_ID_MAX = 200
LIST_BUTTON_MAX = 20
# Free-form messages only within 24 hours of the person's last message; else a template.
SERVICE_WINDOW = timedelta(hours=24)

# Error codes the bot acts on.
THROUGHPUT = 130429  # over the number's messages per second: wait
PAIR_RATE = 131056  # too many messages to one person: wait (about 6 s)
INVALID_PARAMETER = 131009  # a payload Meta refuses as it is
RE_ENGAGEMENT = 131047  # outside the 24-hour window: only a template may go
UNDELIVERABLE = 131026  # the number cannot receive (no WhatsApp, old app, blocked us)
TEMPLATE_MISSING = 132001  # no such template, or not approved, in that language
UNAUTHORIZED = 190  # the access token is wrong or expired


class CloudAPIError(Exception):
    """Meta refused a call: ``code`` is Meta's (or the HTTP status for a bare 5xx)."""

    def __init__(self, code: int, message: str, *, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Sent:
    """Meta took the message: its id (``wamid.…``), used later by the status webhooks."""

    message_id: str


class CloudAPI:
    """Sends messages from one business phone number.

    ``transport``: the emulator's in tests and in the local chat; Meta's servers (with
    ``base_url`` https://graph.facebook.com/v21.0) otherwise."""

    def __init__(
        self,
        *,
        token: str,
        phone_number_id: str,
        base_url: str,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.phone_number_id = phone_number_id
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
            timeout=timeout,
        )

    async def send(self, payload: dict[str, Any]) -> Sent:
        """POST one message (``payload`` from :mod:`bot.channels.whatsapp.messages`)."""
        answer = await self._client.post(f"{self.phone_number_id}/messages", json=payload)
        if answer.status_code >= 400:
            raise _error_of(answer)
        return Sent(answer.json()["messages"][0]["id"])

    async def aclose(self) -> None:
        await self._client.aclose()


def _error_of(answer: httpx.Response) -> CloudAPIError:
    try:
        error = answer.json()["error"]
        return CloudAPIError(int(error["code"]), str(error["message"]), status=answer.status_code)
    except (ValueError, KeyError, TypeError):  # a proxy's HTML page, an empty 502
        return CloudAPIError(answer.status_code, answer.reason_phrase, status=answer.status_code)
