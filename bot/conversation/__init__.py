"""What the bot says outside the intake: topics, "ontdek wat bij je past", why-answers, fallback,
language detection and the regional welcome; and how it reads a message's intent (intent_model,
chat_text, and rasa_intent_classifier, the Rasa pipeline component around them).

Owns the conversation's rules as plain functions over text and slot values, so they are tested
without Rasa. May import ``bot.routing`` (region names for the welcome), ``bot.analytics.names`` (first
names), ``bot.store`` and ``bot.ops.config``; never channels, actions or the rest of ``bot.ops``.
"""
