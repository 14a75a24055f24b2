"""Where a person belongs: CBS regions (postcode/woonplaats → gemeente → arbeidsmarktregio), the
counsellor registry, and the choice of the nearest available counsellor.

Reads content files only; may import ``bot.store`` and ``bot.ops.config``, nothing above it.
"""
