"""The hand-off summary: everything a counsellor needs to act without asking again, in SBAR order.

The input is the store's ``Lead`` row, the registry's ``Counsellor`` (or its snapshot dict, see
``Counsellor.from_record``) and an optional ``extra`` dict. Missing or odd values become
``None``/empty lists (rendered as "onbekend" or left out) instead of raising: a lead that reaches a
counsellor with one field unknown is worth far more than a lead lost to a ``KeyError``.

``extra`` keys (all optional):

==========================  ===============================================================
age_band                    "16-17" (``lead.age_band`` when absent)
situation                   "zit op school", "gestopt met school", "werkt", "zoekt werk", ...
interests                   list of button choices (or a dict {"choices": [...], "free_text": ...})
interests_free_text         the person's own words about interests
postcode4 / gemeente        4 digits (from ``lead.postcode`` when absent) / municipality
contact_method              telefoon | whatsapp | email | telegram (phone/e-mail aliases accepted)
contact_value               the number / address / handle (``lead.contact_value`` when absent)
contact_preferred_time      "na 16 uur", ...
context                     the context codes (bot.handoff.context.context_codes; ``lead.context`` when
                            absent): topics, doubts, asks_for, asker, language_needs, urgent,
                            explored_jobs. "Waarom contact", "Vraagt om", the doubts and what the bot
                            explained are made of them (v2: never the person's own words)
requested_next_step         what they ask for, when there are no codes for it
bot_explained               list of things the bot already explained (when there are no topic codes)
suggested_next_step         the bot's suggestion (the counsellor decides)
consent                     {"text_version", "given_at" (datetime/ISO), "given_by": zelf|ouder_voogd}
consent_text_version / consent_given_by   flat alternatives to ``consent``
routing_reason              why this counsellor was chosen
dont_ask_again              extra items for the "niet opnieuw vragen" list
attention                   list of warnings for the counsellor ("Let op"); a guardian's consent adds
                            GUARDIAN_UNCHECKED by itself
conversation_url            link to the conversation (default: built from settings)
==========================  ===============================================================
"""
from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

import jsonschema

from bot.handoff import context as conversation
from bot.handoff.clock import as_utc
from bot.handoff.workdays import dutch_date, dutch_date_long, promised_by
from bot.intake import validation
from bot.routing.counsellors import Counsellor
from bot.store.models import Lead

SCHEMA_NAME = "handoff-summary.v2"
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
SCHEMA_PATH = SCHEMA_DIR / "handoff-summary.v2.json"
# v1 summaries stored before issue 24 (handoff_cases.summary) still validate against their own file.
SCHEMA_PATHS = {"handoff-summary.v1": SCHEMA_DIR / "handoff-summary.v1.json", SCHEMA_NAME: SCHEMA_PATH}


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


def _label(table: Mapping[str, Any], code: Any) -> Any:
    """The intake stores codes ("gestopt", "elektro"); show the intake's own Dutch label when it has one."""
    entry = table.get(code) if code else None
    return entry[0] if entry else code


_GIVEN_BY = {"zelf": "zelf", "self": "zelf", "ouder_voogd": "ouder_voogd", "parent": "ouder_voogd",
             "guardian": "ouder_voogd", "ouder": "ouder_voogd", "voogd": "ouder_voogd"}


# Consent by a parent's e-mail proves only that someone could click a link in that mailbox; a child
# can type her own second address as her parent's (issue 22 item 9). The counsellor checks it.
GUARDIAN_UNCHECKED = ("Toestemming via e-mail van een ouder, niet gecontroleerd: vraag bij het eerste contact "
                      "naar de ouder.")


def same_client_text(minutes: int) -> str:
    when = "binnen een minuut" if minutes < 1 else f"{minutes} minuut later" if minutes == 1 else f"{minutes} minuten later"
    return (f"Bevestigd vanaf hetzelfde apparaat/adres als de aanvraag ({when}): misschien heeft het kind zelf "
            "'ja' gezegd. Spreek de ouder zelf voordat je verder gaat.")


def same_contact_text(earlier: Lead) -> str:
    """An earlier request with the same e-mail address, phone number or Telegram name."""
    when = dutch_date_long(as_utc(earlier.created_at)) if earlier.created_at else "eerder"
    who = earlier.counsellor_name or "een adviseur"
    if earlier.organisation:
        who += f" van {earlier.organisation}"
    return (f"Met dezelfde contactgegevens kwam eerder aanvraag {earlier.id} binnen ({when}, bij {who}). Het kan "
            "dezelfde persoon zijn, of iemand die andermans gegevens intypte: stem af voordat je contact opneemt.")


class SummaryInvalid(ValueError):
    """A summary that does not match ``schemas/handoff-summary.v1.json``: a bug, never sent out."""


def build_summary(lead: Lead, counsellor: Union[Counsellor, Mapping[str, Any]],
                  extra: Optional[Mapping[str, Any]] = None, *,
                  now: Optional[datetime] = None, promise_workdays: int = 2, retention_months: int = 12,
                  conversation_url: Optional[str] = None) -> Dict[str, Any]:
    """Build the summary dict and validate it against ``schemas/handoff-summary.v1.json``.

    Raises :class:`SummaryInvalid` (with the failing path) rather than hand a counsellor, or a
    webhook receiver that switches on ``schema``, a summary that breaks the contract.
    """
    summary = _summary(lead, Counsellor.from_record(counsellor), dict(extra or {}), now, promise_workdays,
                       retention_months, conversation_url)
    error = jsonschema.exceptions.best_match(_validator().iter_errors(summary))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise SummaryInvalid(f"hand-off summary for lead {lead.id} breaks {SCHEMA_NAME} at {where}: {error.message}")
    return summary


def _summary(lead: Lead, c: Counsellor, extra: Dict[str, Any], now: Optional[datetime], promise_workdays: int,
             retention_months: int, conversation_url: Optional[str]) -> Dict[str, Any]:
    created = as_utc(lead.created_at or now or datetime.now(timezone.utc))
    deadline = promised_by(created, promise_workdays)
    method = normalise_method(extra.get("contact_method") or lead.contact_method)
    value = extra.get("contact_value") or lead.contact_value
    interests = extra.get("interests")
    free_text = extra.get("interests_free_text") or lead.interests_text
    if isinstance(interests, Mapping):
        free_text = free_text or interests.get("free_text")
        interests = interests.get("choices")
    if interests is None:
        interests = lead.interests
    interests = [_label(validation.INTERESTS, i) for i in _texts(interests)]
    consent = extra.get("consent") if isinstance(extra.get("consent"), Mapping) else {}
    given_by = consent.get("given_by") or extra.get("consent_given_by") or lead.consent_basis
    text_version = (consent.get("text_version") or extra.get("consent_text_version")
                    or getattr(lead.consent_record, "consent_text_version", None))
    lead_age_band = lead.age_band
    situation = _label(validation.SITUATIONS, extra.get("situation") or lead.situation)
    gemeente = extra.get("gemeente") or lead.gemeente_name
    first_name = _text(lead.first_name, 100)

    dont_ask = []
    for label, present in (("voornaam", first_name), ("leeftijd", extra.get("age_band") or lead_age_band),
                           ("situatie", situation), ("interesses", interests or free_text),
                           ("postcode/woonplaats", extra.get("postcode4") or gemeente or lead.postcode),
                           ("hoe en wanneer contact", method), ("toestemming", True)):
        if present:
            dont_ask.append(label)
    for item in _texts(extra.get("dont_ask_again")):
        if item not in dont_ask:
            dont_ask.append(item)

    attention = _texts(extra.get("attention"))
    if _GIVEN_BY.get(str(given_by).lower()) == "ouder_voogd" and GUARDIAN_UNCHECKED not in attention:
        attention.insert(0, GUARDIAN_UNCHECKED)

    codes = extra.get("context") if isinstance(extra.get("context"), Mapping) else (lead.context or {})
    # with codes, what the bot explained is their topics (the preview showed those words); without
    # (a caller from before issue 24), the list it passed
    explained = conversation.labels(codes, "topics") if codes else _texts(extra.get("bot_explained"))
    codes = {**codes, "asks_for": _asks_for(codes, method)}
    coded = conversation.coded(codes)
    # what changes the first contact goes under "Let op" too: the language, urgency, who asks
    for label in [item["label"] for item in coded["language_needs"]] + conversation.labels(codes, "urgent"):
        if not any(a.split(":")[0] == label.split(":")[0] for a in attention):
            attention.append(_sentence(label))
    if coded["asker"]["code"] != "self":
        attention.append(_sentence(f"Wie vraagt: {coded['asker']['label']}"))

    promise_text = (f"binnen {promise_workdays} werkdagen, uiterlijk {dutch_date(deadline)}"
                    if promise_workdays else f"uiterlijk {dutch_date(deadline)}")
    return {
        "schema": SCHEMA_NAME,
        "referral": {"id": str(lead.id), "number": 1, "of": 1, "label": "1 van 1",
                     "created_at": created.isoformat()},
        "situation": {
            "region": {"code": _text(c.region_code or lead.region_code),
                       "name": _text(c.region_name or lead.region_name)},
            "organisation": _text(c.organisation or lead.organisation),
            "counsellor": {"name": _text(c.name or lead.counsellor_name)},
            "reason": _text(conversation.reason_text(codes)),
            "requested_next_step": _text(conversation.requested_text(codes) or extra.get("requested_next_step")),
            "promised": {"by": deadline.astimezone(timezone.utc).isoformat(), "workdays": promise_workdays,
                         "text": promise_text},
        },
        "background": {
            "first_name": first_name,
            "age_band": _text(extra.get("age_band")) or _text(lead_age_band),
            "situation": _text(situation),
            "interests": {"choices": _texts(interests), "free_text": _text(free_text)},
            "location": {"postcode4": _postcode4(extra.get("postcode4") or lead.postcode),
                         "gemeente": _text(gemeente)},
            "bot_explained": _texts(explained),
        },
        "assessment": {
            "doubts": [item["label"] for item in coded["doubts"]],
            "routing_reason": _text(extra.get("routing_reason") or lead.routing_reason),
        },
        "recommendation": {"suggested_next_step": _text(extra.get("suggested_next_step")), "decided_by": "adviseur"},
        "contact": {"method": method, "value": _text(value, 320),
                    "preferred_time": _text(extra.get("contact_preferred_time") or lead.contact_time)},
        "consent": {
            "text_version": _text(text_version),
            "given_at": _iso(consent.get("given_at") or extra.get("consent_at") or lead.consent_at),
            "given_by": _GIVEN_BY.get(str(given_by).lower()),
        },
        "dont_ask_again": dont_ask,
        "attention": attention,
        "context": coded,
        "conversation": {
            "url": _text(extra.get("conversation_url") or conversation_url),
            "delete_on": add_months(created.date(), retention_months).isoformat(),
        },
    }


def add_months(day: date, months: int) -> date:
    """Same day N months later (clamped to the month's end: 31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _asks_for(codes: Mapping[str, Any], method: Optional[str]) -> List[str]:
    """What they ask for, with the contact method as it is now on the lead (changed at the preview or
    in the workspace, the lead wins)."""
    channel = {"telefoon": "callback", "whatsapp": "whatsapp", "email": "email", "telegram": "telegram"}
    rest = [a for a in codes.get("asks_for") or [] if a not in channel.values()]
    return ([channel[method]] if method in channel else []) + rest


def load_schema(name: str = SCHEMA_NAME) -> Dict[str, Any]:
    return json.loads(SCHEMA_PATHS[name].read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _validator(name: str = SCHEMA_NAME) -> jsonschema.Draft202012Validator:
    """Loaded once per process: every summary is checked, the file is read and compiled once."""
    return jsonschema.Draft202012Validator(load_schema(name), format_checker=jsonschema.FormatChecker())


def validate_stored(summary: Mapping[str, Any]) -> List[str]:
    """Problems of a stored summary against the schema it names (v1 or v2); empty when it is valid."""
    name = summary.get("schema") if isinstance(summary, Mapping) else None
    if name not in SCHEMA_PATHS:
        return [f"unknown schema {name!r}"]
    return [e.message for e in _validator(name).iter_errors(dict(summary))]
