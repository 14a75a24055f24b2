"""The hand-off summary: everything a counsellor needs to act without asking again, in SBAR order.

The intake (issue 4) is built in parallel, so the input is deliberately loose: a ``Lead`` row, a
``Counsellor`` (dataclass or plain dict) and an ``extra`` dict. Missing or odd values become
``None``/empty lists (rendered as "onbekend" or left out) instead of raising: a lead that reaches a
counsellor with one field unknown is worth far more than a lead lost to a ``KeyError``.

``extra`` keys (all optional):

==========================  ===============================================================
age_band                    "16-17" (computed from ``lead.age`` when absent)
situation                   "zit op school", "gestopt met school", "werkt", "zoekt werk", ...
interests                   list of button choices (or a dict {"choices": [...], "free_text": ...})
interests_free_text         the person's own words about interests
postcode4 / gemeente        4 digits (from ``lead.postcode`` when absent) / municipality
contact_method              telefoon | whatsapp | email | telegram (phone/e-mail aliases accepted)
contact_value               the number / address / handle (from ``lead.contact`` when absent)
contact_preferred_time      "na 16 uur", ...
reason                      why they want contact, in their own words
requested_next_step         what they ask for ("bellen", "langskomen", ...)
hesitations                 list (or one string) of doubts in their own words
unanswered_questions        list of questions the bot could not answer
bot_explained               list of things the bot already explained
suggested_next_step         the bot's suggestion (the counsellor decides)
consent                     {"text_version", "given_at" (datetime/ISO), "given_by": zelf|ouder_voogd}
consent_text_version / consent_given_by   flat alternatives to ``consent``
routing_reason              why this counsellor was chosen
dont_ask_again              extra items for the "niet opnieuw vragen" list
conversation_url            link to the conversation (default: built from settings)
==========================  ===============================================================
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from bot.handoff.clock import as_utc
from bot.handoff.workdays import dutch_date, promised_by

SCHEMA_NAME = "handoff-summary.v1"
SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "handoff-summary.v1.json"


@dataclass(frozen=True)
class Counsellor:
    """One counsellor as the hand-off sees it (the registry of issue 4 maps onto this)."""

    name: str
    id: str = ""
    organisation: str = ""
    region_code: str = ""
    region_name: str = ""
    email: str = ""
    telegram_chat_id: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    coordinator_email: str = ""

    @classmethod
    def from_any(cls, value: Union["Counsellor", Mapping[str, Any], Any]) -> "Counsellor":
        """Accept this dataclass, a dict, or any object with these attribute names."""
        if isinstance(value, Counsellor):
            return value
        names = [f.name for f in fields(cls)]
        if isinstance(value, Mapping):
            data = {n: value.get(n) for n in names}
        else:
            data = {n: getattr(value, n, None) for n in names}
        return cls(**{n: ("" if v is None else str(v).strip()) for n, v in data.items()})

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.strip() else "je adviseur"

    def channels(self) -> List[str]:
        """Delivery channels this counsellor can receive on, in a fixed order."""
        out = []
        if self.email:
            out.append("email")
        if self.telegram_chat_id:
            out.append("telegram")
        if self.webhook_url:
            out.append("webhook")
        return out

    def to_dict(self) -> Dict[str, str]:
        return asdict(self)


_METHODS = {
    "telefoon": "telefoon", "phone": "telefoon", "tel": "telefoon", "bellen": "telefoon", "sms": "telefoon",
    "whatsapp": "whatsapp", "app": "whatsapp", "appen": "whatsapp",
    "email": "email", "e-mail": "email", "mail": "email",
    "telegram": "telegram",
}


def normalise_method(value: Any) -> Optional[str]:
    if not value:
        return None
    return _METHODS.get(str(value).strip().lower())


def age_band(age: Optional[int]) -> Optional[str]:
    if age is None:
        return None
    for low, high in ((12, 15), (16, 17), (18, 20), (21, 23), (24, 27), (28, 35), (36, 49), (50, 67)):
        if low <= age <= high:
            return f"{low}-{high}"
    return None


def _text(value: Any, limit: int = 2000) -> Optional[str]:
    if value is None:
        return None
    value = str(value).strip()
    return value[:limit] or None


def _texts(value: Any) -> List[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        value = [value]
    return [t for t in (_text(v) for v in value) if t][:50]


def _iso(value: Any) -> Optional[str]:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    try:
        return as_utc(datetime.fromisoformat(str(value))).isoformat()
    except ValueError:
        return None


def _postcode4(value: Any) -> Optional[str]:
    match = re.match(r"\s*([1-9][0-9]{3})", str(value or ""))
    return match.group(1) if match else None


def lead_contact(lead: Any) -> Dict[str, Any]:
    """Contact details from either lead shape: the foundation's ``contact`` JSON
    ({"method", "value", "preferred_time"}) or the intake's columns
    (``contact_method``, ``contact_value``, ``contact_time``)."""
    contact = getattr(lead, "contact", None)
    contact = dict(contact) if isinstance(contact, Mapping) else {}
    for key, column in (("method", "contact_method"), ("value", "contact_value"), ("preferred_time", "contact_time")):
        if not contact.get(key) and getattr(lead, column, None):
            contact[key] = getattr(lead, column)
    return contact


def _label(table: str, code: Any) -> Any:
    """Intake stores codes ("gestopt", "elektro"); show the intake's own Dutch label when it has one."""
    if not code:
        return code
    try:
        import bot.intake.validation as validation
        entry = getattr(validation, table, {}).get(code)
    except Exception:
        entry = None
    return entry[0] if entry else code


_GIVEN_BY = {"zelf": "zelf", "self": "zelf", "ouder_voogd": "ouder_voogd", "parent": "ouder_voogd",
             "guardian": "ouder_voogd", "ouder": "ouder_voogd", "voogd": "ouder_voogd"}


def build_summary(lead: Any, counsellor: Any, extra: Optional[Mapping[str, Any]] = None, *,
                  now: Optional[datetime] = None, promise_workdays: int = 2, retention_months: int = 12,
                  conversation_url: Optional[str] = None) -> Dict[str, Any]:
    """Build the summary dict (validates against ``schemas/handoff-summary.v1.json``).

    ``lead`` is the ``bot.store.models.Lead`` row (or any object with its attribute names).
    """
    extra = dict(extra or {})
    c = Counsellor.from_any(counsellor)
    created = getattr(lead, "created_at", None) or now or datetime.now(timezone.utc)
    created = as_utc(created)
    now = now or created
    deadline = promised_by(created, promise_workdays)
    contact = lead_contact(lead)
    method = normalise_method(extra.get("contact_method") or contact.get("method"))
    value = extra.get("contact_value") or contact.get("value")
    if not value and method:
        value = contact.get({"telefoon": "phone", "whatsapp": "phone", "email": "email",
                             "telegram": "telegram"}[method])
    interests = extra.get("interests")
    free_text = extra.get("interests_free_text") or getattr(lead, "interests_text", None)
    if isinstance(interests, Mapping):
        free_text = free_text or interests.get("free_text")
        interests = interests.get("choices")
    if interests is None:
        interests = getattr(lead, "interests", None)
    interests = [_label("INTERESTS", i) for i in _texts(interests)]
    consent = extra.get("consent") if isinstance(extra.get("consent"), Mapping) else {}
    given_by = consent.get("given_by") or extra.get("consent_given_by") or getattr(lead, "consent_basis", None)
    text_version = (consent.get("text_version") or extra.get("consent_text_version")
                    or getattr(getattr(lead, "consent_record", None), "consent_text_version", None))
    lead_age_band = getattr(lead, "age_band", None) or age_band(getattr(lead, "age", None))
    situation = _label("SITUATIONS", extra.get("situation") or getattr(lead, "situation", None))
    gemeente = extra.get("gemeente") or getattr(lead, "gemeente_name", None)
    first_name = _text(getattr(lead, "first_name", None), 100)

    dont_ask = []
    for label, present in (("voornaam", first_name), ("leeftijd", extra.get("age_band") or lead_age_band),
                           ("situatie", situation), ("interesses", interests or free_text),
                           ("postcode/woonplaats", extra.get("postcode4") or gemeente or getattr(lead, "postcode", None)),
                           ("hoe en wanneer contact", method), ("toestemming", True)):
        if present:
            dont_ask.append(label)
    for item in _texts(extra.get("dont_ask_again")):
        if item not in dont_ask:
            dont_ask.append(item)

    promise_text = (f"binnen {promise_workdays} werkdagen, uiterlijk {dutch_date(deadline)}"
                    if promise_workdays else f"uiterlijk {dutch_date(deadline)}")
    return {
        "schema": SCHEMA_NAME,
        "referral": {"id": str(lead.id), "number": 1, "of": 1, "label": "1 van 1",
                     "created_at": created.isoformat()},
        "situation": {
            "region": {"code": _text(c.region_code or getattr(lead, "region_code", None)),
                       "name": _text(c.region_name or getattr(lead, "region_name", None))},
            "organisation": _text(c.organisation or getattr(lead, "organisation", None)),
            "counsellor": {"name": _text(c.name or getattr(lead, "counsellor_name", None))},
            "reason_own_words": _text(extra.get("reason")),
            "requested_next_step": _text(extra.get("requested_next_step")),
            "promised": {"by": deadline.astimezone(timezone.utc).isoformat(), "workdays": promise_workdays,
                         "text": promise_text},
        },
        "background": {
            "first_name": first_name,
            "age_band": _text(extra.get("age_band")) or _text(lead_age_band),
            "situation": _text(situation),
            "interests": {"choices": _texts(interests), "free_text": _text(free_text)},
            "location": {"postcode4": _postcode4(extra.get("postcode4") or getattr(lead, "postcode", None)),
                         "gemeente": _text(gemeente)},
            "bot_explained": _texts(extra.get("bot_explained")),
        },
        "assessment": {
            "hesitations": _texts(extra.get("hesitations")),
            "unanswered_questions": _texts(extra.get("unanswered_questions")),
            "routing_reason": _text(extra.get("routing_reason") or getattr(lead, "routing_reason", None)),
        },
        "recommendation": {"suggested_next_step": _text(extra.get("suggested_next_step")), "decided_by": "adviseur"},
        "contact": {"method": method, "value": _text(value, 320),
                    "preferred_time": _text(extra.get("contact_preferred_time") or contact.get("preferred_time"))},
        "consent": {
            "text_version": _text(text_version),
            "given_at": _iso(consent.get("given_at") or extra.get("consent_at") or getattr(lead, "consent_at", None)),
            "given_by": _GIVEN_BY.get(str(given_by).lower()),
        },
        "dont_ask_again": dont_ask,
        "conversation": {
            "url": _text(extra.get("conversation_url") or conversation_url),
            "delete_on": add_months(created.date(), retention_months).isoformat(),
        },
    }


def add_months(day: date, months: int) -> date:
    """Same day N months later (clamped to the month's end: 31 Jan + 1 → 28/29 Feb)."""
    import calendar
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def load_schema() -> Dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
