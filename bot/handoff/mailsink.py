"""The local mail sink (``var/mail``, a Maildir that ``make run`` fills when no SMTP server is set).

On a laptop it stands in for the counsellor's mailbox, so an erasure must reach it too: every
message about an erased lead (its hand-off, reminders, the code we sent) is deleted. The art. 19
notice that tells the counsellor about the erasure is kept: it holds only the reference. The mail that
asked a parent or guardian for consent has no lead reference (there was no lead yet): it is matched by
its kind and the parent's address, known from the erased lead or the pending request (issue 25).
"""
from __future__ import annotations

import email
import email.policy
from pathlib import Path
from typing import Iterable

KIND_HEADER = "X-GoudenPoort-Kind"
REFERENCE_HEADER = "X-GoudenPoort-Reference"
KEEP_KINDS = ("erasure_notice",)


def erase_from_maildir(mail_dir: Path, references: Iterable[str], guardian_to: Iterable[str] = ()) -> int:
    """Deletes the messages that name one of ``references``, and the consent mails to a parent
    (kind "guardian", which carry no lead reference) sent to one of ``guardian_to``; returns how many."""
    refs = [r for r in references if r]
    parents = {a.strip().lower() for a in guardian_to if a}
    if not (refs or parents) or not mail_dir.is_dir():
        return 0
    removed = 0
    for sub in ("new", "cur", "tmp"):
        folder = mail_dir / sub
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            try:
                raw = path.read_bytes()
            except OSError:
                continue  # moved or deleted meanwhile
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if str(message.get(KIND_HEADER, "")) in KEEP_KINDS:
                continue
            text = raw.decode("utf-8", errors="replace")
            if str(message.get(KIND_HEADER, "")) == "guardian" and str(message.get("To", "")).strip().lower() in parents:
                path.unlink(missing_ok=True)
                removed += 1
                continue
            if refs and (str(message.get(REFERENCE_HEADER, "")) in refs or any(ref in text for ref in refs)):
                path.unlink(missing_ok=True)
                removed += 1
    return removed
