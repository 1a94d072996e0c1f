"""A strict WhatsApp Cloud API, in process: an httpx transport that answers the messages
endpoint as Meta does, and refuses what Meta refuses.

It checks the token and the phone number id; every limit of a text, reply-button or
list message; that a free-form message goes only within 24 hours of the person's last
message (:meth:`inbound` opens the window); that a template exists, is approved in that
language and gets its number of parameters; the number's messages per second and one
message per 6 seconds to one person (on the injected clock). Faults can be queued:
Meta's 429s, a 5xx, a time-out, an undeliverable number. What it took is in
:attr:`sent`, in order."""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx

from bot.channels.whatsapp import cloud_api as api
from bot.content.whatsapp_templates import Templates

Fault = Literal["throughput", "pair_rate", "server", "timeout", "undeliverable"]
PAIR_GAP = timedelta(seconds=6)


@dataclass(frozen=True)
class Template:
    """A message template as WhatsApp Manager holds it, in one language."""

    name: str
    language: str
    parameters: int = 0
    status: Literal["APPROVED", "PENDING", "REJECTED"] = "APPROVED"


def approved(content: Templates) -> list[Template]:
    """The project's templates (``whatsapp_templates.yaml``) as approved in every
    language, for an emulator that stands for a number whose templates Meta accepted."""
    return [
        Template(t.name, language, parameters=t.parameters)
        for t in content.templates
        for language in t.texts
    ]


class Refused(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class CloudAPIEmulator(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        token: str = "test-token",
        phone_number_id: str = "100200300",
        templates: Iterable[Template] = (),
        throughput: int = 80,
    ) -> None:
        self.clock = clock
        self.token = token
        self.phone_number_id = phone_number_id
        self.templates = {(t.name, t.language): t for t in templates}
        self.throughput = throughput
        self.sent: list[dict[str, Any]] = []
        self.last_inbound: dict[str, datetime] = {}
        self._faults: deque[Fault] = deque()
        self._sent_at: list[datetime] = []
        self._last_to: dict[str, datetime] = {}

    def inbound(self, wa_id: str, at: datetime | None = None) -> None:
        """The person wrote to the business: the 24-hour window opens (again)."""
        self.last_inbound[wa_id] = at or self.clock()

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        self._faults.extend([fault] * times)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return self._answer(request)
        except Refused as refused:
            body = {
                "error": {
                    "message": refused.message,
                    "type": "OAuthException",
                    "code": refused.code,
                    "fbtrace_id": uuid.uuid4().hex[:16],
                }
            }
            return httpx.Response(refused.status, json=body, request=request)

    # --- the endpoint ---------------------------------------------------------------

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            raise Refused(api.UNAUTHORIZED, "Invalid OAuth access token", status=401)
        if request.method != "POST" or request.url.path.rstrip("/").split("/")[-2:] != [
            self.phone_number_id,
            "messages",
        ]:
            raise Refused(100, f"Unsupported request: {request.method} {request.url.path}")
        if self._faults:
            fault = self._faults.popleft()
            if fault == "timeout":
                raise httpx.ReadTimeout("emulated time-out", request=request)
            if fault == "server":
                return httpx.Response(502, text="Bad Gateway", request=request)
            raise Refused(*_FAULTS[fault])
        try:
            message = json.loads(request.content)
        except ValueError as exc:
            raise Refused(100, "The request body is not JSON") from exc
        to = self._check(message)
        now = self.clock()
        self._pace(to, now)
        self.sent.append(message)
        wamid = f"wamid.{uuid.uuid4().hex}"
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            },
            request=request,
        )

    def _pace(self, to: str, now: datetime) -> None:
        second_ago = now - timedelta(seconds=1)
        self._sent_at = [at for at in self._sent_at if at > second_ago]
        if len(self._sent_at) >= self.throughput:
            raise Refused(api.THROUGHPUT, "Rate limit hit", status=429)
        last = self._last_to.get(to)
        if last is not None and now - last < PAIR_GAP:
            raise Refused(api.PAIR_RATE, "Too many messages to this user", status=429)
        self._sent_at.append(now)
        self._last_to[to] = now

    # --- what Meta refuses ----------------------------------------------------------

    def _check(self, message: dict[str, Any]) -> str:
        _require(message.get("messaging_product") == "whatsapp", "messaging_product")
        to = message.get("to")
        if not (isinstance(to, str) and to.isdigit() and 8 <= len(to) <= 15):
            raise Refused(api.INVALID_PARAMETER, "Parameter value is not valid: to")
        kind = message.get("type")
        content = message.get(kind) if isinstance(kind, str) else None
        if not isinstance(content, dict):
            raise Refused(api.INVALID_PARAMETER, f"Parameter value is not valid: {kind}")
        if kind == "template":
            self._check_template(content)
            return to
        opened = self.last_inbound.get(to)
        if opened is None or self.clock() - opened >= api.SERVICE_WINDOW:
            raise Refused(
                api.RE_ENGAGEMENT,
                "Re-engagement message: more than 24 hours have passed since the "
                "recipient last replied",
            )
        if kind == "text":
            _text(content.get("body"), api.TEXT_MAX, "text.body")
        elif kind == "interactive":
            _check_interactive(content)
        else:
            raise Refused(api.INVALID_PARAMETER, f"Unsupported message type {kind!r}")
        return to

    def _check_template(self, content: dict[str, Any]) -> None:
        name, language = content.get("name"), (content.get("language") or {}).get("code")
        found = self.templates.get((str(name), str(language)))
        if found is None or found.status != "APPROVED":
            raise Refused(
                api.TEMPLATE_MISSING,
                f"Template name does not exist in the translation: {name} ({language})",
            )
        given = sum(
            len(c.get("parameters", []))
            for c in content.get("components", [])
            if c.get("type") == "body"
        )
        if given != found.parameters:
            raise Refused(
                132000, f"Number of parameters ({given}) does not match ({found.parameters})"
            )


_FAULTS: dict[str, tuple[int, str, int]] = {
    "throughput": (api.THROUGHPUT, "Rate limit hit", 429),
    "pair_rate": (api.PAIR_RATE, "Too many messages to this user", 429),
    "undeliverable": (api.UNDELIVERABLE, "Message undeliverable", 400),
}


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise Refused(api.INVALID_PARAMETER, f"Parameter value is not valid: {what}")


def _text(value: Any, limit: int, what: str) -> None:
    _require(isinstance(value, str) and 0 < len(value) <= limit, f"{what} (1–{limit} chars)")


def _check_interactive(content: dict[str, Any]) -> None:
    _text((content.get("body") or {}).get("text"), api.INTERACTIVE_BODY_MAX, "body.text")
    action = content.get("action") or {}
    if content.get("type") == "button":
        buttons = _items(action.get("buttons"), api.BUTTONS_MAX, "buttons")
        replies = [b.get("reply") or {} for b in buttons]
        for reply in replies:
            _text(reply.get("id"), api.BUTTON_ID_MAX, "button id")
            _text(reply.get("title"), api.BUTTON_TITLE_MAX, "button title")
        _unique([r["id"] for r in replies], "button ids")
        _unique([r["title"] for r in replies], "button titles")
    elif content.get("type") == "list":
        _text(action.get("button"), api.LIST_BUTTON_MAX, "list button")
        sections = _items(action.get("sections"), api.LIST_SECTIONS_MAX, "sections")
        if len(sections) > 1:
            for section in sections:
                _text(section.get("title"), api.ROW_TITLE_MAX, "section title")
        rows = [row for section in sections for row in section.get("rows") or []]
        _require(1 <= len(rows) <= api.LIST_ROWS_MAX, f"rows (1–{api.LIST_ROWS_MAX})")
        for row in rows:
            _text(row.get("id"), api.ROW_ID_MAX, "row id")
            _text(row.get("title"), api.ROW_TITLE_MAX, "row title")
            if "description" in row:
                _text(row["description"], api.ROW_DESCRIPTION_MAX, "row description")
        _unique([row["id"] for row in rows], "row ids")
    else:
        raise Refused(
            api.INVALID_PARAMETER, f"Unsupported interactive type {content.get('type')!r}"
        )


def _items(value: Any, most: int, what: str) -> list[dict[str, Any]]:
    """``value`` as a list of 1 to ``most`` objects, or refused."""
    if not (isinstance(value, list) and 1 <= len(value) <= most):
        raise Refused(api.INVALID_PARAMETER, f"Parameter value is not valid: {what} (1–{most})")
    _require(all(isinstance(item, dict) for item in value), what)
    return value


def _unique(values: list[str], what: str) -> None:
    _require(len(set(values)) == len(values), f"{what} must be unique")
