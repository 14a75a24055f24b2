"""The intake: which question comes next, what an answer is worth (validation, phone and e-mail
normalising), what the person sees before consent, and the lead that consent produces.

May import ``bot.routing`` (who gets the lead), ``bot.store`` and ``bot.ops.config``; never channels,
actions or the rest of ``bot.ops``. Rasa actions translate between the tracker and these functions.
"""
