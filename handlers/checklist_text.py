"""How a checklist reads: its groups, a progress bar, the one-line summary of a plan,
and an item's page (shared by the checklist, its set-up and the public steps)."""

from __future__ import annotations

from datetime import date
from html import escape

from bot.content.checklist import GROUPS, Item
from bot.conversation import Turn
from bot.terms import explained
from storage.models import Checklist

BAR = 10


def group_labels(context: Turn) -> dict[str, str]:
    _ = context._
    labels = {
        "documents": _.pgettext("group", "📄 Documents"),
        "health": _.pgettext("group", "🩺 Health"),
        "training": _.pgettext("group", "🎓 Training and certificates"),
        "agreements": _.pgettext("group", "📝 Agreements and costs"),
        "insurance": _.pgettext("group", "🛡 Insurance"),
        "before_flight": _.pgettext("group", "✈️ Before you fly"),
        "after_arrival": _.pgettext("group", "🏠 After you arrive"),
    }
    assert set(labels) == set(GROUPS)
    return labels


def bar(done: int, total: int) -> str:
    filled = round(BAR * done / total) if total else 0
    return "▓" * filled + "░" * (BAR - filled)


def _destination(context: Turn, plan: Checklist) -> str:
    country = context.services.checklist.countries.get(plan.country or "")
    if country is not None:
        return context._(country.name)
    return escape(plan.country_other or "–")


def departure(context: Turn, plan: Checklist) -> str:
    _ = context._
    if plan.departure_on is None:
        return _("not known yet")
    if plan.departure_approx:
        return _.date(plan.departure_on, "MMMM y")
    return _.date(plan.departure_on)


def summary_line(context: Turn, plan: Checklist) -> str:
    """Destination, work and departure in one line (the checklist, the list of answers)."""
    _ = context._
    sector = context.services.checklist.sectors.get(plan.sector or "")
    return _(
        "Destination: {country} · Work: {sector} · Departure: {date}",
        country=_destination(context, plan),
        sector=_(sector.name) if sector else "–",
        date=departure(context, plan),
    )


def item_text(
    context: Turn, item: Item, done: bool | None, expires_on: date | None, office: str
) -> str:
    """One item's page; ``office`` fills the texts that name the office abroad; ``done``
    is None on the read-only page of someone who keeps no checklist."""
    _ = context._
    # Free items: one fixed sentence with the law (their note would only repeat it).
    # "check" items carry their own advice to ask Disnaker/BP3MI before paying (content).
    cost = (
        _("Free. Nobody may charge you for this ({law}).", law=escape(item.legal_basis or ""))
        if item.cost == "free"
        else escape(_(item.cost_note))
    )
    lines = [
        f"<b>{escape(_(item.title))}</b>"
        + ("" if done is None else " " + (_("✅ done") if done else _("⬜ not done yet"))),
        _("<b>Why it matters:</b> {text}", text=escape(_(item.why, office=office))),
        _("<b>Where to get it:</b> {text}", text=escape(_(item.where, office=office))),
        _("<b>Cost:</b> {text}", text=cost),
        _("<b>Warning signs:</b> {text}", text=escape(_(item.warning, office=office))),
    ]
    if expires_on is not None:
        lines.append(_("Valid until: {date}", date=_.date(expires_on)))
    return explained(_, "\n\n".join(lines))
