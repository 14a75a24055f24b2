"""The funnel: pseudonymous counts from Rasa's event broker, for regions and the steering group.

``events`` turns broker events into steps per conversation (``funnel``), ``leads`` adds what
counsellors record after the hand-off, ``consume`` reads the broker (SQL or RabbitMQ), ``report``
reads the counts back with small cells suppressed, ``redact`` strips personal data from the
unanswered questions before they are stored.
"""
