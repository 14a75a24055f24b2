"""Hand-off of a lead to the counsellor, and the follow-up afterwards ("en dan vasthouden").

The package is self-contained so it can be built beside the intake work:

* ``summary``  builds the SBAR hand-off summary (schema ``schemas/handoff-summary.v1.json``);
* ``render``   turns it into an e-mail (plain + HTML), a Telegram text and a webhook body;
* ``outbox``   writes one outbox row per delivery channel inside the lead's own transaction;
* ``worker``   claims due rows, delivers them (``delivery_*``), retries, dead-letters and alerts;
* ``followup`` checks in with the person after the promised time and escalates when nobody acted;
* ``links``    signed one-click status links for the counsellor (no login);
* ``promise``  the B1 sentence that tells the person who will contact them, how and by when;
* ``workdays`` Dutch public holidays and working-day arithmetic; ``clock`` an injectable clock.
"""
