"""How people reach the bot: the web app (the one public door: widget chat, privacy page, status
links), the Telegram bridge, and the gateway channel inside Rasa that both of them talk to.

Top of the stack next to ``actions/``: may import every domain package and ``bot.store``; nothing in
the domain or store imports a channel.
"""
