"""Regional content packs (issue 15): per arbeidsmarktregio an organisation, a welcome text, answers
that override the national ones, links and events, in ``content/regios/<slug>.yml``; the content
team edits them without Python. Events can also come from iCalendar feeds that
``python -m bot content fetch`` caches on disk; the bot only ever reads that cache.

- ``schema``: what a pack may contain (pydantic), with Dutch messages.
- ``packs``: loading packs with line numbers, finding a region's pack and its overrides.
- ``events``: events from YAML and iCalendar, the feed cache, "3 eerstvolgende bij jou in de buurt".
- ``check``: ``python -m bot content check``: schema, references, sources, links, dates, B1.
"""
