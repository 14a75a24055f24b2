"""From Rasa events to the steps of one conversation, and from conversations to counts.

Only these facts are kept of a conversation: its channel, region (CBS code), age band (the intake's
band, never the age), the steps it reached, the last intake question it reached and whether it
needed the fallback. Texts are looked at for one thing only: a question the bot could not answer
outside the intake goes to the redactor (bot.analytics.redact) and then into
``analytics_unanswered``; everything typed inside the intake (names, numbers, addresses) is never
even read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from bot.store.analytics_models import UNKNOWN

# The intake's questions, in the order the bot asks them (bot.intake.decisions.required_slots);
# "confirm" is the preview.
QUESTIONS = ("age_band", "first_name", "situation", "interests", "location", "location_choice", "minor_route",
             "contact_method", "contact_value", "contact_time")
QUESTION_LABELS = {
    "first_name": "Voornaam", "age_band": "Leeftijd", "situation": "Situatie", "interests": "Interesse",
    "location": "Woonplaats of postcode", "location_choice": "Welke plaats", "minor_route": "Onder 16: route",
    "contact_method": "Hoe contact", "contact_value": "Telefoon of e-mail", "contact_time": "Wanneer bellen",
}
CONVERSATION_STEPS = ("started", "topic", "intake", *(f"q:{q}" for q in QUESTIONS), "preview", "consent", "handoff")
LEAD_STEPS = ("contacted", "appointment", "outcome")
STEPS = CONVERSATION_STEPS + LEAD_STEPS
STEP_LABELS = {
    "started": "Gesprek begonnen", "topic": "Vraag over een onderwerp", "intake": "Intake begonnen",
    **{f"q:{q}": f"Vraag: {label}" for q, label in QUESTION_LABELS.items()},
    "preview": "Overzicht getoond", "consent": "Toestemming gegeven", "handoff": "Doorgezet naar adviseur",
    "contacted": "Contact gehad", "appointment": "Afspraak gepland", "outcome": "Gestart met opleiding of werk",
}
TOPIC_INTENTS = frozenset({"ask_jobs", "ask_salary", "ask_training", "ask_guarantee", "ask_events",
                           "explore_options", "doubt_fit"})
FALLBACK_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
CHANNELS = frozenset({"web", "telegram", "rest"})
AGE_BAND = re.compile(r"^\d{2}-\d{2}$")
REGION = re.compile(r"^AM\d{2}$")
INTAKE_FORM = "intake_form"
INITIATIVE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")


def iso_week(moment: Any) -> str:
    """"2026-W49" for a datetime, a date or a Unix timestamp (UTC)."""
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    day = moment.date() if isinstance(moment, datetime) else moment
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def channel_of(name: Optional[str]) -> str:
    name = (name or "").strip().lower()
    return name if name in CHANNELS else ("overig" if name else UNKNOWN)


@dataclass
class Progress:
    """One conversation as the funnel knows it (the in-memory twin of ``analytics_conversations``)."""
    week: str
    channel: str = UNKNOWN
    region_code: str = UNKNOWN
    age_band: str = UNKNOWN
    steps: List[str] = field(default_factory=list)
    last_question: Optional[str] = None
    in_form: bool = False
    fallback: bool = False
    initiative: Optional[str] = None  # the pack's code it came in through (issue 28), once per conversation

    def reach(self, step: str) -> None:
        if step not in self.steps:
            self.steps.append(step)


def apply_event(progress: Progress, event: Mapping[str, Any], unanswered: List[str]) -> None:
    """Updates ``progress`` with one Rasa event; appends an unanswered question's raw text to
    ``unanswered`` (the caller redacts it before anything is stored)."""
    kind = event.get("event")
    if kind == "user":
        progress.reach("started")
        if progress.channel == UNKNOWN:
            progress.channel = channel_of(event.get("input_channel"))
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if progress.in_form:
            return  # inside the intake the text is an answer (a name, a phone number): never read
        if intent in TOPIC_INTENTS:
            progress.reach("topic")
        if intent in FALLBACK_INTENTS:
            progress.fallback = True
            text = str(event.get("text") or "")
            if text.strip() and not text.startswith("/"):
                unanswered.append(text)
    elif kind == "active_loop":
        progress.in_form = event.get("name") == INTAKE_FORM
        if progress.in_form:
            progress.reach("intake")
    elif kind == "slot":
        name, value = event.get("name"), event.get("value")
        if name == "requested_slot" and value in QUESTIONS:
            progress.reach(f"q:{value}")
            progress.last_question = value
        elif name == "requested_slot" and value == "confirm":
            progress.reach("preview")
        elif name == "confirm" and value == "send":
            progress.reach("consent")
        elif name == "lead_id" and value:
            progress.reach("handoff")
        elif name == "initiative" and progress.initiative is None and isinstance(value, str) \
                and INITIATIVE.match(value):
            progress.initiative = value  # a code from a pack (actions/regional.py), never a person's words
        elif name == "age_band" and isinstance(value, str) and AGE_BAND.match(value):
            progress.age_band = value  # the validated band; the raw answer never matches the pattern
        elif name == "place" and isinstance(value, dict) and progress.region_code == UNKNOWN \
                and REGION.match(str(value.get("region_code") or "")):
            progress.region_code = value["region_code"]  # known after the location question
        elif name == "routing" and isinstance(value, dict) and REGION.match(str(value.get("region_code") or "")):
            progress.region_code = value["region_code"]  # the region the hand-off goes to


Cell = Tuple[str, str, str, str]  # week, region, channel, age band


def metrics_of(progress: Progress) -> List[str]:
    """The counts one conversation adds: each step reached, the drop-off question, the fallback."""
    metrics = [f"step:{s}" for s in progress.steps if s in CONVERSATION_STEPS]
    if progress.last_question and not ({"preview", "consent", "handoff"} & set(progress.steps)):
        metrics.append(f"dropoff:{progress.last_question}")
    if progress.fallback:
        metrics.append("fallback")
    return metrics


def count_conversations(rows: Iterable[Progress]) -> Dict[Tuple[Cell, str], int]:
    counts: Dict[Tuple[Cell, str], int] = {}
    for p in rows:
        cell = (p.week, p.region_code, p.channel, p.age_band)
        for metric in metrics_of(p):
            counts[(cell, metric)] = counts.get((cell, metric), 0) + 1
    return counts
