"""Indonesia's office in a destination country (KBRI, KJRI or KDEI), as the checklist's
``{office}`` placeholder names it: the office's own name with what it is, in plain words.

Taiwan has no embassy: its office is KDEI Taipei (content-facts §8.2), so the kind comes
from the name in ``checklist.yaml`` and is never assumed to be an embassy.
"""

from __future__ import annotations

from bot.content.checklist import Checklist, Country
from bot.i18n import Translator


def office_name(_: Translator, country: Country | None) -> str:
    """The office for ``country``; a general description for a country not in the list."""
    if country is None:
        # TRANSLATORS: used where the checklist names the office, e.g. "Report yourself to …"
        return _("the Indonesian embassy (KBRI) or consulate (KJRI) in that country")
    if country.office_kind == "KDEI":
        # TRANSLATORS: {office} is a name such as "KDEI Taipei"; keep it as it is.
        return _(
            "{office} (Indonesia's office in Taiwan, in place of an embassy)",
            office=country.office,
        )
    if country.office_kind == "KJRI":
        # TRANSLATORS: {office} is a name such as "KJRI Hong Kong"; keep it as it is.
        return _("{office} (the Indonesian consulate)", office=country.office)
    # TRANSLATORS: {office} is a name such as "KBRI Kuala Lumpur"; keep it as it is.
    return _("{office} (the Indonesian embassy)", office=country.office)


def office_for(_: Translator, content: Checklist, country_id: str | None) -> str:
    """The office for a person's chosen destination (``None`` or a typed name: general)."""
    return office_name(_, content.countries.get(country_id or ""))
