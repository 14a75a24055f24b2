"""De Gouden Poort intake assistant: domain logic that Rasa's custom actions call into.

Packages by job, with imports running one way (``tests/test_import_direction.py`` enforces it)::

    bot.ops (cli, launcher, training, endpoints)        runs everything
    bot.channels, actions/                              how people reach the bot
    bot.conversation, bot.intake, bot.routing,
    bot.handoff                                         the domain
    bot.store                                           the lead database
    bot.ops.config                                      settings, importable from anywhere
"""
