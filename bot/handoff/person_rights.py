"""The person's rights over what we stored: erasure (AVG art. 17, with the art. 19 notice to the
counsellor) and access (art. 15), from any device or channel.

A conversation is proof enough for its own data. Data given in another conversation is found by the
contact the person gave there, and only after a code sent *to* that contact comes back
(``bot.store.person_checks``). The channels are the hand-off's: the outbox, delivered by the worker
(e-mail, or a Telegram chat when the lead came from Telegram). There is no SMS channel, so a phone
number cannot be proven here: the bot then handles only this conversation and says who can do the
rest. Every sentence the person reads says exactly what happened and what we cannot take back.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import or_, select

from bot.handoff.clock import as_utc
from bot.handoff.mailsink import erase_from_maildir
from bot.handoff.outbox import idempotency_key
from bot.handoff.render import render_plain
from bot.handoff.settings import HandoffSettings
from bot.handoff.summary import add_months
from bot.handoff.workdays import AMSTERDAM, dutch_date_long
from bot.intake import validation
from bot.intake.phone import format_phone, normalise_email, normalise_phone, normalise_telegram
from bot.routing.counsellors import Counsellor
from bot.store.db import new_session
from bot.store.erasure import erase_person
from bot.store.handoff_models import GuardianRequest, HandoffCase, OutboxMessage
from bot.store.leads import record_event
from bot.store.models import ConsentRecord, Lead, LeadEvent, utcnow
from bot.store.person_checks import (CODE_DIGITS, CODE_VALID, MAX_FAILURES, CheckResult, MatchedLead, contact_hash,
                                      leads_for_contact, start_check, verify_code)

THIS_CONVERSATION = "dit_gesprek"  # the "Alleen dit gesprek" button: no code needed
# Sender ids of Telegram chats (bot.channels.identity.TELEGRAM_PREFIX; the domain may not import channels)
TELEGRAM_SENDER_PREFIX = "telegram-"
DELIVERED = ("sent", "sending")     # a hand-off in these states may have been read
OWN_LEAD_WITHOUT_CODE = timedelta(days=1)  # after this, even the conversation that made a lead needs the code
STATUS_LABELS = {"new": "nog niet verstuurd", "delivered": "verstuurd naar de adviseur",
                 "in_contact": "de adviseur heeft contact met je", "no_contact": "de adviseur kon je niet bereiken",
                 "closed": "afgerond"}


@dataclass
class CodeRequest:
    """``route``: "code" (a code may be on its way), "phone" (no channel to prove a number),
    "this_conversation" (the person chose only this chat) or "invalid" (ask again)."""
    route: str
    text: str


def parse_contact(text: str) -> Tuple[Optional[str], Optional[str]]:
    """A Telegram name only with its '@': any word of five letters would pass as one otherwise."""
    raw = (text or "").strip()
    for method, normalise in (("email", normalise_email), ("phone", normalise_phone)):
        value = normalise(raw)
        if value:
            return method, value
    if raw.startswith("@") and normalise_telegram(raw):
        return "telegram", normalise_telegram(raw)
    return None, None


def telegram_leads(leads: Sequence[MatchedLead]) -> List[MatchedLead]:
    """The leads a code in Telegram may unlock. The bot can only write to a chat that wrote to it
    first (a lead made in Telegram, whose chat id the lead keeps in ``channel_ref``), and a typed
    @name proves nothing: anyone can give someone else's name. So the code goes to one chat, the
    oldest lead's, and unlocks only the leads made from that same chat."""
    chats = [lead for lead in leads if lead.channel == "telegram" and lead.channel_ref]
    return [lead for lead in chats if lead.channel_ref == chats[0].channel_ref] if chats else []


def _verb(purpose: str) -> str:
    return "wissen" if purpose == "erase" else "bekijken"


def request_code(settings: HandoffSettings, sender_id: str, purpose: str, text: str,
                 now: Optional[datetime] = None) -> CodeRequest:
    """Starts the proof for the contact in ``text``. The answer is the same whether or not we hold
    anything for that contact, so the chat tells a stranger nothing. A code still pending for that
    contact (asked for in any conversation) is reused: at most one code message per CODE_VALID."""
    now = now or utcnow()
    if (text or "").strip().lower() in (THIS_CONVERSATION, "alleen dit gesprek"):
        return CodeRequest("this_conversation", "")
    method, value = parse_contact(text)
    if method is None:
        return CodeRequest("invalid", "Dat herken ik niet als e-mailadres, telefoonnummer of Telegram-naam. "
                                      "Een Telegram-naam begint met @. Typ het nog eens, of kies 'Alleen dit gesprek'.")
    if method == "phone":
        return CodeRequest("phone", "")
    leads = leads_for_contact(settings.database_url, value)
    if method == "telegram":
        leads = telegram_leads(leads)
    start = start_check(settings.database_url, sender_id, purpose, [lead.id for lead in leads], now,
                        contact=contact_hash(settings.link_secret, value))
    if start.locked_until:
        return CodeRequest("code", locked_text(settings, start.locked_until))
    if start.code:
        _enqueue(settings, leads[0], method, value, "person_code", "Je code van De Gouden Poort",
                 code_message(purpose, start.code), now)
    minutes = int(CODE_VALID.total_seconds() // 60)
    where = "je mail" if method == "email" else "Telegram (in de chat met deze bot)"
    text_out = (f"Als we iets bewaren bij {value}, krijg je binnen een paar minuten een code van {CODE_DIGITS} "
                f"cijfers in {where}. Typ die code hier. De code werkt {minutes} minuten. Vroeg je net al een "
                "code? Dan geldt die. Krijg je geen code? Dan bewaren we niets bij dit adres.")
    if method == "telegram":
        text_out += (" Een code via Telegram kan alleen als je eerder via Telegram met ons chatte. Anders: mail "
                     f"{settings.privacy_email}.")
    return CodeRequest("code", text_out)


def code_message(purpose: str, code: str) -> str:
    return (f"Je code van De Gouden Poort is {code}.\n\nTyp deze code in de chat om je gegevens te "
            f"{_verb(purpose)}. De code werkt {int(CODE_VALID.total_seconds() // 60)} minuten.\n\n"
            "Heb jij hier niet om gevraagd? Dan hoef je niets te doen. Er gebeurt dan niets.")


def _when_short(moment: datetime) -> str:
    local = as_utc(moment).astimezone(AMSTERDAM)
    return f"{dutch_date_long(local)} om {local:%H:%M}"


def locked_text(settings: HandoffSettings, until: datetime) -> str:
    """The same for every contact, known or not: failures are counted for every contact."""
    return ("Voor dit adres is te vaak een verkeerde code getypt. Daarom kan wissen of inzien met een code "
            f"tot {_when_short(until)} niet via de chat. Je kunt wel 'Alleen dit gesprek' kiezen. Hulp nodig? "
            f"Mail {settings.privacy_email}.")


def check_code(settings: HandoffSettings, sender_id: str, code: str, now: Optional[datetime] = None) -> CheckResult:
    """Checks a typed code (bot.store.person_checks.verify_code). When this guess locks the contact,
    the contact hears about it once, through the channel the code went to; only a contact we hold
    data for gets that message (nothing is sent to an address that is not in our files)."""
    now = now or utcnow()
    result = verify_code(settings.database_url, sender_id, code, now)
    if result.locked_now and result.lead_ids:
        with new_session(settings.database_url) as session:
            lead = session.execute(select(Lead).where(Lead.id.in_(list(result.lead_ids)))
                                   .order_by(Lead.created_at)).scalars().first()
            matched = _matched(lead) if lead is not None else None
        if matched is not None:
            method = "telegram" if (lead.contact_value or "").startswith("@") else "email"
            text = render_plain("person_locked.txt.j2", until=_when_short(result.locked_until),
                                privacy_email=settings.privacy_email, failures=MAX_FAILURES)
            _enqueue(settings, matched, method, lead.contact_value or "", "person_locked",
                     "Verkeerde codes voor je gegevens bij De Gouden Poort", text, now)
    return result


def _matched(lead: Lead) -> MatchedLead:
    return MatchedLead(lead.id, lead.channel, lead.conversation_id, lead.contact_method, lead.channel_ref)


def _enqueue(settings: HandoffSettings, lead: MatchedLead, method: str, value: str, kind: str, subject: str,
             text: str, now: datetime) -> None:
    key = idempotency_key(lead.id, kind, "email" if method == "email" else "telegram", secrets.token_hex(4))
    if method == "email":
        channel, recipient = "email", value
        payload = {"to": value, "subject": subject, "text": text, "html": None}
    else:
        channel, recipient = "telegram", str(lead.channel_ref)
        payload = {"chat_id": recipient, "text": text}
    with new_session(settings.database_url) as session, session.begin():
        session.add(OutboxMessage(lead_id=lead.id, kind=kind, channel=channel, recipient=recipient,
                                  idempotency_key=key, payload=payload, status="pending", attempts=0,
                                  next_attempt_at=now, created_at=now))


# --- Erasure ----------------------------------------------------------------------------------------
@dataclass
class _Handed:
    reference: str
    counsellor: Counsellor


@dataclass
class ErasureReport:
    references: List[str] = field(default_factory=list)
    conversations: int = 0
    mails_removed: int = 0
    notified: List[_Handed] = field(default_factory=list)
    telegram: bool = False
    older_kept: bool = False  # this conversation has a lead older than a day that needs the code


def _selected(session, sender_id: str, lead_ids: Sequence[str], now: datetime) -> Tuple[List[Lead], bool]:
    """The leads this request may reach: those the code unlocked, and this conversation's own leads
    made less than OWN_LEAD_WITHOUT_CODE ago. An older lead of this conversation needs the code too
    (issue 22 item 12): a shared or lost device, or a browser that keeps its session, must not show
    or erase someone's request weeks later. Returns (leads, whether an older own lead was left out)."""
    rows = session.execute(select(Lead).where(or_(Lead.conversation_id == sender_id,
                                                  Lead.id.in_(list(lead_ids))))
                           .order_by(Lead.created_at)).scalars().all()
    cutoff = now - OWN_LEAD_WITHOUT_CODE
    chosen = [lead for lead in rows if lead.id in lead_ids or as_utc(lead.created_at) >= cutoff]
    return chosen, len(chosen) < len(rows)


def _handed_over(session, leads: Sequence[Lead]) -> List[_Handed]:
    """Leads whose hand-off may already have been read: only those counsellors need the notice."""
    handed = []
    for lead in leads:
        sent = session.execute(select(OutboxMessage.id).where(
            OutboxMessage.lead_id == lead.id, OutboxMessage.kind == "handoff",
            OutboxMessage.status.in_(DELIVERED))).first()
        case = session.get(HandoffCase, lead.id)
        if sent and case is not None:
            handed.append(_Handed(lead.id, Counsellor.from_record(case.counsellor)))
    return handed


def _notice_text(reference: str, first_name: str) -> str:
    return (f"Hoi {first_name},\n\nDe persoon van aanvraag {reference} heeft gevraagd om al zijn of haar gegevens "
            "te wissen (AVG artikel 17). Wij hebben alles gewist. Wil jij ook wissen wat je van deze aanvraag "
            "hebt: de e-mail of het bericht met de overdracht en je eigen aantekeningen? Neem geen contact meer "
            "op over deze aanvraag.\n\nDit bericht bevat met opzet geen persoonsgegevens (AVG artikel 19).\n")


def _enqueue_notices(session, handed: Sequence[_Handed], now: datetime) -> None:
    for item in handed:
        c = item.counsellor
        text = _notice_text(item.reference, c.first_name)
        for channel in c.channels() or []:
            # not derived from the reference: nothing in our tables should still point at the erased lead
            key = idempotency_key("erased", "erasure_notice", channel, secrets.token_hex(8))
            if channel == "email":
                recipient, payload = c.email, {"to": c.email, "reference": item.reference, "html": None,
                                               "subject": f"Wissen: aanvraag {item.reference}", "text": text}
            elif channel == "telegram":
                recipient, payload = c.telegram_chat_id, {"chat_id": c.telegram_chat_id, "text": text}
            else:
                recipient = c.webhook_url
                payload = {"url": c.webhook_url, "secret": c.webhook_secret, "counsellor_id": c.id,
                           "body": json.dumps({"event": "lead.erased", "idempotency_key": key,
                                               "reference": item.reference}, separators=(",", ":"))}
            session.add(OutboxMessage(lead_id=None, kind="erasure_notice", channel=channel,
                                      recipient=recipient or "", idempotency_key=key, payload=payload,
                                      status="pending", attempts=0, next_attempt_at=now, created_at=now))


def erase_everywhere(settings: HandoffSettings, tracker_store_url: Optional[str], sender_id: str,
                     lead_ids: Sequence[str] = (), mail_dir: Optional[Path] = None,
                     now: Optional[datetime] = None, schedule_sweeps: bool = True) -> ErasureReport:
    """This conversation, the unlocked leads and their conversations: lead store, hand-off tables,
    tracker store and the local mail sink; then the art. 19 notice to each counsellor who had the
    hand-off already (only the reference, sent after the lead is gone). A lead of this conversation
    older than OWN_LEAD_WITHOUT_CODE stays unless the code unlocked it."""
    now = now or utcnow()
    with new_session(settings.database_url) as session:
        leads, older = _selected(session, sender_id, lead_ids, now)
        handed = _handed_over(session, leads)
        telegram = (any((lead.channel or "") == "telegram" for lead in leads)
                    or sender_id.startswith(TELEGRAM_SENDER_PREFIX))
        # the consent mail to a parent (local mail sink): the guardian lead's contact, or a pending request's
        parents = [lead.contact_value or "" for lead in leads if lead.consent_basis == "guardian"]
        parents += session.execute(select(GuardianRequest.guardian_email).where(GuardianRequest.conversation_id.in_(
            [sender_id, *(lead.conversation_id for lead in leads if lead.conversation_id)]))).scalars().all()
    result = erase_person(settings.database_url, sender_id, tracker_store_url, lead_ids=[lead.id for lead in leads],
                          now=now, schedule_sweeps=schedule_sweeps, own_leads_since=now - OWN_LEAD_WITHOUT_CODE)
    mails = erase_from_maildir(mail_dir, result.lead_ids, parents) if mail_dir else 0
    if handed:
        with new_session(settings.database_url) as session, session.begin():
            _enqueue_notices(session, handed, now)
    return ErasureReport(list(result.lead_ids), len(result.conversations), mails, handed, telegram, older)


OLDER_NEEDS_CODE = ("Een aanvraag die je hier meer dan een dag geleden deed, wis of toon ik alleen met een code. "
                    "Die sturen we naar het e-mailadres of de Telegram-naam van die aanvraag. Typ 'wis mijn "
                    "gegevens' of 'wat weten jullie van mij' en geef dat adres.")


def erasure_text(report: ErasureReport, settings: HandoffSettings, phone_not_proven: bool = False) -> str:
    """B1: what is gone, what we told whom, and what we cannot take back."""
    lines = []
    if report.references:
        which = ", ".join(report.references)
        lines.append(f"Klaar. Ik heb gewist: je aanvraag ({which}), je contactgegevens, je toestemming en "
                     + ("dit gesprek." if report.conversations <= 1 else
                        f"{report.conversations} gesprekken met de chatbot (ook dit gesprek)."))
    elif report.older_kept:
        lines.append("Klaar. Ik heb dit gesprek gewist.")
    else:
        lines.append("Klaar. Ik heb dit gesprek gewist. Een aanvraag had je in dit gesprek niet.")
    if report.older_kept:
        lines.append(OLDER_NEEDS_CODE)
    for item in report.notified:
        name = item.counsellor.first_name
        lines.append(f"{name} van {item.counsellor.organisation or 'de Gouden Poort'} had je aanvraag al gekregen. "
                     f"Ik laat {name} weten dat je om wissen vroeg, alleen met het nummer {item.reference}. Wat "
                     f"{name} al gelezen of opgeschreven heeft, kan ik niet zelf terughalen. Daarom vragen we "
                     f"{name} om dat ook te wissen.")
    if report.telegram:
        lines.append("Berichten in Telegram zelf kan ik niet wissen. Die verwijder je in de Telegram-app.")
    if phone_not_proven:
        lines.append("Naar een telefoonnummer kan ik geen code sturen, want we sturen geen sms. Daarom wis ik "
                     "alleen wat bij dit gesprek hoort. Gaf je je nummer in een ander gesprek? Mail dan "
                     f"{settings.privacy_email} of vraag het aan de adviseur die je belt. Noem je nummer, dan "
                     "wissen zij de rest.")
    lines.append("We houden alleen bij hoe vaak iemand om wissen vraagt, zonder wie.")
    return "\n".join(lines)


# --- Access -----------------------------------------------------------------------------------------
def _contact(lead: Lead) -> str:
    value = lead.contact_value or ""
    shown = format_phone(value) if value.startswith("+31") else value
    how = {"phone": "bellen op", "whatsapp": "WhatsApp op", "email": "mailen naar", "telegram": "Telegram:"}.get(
        lead.contact_method or "", "")
    time = validation.CONTACT_TIMES.get(lead.contact_time or "", (None,))[0]
    return f"{how} {shown}".strip() + (f", het liefst in de {time.lower()}" if time else "")


def _when(value: Optional[datetime]) -> str:
    if value is None:
        return "onbekend"
    local = as_utc(value).astimezone(AMSTERDAM)
    return f"{dutch_date_long(local)} om {local:%H:%M}"


def lead_lines(lead: Lead, retention_months: int) -> List[str]:
    interests = [validation.INTERESTS.get(c, (c,))[0] for c in lead.interests or []]
    if lead.interests_text:
        interests.append(f"\u201c{lead.interests_text}\u201d")
    place = lead.gemeente_name or ""
    if lead.postcode:
        place = f"{place} ({lead.postcode})".strip()
    rows: List[Tuple[str, Optional[str]]] = [
        ("Naam", lead.first_name),
        ("Leeftijd", f"{lead.age_band} jaar" if lead.age_band else None),
        ("Nu", validation.SITUATIONS.get(lead.situation or "", (lead.situation,))[0]),
        ("Interesse", ", ".join(interests) or None),
        ("Woont in", place or None),
        ("Contact" + (" met je ouder/verzorger" if lead.consent_basis == "guardian" else ""), _contact(lead)),
        ("Toestemming gegeven", _when(lead.consent_at)),
        ("Gestuurd naar", f"{lead.counsellor_name} van {lead.organisation}" if lead.counsellor_name else None),
        ("Waarom die adviseur", lead.routing_reason),
        ("Stand", STATUS_LABELS.get(lead.status, lead.status)),
        ("We wissen dit uiterlijk op", dutch_date_long(add_months(as_utc(lead.created_at).date(), retention_months))),
    ]
    return [f"Dit bewaren we bij aanvraag {lead.id}:"] + [f"- {k}: {v}" for k, v in rows if v]


def _lead_more(session, lead: Lead) -> str:
    """Art. 15 in full (issue 25): the consent text as shown, and what the counsellor wrote down about
    the person (notes, also those with a status change, an appointment or a hand-over)."""
    consent = session.get(ConsentRecord, lead.consent_record_id) if lead.consent_record_id else None
    notes = [{"day": dutch_date_long(as_utc(e.at).astimezone(AMSTERDAM).date()), "text": e.note}
             for e in session.execute(select(LeadEvent).where(LeadEvent.lead_id == lead.id)
                                      .order_by(LeadEvent.id)).scalars()
             if e.note and (e.actor or "").startswith("workspace:")]
    return render_plain("person_access_lead.txt.j2", consent_text=consent.consent_text if consent else None,
                        guardian=lead.consent_basis == "guardian", notes=notes).strip()


def _pending(session, sender_id: str, now: datetime) -> Tuple[List[str], bool]:
    """This conversation's under-16 request still waiting for the guardian: shown like a lead (made
    less than OWN_LEAD_WITHOUT_CODE ago; older, it needs the code like an older lead)."""
    blocks, older = [], False
    for request in session.execute(select(GuardianRequest).where(GuardianRequest.conversation_id == sender_id)).scalars():
        if as_utc(request.created_at) < now - OWN_LEAD_WITHOUT_CODE:
            older = True
            continue
        blocks.append(render_plain("person_access_pending.txt.j2", reference=request.id,
                                   lines=list((request.payload or {}).get("lines") or []),
                                   guardian_email=request.guardian_email,
                                   until=dutch_date_long(as_utc(request.expires_at).date())).strip())
    return blocks, older


def _remember_disclosure(session, leads: Sequence[Lead], sender_id: str, now: datetime) -> None:
    """The printout now sits in this conversation too: an erasure of the lead must find it (issue 25;
    the code's check row is gone by then). A line in the lead's own audit trail, erased with it."""
    for lead in leads:
        if lead.conversation_id != sender_id:
            record_event(session, lead, "access", "handoff:person", at=now, details={"conversation": sender_id})


def access_text(settings: HandoffSettings, sender_id: str, lead_ids: Sequence[str] = (),
                phone_not_proven: bool = False, now: Optional[datetime] = None) -> str:
    now = now or utcnow()
    with new_session(settings.database_url) as session, session.begin():
        leads, older = _selected(session, sender_id, lead_ids, now)
        blocks = ["\n".join(lead_lines(lead, settings.retention_months)) + "\n\n" + _lead_more(session, lead)
                  for lead in leads]
        pending, older_pending = _pending(session, sender_id, now)
        blocks += pending
        older = older or older_pending
        _remember_disclosure(session, leads, sender_id, now)
    if older:
        blocks.append(OLDER_NEEDS_CODE)
    elif not blocks:
        blocks = ["Ik heb geen aanvraag van je gevonden" + (" in dit gesprek." if phone_not_proven or not lead_ids
                                                               else ".")]
    blocks.append("Ook dit gesprek met de chatbot bewaren we. Hoe lang, staat op de privacypagina. Wil je iets "
                  "laten wissen? Typ 'wis mijn gegevens'.")
    if phone_not_proven:
        blocks.append("Naar een telefoonnummer kan ik geen code sturen, want we sturen geen sms. Daarom laat ik "
                      "alleen zien wat bij dit gesprek hoort. Wil je weten wat er bij je nummer staat? Mail "
                      f"{settings.privacy_email}.")
    return "\n\n".join(blocks)


def code_answer(settings: HandoffSettings, result: CheckResult) -> Optional[str]:
    """What the chat says to a code (None when it unlocked something)."""
    if result.status == "locked":
        return locked_text(settings, result.locked_until or utcnow())
    return outcome_for_code(result.status)


def outcome_for_code(status: str) -> Optional[str]:
    """The answer to a code that did not unlock anything (None when it did)."""
    return {
        "wrong": f"Die code klopt niet. Kijk nog eens goed en typ de {CODE_DIGITS} cijfers.",
        "expired": "Die code werkt niet meer. Vraag een nieuwe code: typ 'wis mijn gegevens' of "
                   "'wat weten jullie van mij'.",
        "none": "Er loopt nu geen aanvraag voor een code. Typ 'wis mijn gegevens' of 'wat weten jullie van mij'.",
    }.get(status)


def mail_sink_dir(var_dir: Path) -> Path:
    return var_dir / "mail"


def as_dict(report: ErasureReport) -> Dict[str, object]:
    return {"leads": report.references, "conversations": report.conversations, "mails": report.mails_removed,
            "notified": [h.reference for h in report.notified]}
