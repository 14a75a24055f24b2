"""``.env.example`` documents every setting of ``EnvSettings`` and nothing else, with the real defaults."""
import re

from bot.ops.config import PER_KEY_PREFIXES, PROJECT_ROOT, EnvSettings

EXAMPLE = PROJECT_ROOT / ".env.example"
LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def _listed():
    pairs = (LINE.match(line.strip()) for line in EXAMPLE.read_text(encoding="utf-8").splitlines())
    return {m.group(1): m.group(2) for m in pairs if m}


def test_every_setting_is_in_env_example_and_nothing_unknown():
    listed, known = set(_listed()), set(EnvSettings.variables())
    assert known - listed == set(), "add these to .env.example"
    assert listed - known == set(), "unknown to bot/ops/config.py EnvSettings"
    text = EXAMPLE.read_text(encoding="utf-8")
    for prefix in PER_KEY_PREFIXES.values():
        assert prefix in text


def test_env_example_shows_the_defaults():
    fields = EnvSettings.__fields__
    for name, value in _listed().items():
        field = fields[EnvSettings.variables()[name]]
        if field.default in ("", None):
            continue  # computed from other settings or off; the comment says which
        parsed = getattr(EnvSettings(**{field.name: value}), field.name)
        assert parsed == field.default, f"{name}={value} in .env.example, default is {field.default!r}"
