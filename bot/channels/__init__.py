"""How people reach the bot: the web app (widget, privacy page, status links), Rasa's socket.io
channel with our fixes, and the Telegram bridge.

Top of the stack next to ``actions/``: may import every domain package and ``bot.store``; nothing in
the domain or store imports a channel.
"""
