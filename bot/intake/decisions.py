"""The intake conversation's decisions, as plain functions over slot values.

Rasa actions (actions/actions.py) only translate between the tracker and these functions, so every
rule here — which question comes next, what counts as a miss, what we show before storing — is
unit-tested without a Rasa server.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.intake import validation
from bot.routing.counsellors import Registry, load_registry
from bot.intake.phone import format_phone
from bot.routing.regions import Place, find_places, place_for_gemeente, place_for_postcode, place_key
from bot.routing.assign import RoutingDecision, route
from bot.store.leads import NewLead

SKIPPED = validation.SKIPPED
SKIPPABLE = ("first_name", "situation", "interests", "contact_time")
MAX_MISSES = 3

# Age first: it decides what else we may ask at all (under 16: only what the guardian route needs).
BASE_SLOTS = ("age_band", "first_name", "situation", "interests", "location")
CONTACT_SLOTS = ("contact_method", "contact_value", "contact_time", "confirm")
# Under 16 with a guardian: a first name or bijnaam (so the guardian and the counsellor know whom it is
# about, issue 24 item 2), where (to route), the guardian's e-mail (to ask for consent), the preview.
# No situation, interests or time: the counsellor talks to the guardian, who can tell them.
GUARDIAN_SLOTS = ("first_name", "location", "contact_value", "confirm")
# The guardian is reached by e-mail only: a Telegram bot cannot write to someone who never started it.
GUARDIAN_CONTACT_METHOD = "email"
# Every slot the form can ask, in order (domain/ lists the same; Rasa needs them there).
ALL_SLOTS = BASE_SLOTS + ("location_choice", "minor_route") + CONTACT_SLOTS + ("change_field",)
# What an under-16 never gives us; cleared when the age band turns out to be under 16. The first name
# is asked on the guardian route too, so it stays.
NOT_FROM_MINORS = ("situation", "interests", "contact_method", "contact_time")
# Someone who wants a person now (bot.conversation.reach_person) gets the callback with the fewest
# questions: age, name, place, how to reach them and consent.
QUICK_SKIPS = ("situation", "interests", "contact_time")
# Who asks for whom (bot.intake.known): a parent writing for a child under 16 is the guardian whose
# consent the guardian route asks for, so the under-16 choice is made for them.
GUARDIAN_ASKERS = ("parent",)


def _with_location_choice(required: List[str], slots: Mapping[str, Any]) -> List[str]:
    if slots.get("location") and not slots.get("place") and slots.get("location_options"):
        at = required.index("location") + 1
        required.insert(at, "location_choice")
    return required


def required_slots(slots: Mapping[str, Any]) -> List[str]:
    """Which questions this person gets, given what we know so far."""
    if slots.get("intake_stuck"):
        return []  # a third miss at a question we need: the intake ends kindly (action_submit_intake)
    if validation.is_minor_band(slots.get("age_band")):
        if slots.get("minor_route") != "guardian":
            return ["age_band", "minor_route"]  # info route: nothing personal from an under-16
        required = _with_location_choice(["age_band", "minor_route", *GUARDIAN_SLOTS], slots)
    else:
        required = _with_location_choice([*BASE_SLOTS, *CONTACT_SLOTS], slots)
        if slots.get("intake_quick"):
            required = [name for name in required if name not in QUICK_SKIPS]
    if slots.get("confirm") == "change":
        required.append("change_field")
    return required


def changeable_fields(slots: Mapping[str, Any]) -> List[str]:
    """The fields the "Iets aanpassen" buttons offer: only those this person was asked."""
    if is_guardian_route(slots):
        return ["first_name", "age_band", "location", "contact_value"]
    return ["first_name", "age_band", "situation", "interests", "location", "contact_value", "contact_time"]


def is_guardian_route(slots: Mapping[str, Any]) -> bool:
    return validation.is_minor_band(slots.get("age_band")) and slots.get("minor_route") == "guardian"


# --- Location -------------------------------------------------------------------------------------
_POSTCODE_IN_TEXT = re.compile(r"(?<!\d)([1-9]\d{3})\s?([A-Za-z]{2})?(?![A-Za-z\d])")


_FILLER = re.compile(r"\b(mijn|postcode|is|het|ik|woon|op|de|zit|nummer|pc)\b|[:.,!]")


# The "Bedoel je Rotterdam?" buttons (actions/actions.py validate_location). Each payload is plain text
# that the location question reads like a typed answer: the place's name, or NOT_THIS_PLACE.
NOT_THIS_PLACE = "Mijn woonplaats is anders"  # the NLU reads it as inform, so the question's slot takes it
LOCATION_NOT_FOUND = ("Dat kan ik niet vinden als postcode of woonplaats. Typ je postcode (bijvoorbeeld 4331 AB) "
                      "of de naam van je woonplaats.")
_NOT_THIS_PLACE = re.compile(r"^(nee+|nope|no|niet|fout|klopt niet|verkeerd)?[ ,.!]*((een )?(andere|iets anders|anders)"
                             r"( plaats| woonplaats)?|mijn woonplaats is anders|ik woon ergens anders)[ .!]*$")


@dataclass
class LocationCheck:
    place: Optional[Dict[str, Any]] = None
    options: List[Dict[str, str]] = field(default_factory=list)
    error: Optional[str] = None
    ask_woonplaats: bool = False
    # A typo ("rotterdm"): the place we think is meant (its display name), asked as "Bedoel je ...?".
    suggestion: Optional[str] = None
    # "Nee, iets anders" after such a question: no miss, just the question again.
    declined_suggestion: bool = False


def suggestion_buttons(suggestion: str) -> List[Tuple[str, str]]:
    """(title, payload) for "Bedoel je Rotterdam?": the payload makes the place resolve."""
    return [(f"Ja, {suggestion}", suggestion), ("Nee, iets anders", NOT_THIS_PLACE)]


def place_to_dict(place: Place) -> Dict[str, Any]:
    return asdict(place)


def place_from_dict(data: Mapping[str, Any]) -> Place:
    return Place(**{k: data.get(k) for k in Place.__dataclass_fields__})


def check_location(text: Any) -> LocationCheck:
    raw = str(text or "").strip()[:120]
    postcode = validation.normalise_postcode(raw)
    if postcode is None:
        match = _POSTCODE_IN_TEXT.search(raw)
        rest = _FILLER.sub(" ", _POSTCODE_IN_TEXT.sub(" ", raw.lower()))
        if match and not re.search(r"[^\W\d_]{2,}", rest):
            postcode = match.group(1) + (match.group(2) or "").upper()
    if postcode:
        place = place_for_postcode(postcode)
        if place is None:
            return LocationCheck(ask_woonplaats=True, error=(
                f"Postcode {postcode[:4]} kan ik niet vinden. Misschien is het een nieuwe postcode of een "
                "postbus. Wat is je woonplaats? Dan zoek ik het zo op."))
        return LocationCheck(place=place_to_dict(place))
    if _NOT_THIS_PLACE.match(" ".join(raw.lower().split())):
        return LocationCheck(declined_suggestion=True, error="Oké, dan heb ik je verkeerd begrepen.")
    match = find_places(raw)
    if match.unique:
        return LocationCheck(place=place_to_dict(match.unique))
    if match.ambiguous:
        return LocationCheck(options=[{"code": p.gemeente_code, "label": p.long_label(),
                                       "woonplaats": p.woonplaats or ""} for p in match.places])
    if match.suggestions:
        return LocationCheck(suggestion=match.suggestions[0], error=f"Bedoel je {match.suggestions[0]}?")
    return LocationCheck(error=LOCATION_NOT_FOUND)


def check_location_choice(text: Any, options: List[Mapping[str, str]]) -> validation.Checked:
    raw = place_key(str(text or ""))
    for index, option in enumerate(options or [], start=1):
        label = place_key(option["label"])
        gemeente = place_key(option["label"].split("gemeente ", 1)[-1].split(",")[0])
        region = place_key(option["label"].split("regio ", 1)[-1].rstrip(")"))
        if raw and (raw in (label, str(index)) or raw == gemeente or region in raw or
                    (gemeente != place_key(option.get("woonplaats") or "") and gemeente in raw)):
            place = place_for_gemeente(option["code"], woonplaats=option.get("woonplaats") or None)
            return validation.Checked(value=place_to_dict(place))
    return validation.Checked(error="Kies een van de knoppen, dan weet ik welke plaats je bedoelt.")


# Under 16, "Wat wil je?": the buttons, or typed words. "nee", "niks", "stop" (and, after one miss,
# anything else that is no choice) end the intake kindly without a lead: never "kies een knop" again
# and again (issue 13: a 15-year-old typed "nee" and got the same question 25 times).
MINOR_NO_CHOICE = "geen"
MINOR_ROUTE_TRIES = 2
_GUARDIAN_WORDS = re.compile(r"\b(ouders?|verzorgers?|vader|moeder|papa|mama|pa|ma|voogd|parents?|mum|mom|dad)\b")
_INFO_WORDS = re.compile(r"\b(info\w*|events?|activiteit\w*|lezen|zelf|bekijken|kijken|website|open dag\w*)\b")
_NO_WORDS = re.compile(r"\b(nee+|neu|nope|nah|no|niks|niets|stop\w*|laat maar|hoeft niet|geen zin|liever niet"
                       r"|doei|dag|bye|weg|nvm|(?:wil|willen|mag|mogen|hoef|hoeven) (?:dat |het )?niet)\b")
_NEGATION = re.compile(r"\b(nee+|niet|geen|niks|niets|no|not)\b")


def check_minor_route(text: Any) -> validation.Checked:
    low = " ".join(str(text or "").lower().split())[:200]
    if _GUARDIAN_WORDS.search(low) and not _NEGATION.search(low):
        return validation.Checked(value="guardian")
    if _INFO_WORDS.search(low) and not _NEGATION.search(low):
        return validation.Checked(value="info")
    if _NO_WORDS.search(low):
        return validation.Checked(value=MINOR_NO_CHOICE)
    return validation.Checked(error=("Dat snap ik niet helemaal. Typ 'info' voor informatie en events, 'ouder' als "
                                     "je ouder of verzorger het regelt, of 'stop'."))


def minor_route_after_miss(checked: validation.Checked, misses: Optional[Mapping[str, int]]) -> validation.Checked:
    """After MINOR_ROUTE_TRIES answers that are no choice, stop asking: no lead, a kind way out."""
    if checked.ok or (misses or {}).get("minor_route", 0) + 1 < MINOR_ROUTE_TRIES:
        return checked
    return validation.Checked(value=MINOR_NO_CHOICE)


# --- Corrections of an earlier answer -------------------------------------------------------------
# "nee wacht, ik ben 19" while another question is open: the age is corrected and the open question
# is asked again. Only sentences that clearly state an age (a number of 1-2 digits after "ik ben" or
# before "jaar"), so a phone number, a postcode or "ik ben Sam" never count.
_AGE_CORRECTION = re.compile(r"(?:\bik\s+ben\s+(?:(?:nu|net|al|eigenlijk|pas)\s+)?|\bi\s*(?:am|'m)\s+|"
                             r"\bmijn\s+leeftijd\s+is\s+)(\d{1,2})\b(?!\s*\d)|(?<![\d\s])\s?\b(\d{1,2})\s*jaar\b")


def age_correction(slot: str, text: Any) -> Optional[str]:
    """The corrected age band when ``text``, typed at question ``slot``, corrects the age instead."""
    if slot == "age_band" or not isinstance(text, str):
        return None
    match = _AGE_CORRECTION.search(text.lower()[:200])
    if not match:
        return None
    checked = validation.check_age_band(int(match.group(1) or match.group(2)))
    return checked.value if checked.ok else None


def after_age_change(old_band: Optional[str], new_band: str) -> Dict[str, Any]:
    """What a new age band clears: crossing 16 changes whose contact data and consent we may take."""
    cleared: Dict[str, Any] = {"age_band": new_band}
    if validation.is_minor_band(new_band) != validation.is_minor_band(old_band):
        cleared.update({"minor_route": None, "contact_method": None, "contact_value": None,
                        "confirm": None, "routing": None})
    if validation.is_minor_band(new_band):
        cleared.update({name: None for name in NOT_FROM_MINORS})
    return cleared


# --- Misses ---------------------------------------------------------------------------------------
def register_miss(misses: Optional[Mapping[str, int]], slot: str) -> Tuple[Dict[str, int], bool]:
    """Counts a failed answer; True when this is the third miss on this slot (time to offer help)."""
    updated = dict(misses or {})
    updated[slot] = updated.get(slot, 0) + 1
    return updated, updated[slot] >= MAX_MISSES and updated[slot] % MAX_MISSES == 0


# Never more than two failed tries at one question (issue 23 item 8). After the second, a question
# we can do without takes a sensible answer and moves on; one we need comes back with buttons or
# another way (utter_stuck_<slot>); a third miss there ends the intake with the regional contact.
ACCEPT_AFTER_TWO = {"first_name": SKIPPED, "situation": "anders", "interests": SKIPPED,
                    "contact_time": "maakt_niet_uit"}
FIRST_TRY, HELP, ACCEPT, GIVE_UP = "error", "help", "accept", "give_up"


def after_failed_try(slot: str, tries: int) -> str:
    """What the bot does after the ``tries``-th failed answer to ``slot``."""
    if tries <= 1:
        return FIRST_TRY
    if slot in ACCEPT_AFTER_TWO:
        return ACCEPT
    return HELP if tries == 2 else GIVE_UP


def answer_fits(slot: Optional[str], text: Any, slots: Mapping[str, Any]) -> bool:
    """Would ``text`` be a valid answer to ``slot``? Used to tell an answer from a question: "ict" at the
    interests question is an answer, "wat verdien je" is not."""
    raw = str(text or "")
    if slot == "interests":
        checked = validation.check_interests(raw)
        return checked.ok and bool(checked.value["choices"])
    if slot == "location":
        found = check_location(raw)
        return bool(found.place or found.options)
    if slot == "contact_value":
        return validation.check_contact_value(contact_method_for(slots), raw).ok
    check = {"first_name": validation.check_first_name, "age_band": validation.check_age_band,
             "situation": validation.check_situation, "contact_method": validation.check_contact_method,
             "contact_time": validation.check_contact_time, "change_field": validation.check_change_field,
             "minor_route": check_minor_route}.get(slot or "")
    return bool(check and check(raw).ok)


# --- Routing and the confirmation -----------------------------------------------------------------
def plan_routing(place_data: Mapping[str, Any], open_leads: Mapping[str, int], today: date,
                 registry: Optional[Registry] = None) -> RoutingDecision:
    return route(place_from_dict(place_data), registry or load_registry(), today, open_leads)


def routing_to_slot(decision: RoutingDecision) -> Dict[str, Any]:
    c = decision.counsellor
    return {**decision.as_dict(), "counsellor_name": c.name, "counsellor_first_name": c.first_name,
            "organisation": c.organisation, "region_name": decision.region_name}


def _contact_line(slots: Mapping[str, Any]) -> str:
    method, value = slots.get("contact_method"), slots.get("contact_value") or ""
    shown = format_phone(value) if value.startswith("+31") else value
    how = {"phone": "bellen op", "whatsapp": "WhatsApp op", "email": "mailen naar",
           "telegram": "Telegram:"}.get(method, "")
    return f"{how} {shown}".strip()


def _time_line(slots: Mapping[str, Any]) -> Optional[str]:
    code = slots.get("contact_time")
    if not code or code == SKIPPED or code == "maakt_niet_uit":
        return None
    return validation.CONTACT_TIMES.get(code, (code,))[0].lower()


def contact_method_for(slots: Mapping[str, Any]) -> str:
    return GUARDIAN_CONTACT_METHOD if is_guardian_route(slots) else (slots.get("contact_method") or "phone")


def shared_lines(slots: Mapping[str, Any], topics: Sequence[str] = (), context_lines: Sequence[str] = ()) -> List[str]:
    """The fields we would share, one line each: the preview, the guardian's mail and page use
    exactly these lines, so nobody agrees to something other than what is sent. ``context_lines``
    (bot.handoff.context.preview_lines: what they asked about, doubts, what they ask for, who asks,
    language, urgency, the jobs from "ontdek wat bij je past") are all the hand-off carries from the
    conversation itself, so they are lines here too. ``topics``: the older single line of topics."""
    guardian = is_guardian_route(slots)
    slots = asked(slots)
    lines = []
    name = slots.get("first_name")
    if name and name != SKIPPED:
        lines.append(f"- Naam: {name}")
    lines.append(f"- Leeftijd: {slots.get('age_band')} jaar")
    situation = slots.get("situation")
    if situation and situation != SKIPPED and not guardian:
        lines.append(f"- Nu: {validation.SITUATIONS.get(situation, (situation,))[0]}")
    interests = slots.get("interests")
    if interests and interests != SKIPPED and not guardian:
        lines.append(f"- Interesse: {validation.interests_label(interests)}")
    place = place_from_dict(slots["place"]) if slots.get("place") else None
    if place:
        lines.append(f"- Woont in: {place.label()}")
    contact = _contact_line({**slots, "contact_method": contact_method_for(slots)})
    time = None if guardian else _time_line(slots)
    lines.append(f"- Contact{' met ouder/verzorger' if guardian else ''}: {contact}"
                 + (f", het liefst in de {time}" if time else ""))
    if topics:
        lines.append(f"- Waar we het over hadden: {', '.join(topics)}")
    lines.extend(context_lines)
    return lines


def confirmation_text(slots: Mapping[str, Any], routing: Mapping[str, Any], topics: Sequence[str] = (),
                      context_lines: Sequence[str] = ()) -> str:
    """What the person sees before anything is stored: what, with whom, and why (B1)."""
    who = f"{routing['counsellor_first_name']} van {routing['organisation']}"
    why = (f"Waarom? Zodat {routing['counsellor_first_name']} contact kan opnemen over leren en werken "
           "in de techniek. Meer niet.")
    if is_guardian_route(slots):
        return "\n".join([
            "Je bent jonger dan 16. Daarom vragen we eerst je ouder of verzorger om 'ja' te zeggen.",
            # from the chat only who asks, the language and the jobs of "ontdek wat bij je past"
            # (bot.handoff.context.context_codes with guardian=True)
            "Je ouder krijgt een mail met dit:", *shared_lines(slots, context_lines=context_lines),
            f"Zegt je ouder 'ja'? Dan sturen we het naar {who}. {why}",
            "Mogen we je ouder deze mail sturen?"])
    return "\n".join([f"Dit sturen we naar {who}:", *shared_lines(slots, topics, context_lines),
                      f"{why} Je kunt je gegevens altijd laten wissen: typ dan 'wis mijn gegevens'.",
                      "Klopt dit?"])


def asked(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The slots as this route may use them: on the guardian route, nothing an under-16 was not asked
    (a value left over from before the age changed is never stored or sent)."""
    if not is_guardian_route(slots):
        return dict(slots)
    return {**slots, **{name: None for name in NOT_FROM_MINORS}, "contact_method": GUARDIAN_CONTACT_METHOD}


def summary_text(slots: Mapping[str, Any], routing: Mapping[str, Any]) -> str:
    """One paragraph for the counsellor (the hand-off renders its own, richer message)."""
    slots = asked(slots)
    place = place_from_dict(slots["place"]) if slots.get("place") else None
    parts = [f"{slots.get('first_name') if slots.get('first_name') not in (None, SKIPPED) else 'Iemand'}"
             f" ({slots.get('age_band')} jaar)"]
    if slots.get("situation") not in (None, SKIPPED):
        parts.append(validation.SITUATIONS.get(slots["situation"], (slots["situation"],))[0].lower())
    if slots.get("interests") not in (None, SKIPPED):
        parts.append(f"interesse: {validation.interests_label(slots['interests'])}")
    if place:
        parts.append(f"woont in {place.label()}")
    parts.append(f"wil contact via {_contact_line({**slots, 'contact_method': contact_method_for(slots)})}")
    if is_guardian_route(slots):
        parts.append("onder 16: contact en toestemming via ouder/verzorger")
    return "; ".join(parts) + ". " + str(routing.get("reason", ""))


def new_lead_from_slots(conversation_id: str, channel: str, slots: Mapping[str, Any],
                        routing: Mapping[str, Any], consent_text: str, consent_text_version: str,
                        client_key: Optional[str] = None, channel_ref: Optional[str] = None,
                        context: Optional[Mapping[str, Any]] = None, initiative: Optional[str] = None) -> NewLead:
    slots = asked(slots)
    place = place_from_dict(slots["place"])
    interests = slots.get("interests") if isinstance(slots.get("interests"), dict) else {}
    return NewLead(
        conversation_id=conversation_id, channel=channel, consent=True,
        consent_basis="guardian" if is_guardian_route(slots) else "self",
        consent_text=consent_text, consent_text_version=consent_text_version,
        first_name=None if slots.get("first_name") in (None, SKIPPED) else slots["first_name"],
        age_band=slots.get("age_band"),
        situation=None if slots.get("situation") in (None, SKIPPED) else slots["situation"],
        interests=list(interests.get("choices") or []), interests_text=interests.get("text"),
        postcode=place.pc4, gemeente_code=place.gemeente_code, gemeente_name=place.gemeente_display,
        region_code=place.region_code, region_name=place.region_name,
        counsellor_id=routing["counsellor_id"], routing_rule=routing["rule"], routing_reason=routing["reason"],
        routing_distance_km=routing.get("distance_km"),
        contact_method=contact_method_for(slots), contact_value=slots.get("contact_value"),
        contact_time=None if slots.get("contact_time") in (None, SKIPPED) else slots["contact_time"],
        summary=summary_text(slots, routing), client_key=client_key, channel_ref=channel_ref,
        context=dict(context) if context else None, initiative=initiative or None,
    )


# --- Corrections typed at the preview (issue 23 item 10) ------------------------------------------
# "mijn postcode is 3012", "nee ik heet Rick", "toch liever e-mail", "mijn mail is rick@ziggo.nl":
# the field changes and the preview comes again (routing is cleared, so it is made anew).
_EMAIL_IN_TEXT = re.compile(r"[^\s<>,;:]+@[^\s<>,;:]+\.[A-Za-z]{2,24}")
_PHONE_IN_TEXT = re.compile(r"(?:\+|00)?\d[\d\s\-]{8,15}\d")
_NAME_CORRECTION = re.compile(r"\b(?:ik heet|mijn naam is|noem me(?: maar)?|naam is|het is|ik ben)\s+([^\s,.!?]+)", re.I)
_PLACE_CORRECTION = re.compile(r"\b(?:postcode|woonplaats|plaats|ik woon in|ik woon|woon in|woon)\s*(?:is|moet|:)?\s*(?:in\s+)?(.+)$", re.I)
_METHODS_IN_TEXT = (("email", re.compile(r"\be-?mail|\bmailen|\bmail\b", re.I)),
                    ("phone", re.compile(r"\b(bel(len)?|gebeld|telefoon)\b", re.I)),
                    ("whatsapp", re.compile(r"\b(whats ?app|app(en)?)\b", re.I)),
                    ("telegram", re.compile(r"\btelegram\b", re.I)))
_TIME_CORRECTION = re.compile(r"\b(ochtend|morgens|middag|middags|avond|avonds)\b", re.I)


def method_in_text(text: Any) -> Optional[str]:
    """The contact method a sentence asks for ("toch liever e-mail" -> email), if exactly one."""
    found = [code for code, pattern in _METHODS_IN_TEXT if pattern.search(str(text or ""))]
    return found[0] if len(found) == 1 else None


def contact_correction(text: Any, slots: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """A new address or number, or another way to be reached, in a typed sentence."""
    raw = str(text or "")[:300]
    guardian = is_guardian_route(slots)
    email = _EMAIL_IN_TEXT.search(raw)
    if email and validation.check_contact_value("email", email.group(0)).ok:
        return {"contact_method": "email", "contact_value": validation.check_contact_value("email", email.group(0)).value}
    phone = _PHONE_IN_TEXT.search(raw)
    if phone and not guardian and validation.check_contact_value("phone", phone.group(0)).ok:
        return {"contact_method": "phone", "contact_value": validation.check_contact_value("phone", phone.group(0)).value}
    method = method_in_text(raw)
    if method and not guardian and method != slots.get("contact_method"):
        return {"contact_method": method, "contact_value": None}
    return None


def preview_correction(text: Any, slots: Mapping[str, Any]) -> Optional[Dict[str, Any]]:
    """The slot changes a sentence typed at the preview asks for, or None when it asks for none."""
    raw = " ".join(str(text or "").split())[:300]
    if not raw or raw.startswith("/"):
        return None
    changes: Optional[Dict[str, Any]] = contact_correction(raw, slots)
    if changes is None:
        band = age_correction("confirm", raw)
        if band:
            changes = after_age_change(slots.get("age_band"), band)
    if changes is None:
        place = _PLACE_CORRECTION.search(raw)
        found = check_location(place.group(1)) if place else None
        if found and (found.place or found.options):
            changes = {"location": place.group(1)[:120], "place": found.place or None,
                       "location_options": found.options or None, "location_choice": None}
    if changes is None and not is_guardian_route(slots):
        name = _NAME_CORRECTION.search(raw)
        checked = validation.check_first_name(name.group(1)) if name else None
        if checked and checked.ok:
            changes = {"first_name": checked.value}
        elif _TIME_CORRECTION.search(raw):
            time = validation.check_contact_time(_TIME_CORRECTION.search(raw).group(1).rstrip("s"))
            changes = {"contact_time": time.value} if time.ok else None
    if changes is None:
        return None
    return {**changes, "confirm": None, "change_field": None, "routing": None}


_METHOD_SWITCH = {"phone": ("Toch liever bellen", "Toch liever bellen"),
                  "whatsapp": ("Toch liever WhatsApp", "Toch liever WhatsApp"),
                  "email": ("Toch liever e-mail", "Toch liever e-mail"),
                  "telegram": ("Toch liever Telegram", "Toch liever Telegram")}


def other_methods(slots: Mapping[str, Any]) -> List[Tuple[str, str]]:
    """Buttons after two failed tries at the contact value: another way to be reached, or stop. On the
    guardian route only e-mail reaches the guardian, so only stopping is offered besides trying again."""
    options = [] if is_guardian_route(slots) else [
        _METHOD_SWITCH[m] for m in ("phone", "whatsapp", "email", "telegram") if m != slots.get("contact_method")]
    return options + [("Stoppen", "/stop")]
