"""The counsellors' workspace ("werkplek", /adviseur): where leads are held on to.

Domain logic only (sign-in, sessions, roles, inbox, lead page, actions, view log); the web app's
routes and templates live in ``bot.channels.workspace_web``. Everything here is plain functions over
the lead store, tested without a browser.
"""
