"""Loading the regional packs in ``content/regios/<slug>.yml`` and finding what applies to a region.

The national default applies wherever a region says nothing: no pack, or a pack without an answer
for a response, means the national text from domain/. A pack that does not validate is skipped by the
bot (and reported by ``python -m bot content check``), so one typo never breaks the chat elsewhere.
Files are read with ruamel.yaml's round-trip loader because it keeps line numbers, which the check
uses to name the exact line in its messages.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.content.schema import Answer, NationalContact, RegionPack
from bot.ops.config import PROJECT_ROOT

PACKS_DIR = PROJECT_ROOT / "content" / "regios"
NATIONAL_CONTACT_FILE = PROJECT_ROOT / "content" / "contact.yml"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One finding of the check: ``error`` fails it, ``warning`` is for the content team to look at."""
    path: Path
    line: int
    message: str
    level: str = "error"

    def render(self, root: Path = PROJECT_ROOT) -> str:
        try:
            shown = self.path.resolve().relative_to(root)
        except ValueError:
            shown = self.path
        label = "FOUT" if self.level == "error" else "waarschuwing"
        return f"{shown}:{self.line}: {label}: {self.message}"


@dataclass
class LoadedPack:
    path: Path
    slug: str
    pack: Optional[RegionPack]
    raw: Any
    problems: List[Problem] = field(default_factory=list)

    def line_of(self, *loc: Any) -> int:
        return line_of(self.raw, loc)


def line_of(raw: Any, loc: Sequence[Any]) -> int:
    """1-based line of the deepest node on ``loc`` (keys and list indexes) that exists in the YAML."""
    node, line = raw, 1
    for key in loc:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(node, dict) and key in node:
                if lc is not None:
                    line = lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                if lc is not None:
                    line = lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any) -> Any:
    """ruamel's commented containers → plain dicts/lists (pydantic wants ordinary types)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _message(error: Dict[str, Any]) -> str:
    text = error.get("msg", "")
    replacements = {
        "field required": "verplicht veld ontbreekt",
        "extra fields not permitted": "onbekend veld (typfout?)",
        "value is not a valid integer": "geen geheel getal",
        "value is not a valid float": "geen getal",
        "invalid date format": "geen geldige datum (JJJJ-MM-DD)",
        "invalid time format": "geen geldige tijd (UU:MM)",
        "str type expected": "tekst verwacht",
        "value is not a valid list": "lijst verwacht",
        "value is not a valid dict": "blok met velden verwacht",
        "none is not an allowed value": "mag niet leeg zijn",
    }
    for english, dutch in replacements.items():
        if text.startswith(english):
            return dutch
    return text


def load_pack(path: Path) -> LoadedPack:
    slug = path.stem
    try:
        raw = _yaml().load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return LoadedPack(path, slug, None, None, [Problem(path, line, f"geen geldige YAML: {getattr(exc, 'problem', exc)}")])
    if not isinstance(raw, dict):
        return LoadedPack(path, slug, None, raw, [Problem(path, 1, "het bestand moet een blok met velden zijn (region, organisation, ...)")])
    try:
        return LoadedPack(path, slug, RegionPack.parse_obj(_plain(raw)), raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = [part for part in error["loc"] if part != "__root__"]
            where = ".".join(str(p) for p in loc) or "bestand"
            problems.append(Problem(path, line_of(raw, loc), f"{where}: {_message(error)}"))
        return LoadedPack(path, slug, None, raw, problems)


def pack_files(directory: Path = PACKS_DIR) -> List[Path]:
    return sorted(p for p in directory.glob("*.yml") if not p.name.startswith("_"))


def load_all(directory: Path = PACKS_DIR) -> List[LoadedPack]:
    return [load_pack(path) for path in pack_files(directory)]


@dataclass(frozen=True)
class PackSet:
    by_region: Dict[str, LoadedPack]

    def pack(self, region_code: Optional[str]) -> Optional[RegionPack]:
        loaded = self.by_region.get((region_code or "").upper())
        return loaded.pack if loaded else None

    def answer(self, response: str, region_code: Optional[str]) -> Optional[Answer]:
        """The regional answer for ``response`` in this region, or None: then the national one applies."""
        pack = self.pack(region_code)
        return pack.answers.get(response) if pack else None

    def packs(self) -> Iterable[LoadedPack]:
        return self.by_region.values()


def build_set(loaded: Iterable[LoadedPack]) -> PackSet:
    by_region: Dict[str, LoadedPack] = {}
    for item in loaded:
        if item.pack is None:
            log.warning("inhoudspakket %s overgeslagen: %s", item.path.name, "; ".join(p.message for p in item.problems))
            continue
        by_region.setdefault(item.pack.region, item)
    return PackSet(by_region)


@lru_cache(maxsize=4)
def _cached(directory: Path, stamp: Tuple[Tuple[str, float], ...]) -> PackSet:
    return build_set(load_all(directory))


def load_packs(directory: Path = PACKS_DIR) -> PackSet:
    """The valid packs, reloaded when a file changes (so an editor's change shows without a restart)."""
    stamp = tuple((p.name, p.stat().st_mtime) for p in pack_files(directory)) if directory.is_dir() else ()
    return _cached(directory, stamp)


def regional_answer(response: str, region_code: Optional[str], directory: Path = PACKS_DIR) -> Optional[Answer]:
    return load_packs(directory).answer(response, region_code)


# ---------------------------------------------------------------- how to reach the organisation yourself

@dataclass(frozen=True)
class OrganisationContact:
    """Phone, e-mail, website and opening hours of the regional organisation (its pack's ``contact``),
    or of the national organisation (content/contact.yml) for a region without one. Fields the content
    team did not fill are None: never a made-up number."""
    organisation: str
    phone: Optional[str] = None
    email: Optional[str] = None
    website: Optional[str] = None
    hours: Optional[str] = None
    is_national_fallback: bool = False
    example_data: bool = False


# When even content/contact.yml cannot be read: the chat itself is then the only way we know.
LAST_RESORT = OrganisationContact(organisation="de Gouden Poort", is_national_fallback=True)


def load_national_contact(path: Path = NATIONAL_CONTACT_FILE) -> Tuple[Optional[NationalContact], List[Problem]]:
    """content/contact.yml as a NationalContact, with the problems the content check reports."""
    try:
        raw = _yaml().load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(path, 1, "bestand ontbreekt: de landelijke contactgegevens voor regio's zonder eigen contact")]
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Problem(path, mark.line + 1 if mark is not None else 1, f"geen geldige YAML: {getattr(exc, 'problem', exc)}")]
    try:
        return NationalContact.parse_obj(_plain(raw or {})), []
    except ValidationError as exc:
        return None, [Problem(path, line_of(raw, [p for p in e["loc"] if p != "__root__"]),
                              f"{'.'.join(str(p) for p in e['loc'] if p != '__root__') or 'bestand'}: {_message(e)}")
                      for e in exc.errors()]


@lru_cache(maxsize=4)
def _national(path: Path, stamp: float) -> OrganisationContact:
    national, problems = load_national_contact(path)
    if national is None:
        log.warning("landelijke contactgegevens niet te lezen: %s", "; ".join(p.message for p in problems))
        return LAST_RESORT
    return OrganisationContact(national.organisation, national.phone, national.email, national.website,
                               national.hours, is_national_fallback=True, example_data=national.example_data)


def organisation_contact(region_code: Optional[str], directory: Path = PACKS_DIR,
                         national_file: Path = NATIONAL_CONTACT_FILE) -> OrganisationContact:
    """How to reach the organisation of this region yourself; never fails (national fallback)."""
    try:
        pack = load_packs(directory).pack(region_code)
        if pack is not None and pack.contact is not None:
            c = pack.contact
            return OrganisationContact(pack.organisation, c.phone, c.email, c.website, c.hours,
                                       is_national_fallback=False, example_data=pack.example_data)
        stamp = national_file.stat().st_mtime if national_file.exists() else 0.0
        return _national(national_file, stamp)
    except Exception:  # noqa: BLE001 - a broken content file must never break the answer
        log.exception("contactgegevens voor regio %s", region_code)
        return LAST_RESORT
