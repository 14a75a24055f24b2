"""``python -m bot content check``: can the content team's files be trusted? Dutch messages that name
file and line ("content/regios/zeeland.yml:17: FOUT: ...").

Errors (the check fails, ``make test`` too): a pack, event or contact block (also the national one in
``content/contact.yml``) that does not fit the schema, a reference
to a response that does not exist (regional answer, fact, rule, story, code), a fact without a
source, a link that is not https, an event whose PC4 is unknown, an initiative whose code is used twice
(in any pack), whose kind is unknown or whose contact is not a role address.
Warnings (for the content team to look at, never fatal): B1 (sentences over 20 words, words over 4
syllables that are not in ``content/b1_toegestaan.txt``), responses nobody uses, events in the past,
feed events that could not be read, regional answers for a response that is not (yet) sent regionally.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.content.events import cache_path, default_cache_dir, now_nl, parse_ical, point_of
from bot.content.packs import LoadedPack, Problem, line_of, load_all, load_national_contact
from bot.content import salaries as salary_figures
from bot.content import woordenlijst
from bot.ops.config import PROJECT_ROOT

MAX_WORDS = 20
MAX_SYLLABLES = 4
# Responses the bot sends through regional_answer (actions/regional.py: utter_regional): the answers
# of action_answer_topic and of action_events. A regional answer for another response is allowed
# but has no effect yet; the check warns.
REGIONAL_PREFIXES = ("utter_doubt_", "utter_jobs_", "utter_training_", "utter_events")
_UTTER = re.compile(r"""["'](utter_[a-z0-9_]+)["']""")
_UTTER_YAML = re.compile(r"\b(utter_[a-z0-9_]+)\b")
_UTTER_PREFIX = re.compile(r"""["'](utter_[a-z0-9_]+_)\{""")  # f"utter_ask_contact_value_{method}_{who}"
NOT_RESPONSES = {"utter_action"}  # Rasa's metadata key for the response a bot message came from
_VOWELS = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:-[A-Za-zÀ-ÿ]+)*")


@dataclass
class Sources:
    root: Path = PROJECT_ROOT
    packs_dir: Optional[Path] = None
    cache_dir: Optional[Path] = None
    today: Optional[date] = None
    allow_list: Optional[Path] = None

    def __post_init__(self):
        self.packs_dir = self.packs_dir or self.root / "content" / "regios"
        self.allow_list = self.allow_list or self.root / "content" / "b1_toegestaan.txt"
        self.today = self.today or now_nl().date()


@dataclass
class Report:
    problems: List[Problem] = field(default_factory=list)

    @property
    def errors(self) -> List[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> List[Problem]:
        return [p for p in self.problems if p.level != "error"]

    def error(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message, "error"))

    def warn(self, path: Path, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message, "warning"))


def _load(path: Path, report: Report):
    try:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        report.error(path, mark.line + 1 if mark else 1, f"geen geldige YAML: {getattr(exc, 'problem', exc)}")
        return None


# ---------------------------------------------------------------- the domain

def domain_responses(root: Path, report: Report) -> Dict[str, Tuple[Path, int, List[str]]]:
    """Every response in domain/*.yml: name → (file, line, texts)."""
    found: Dict[str, Tuple[Path, int, List[str]]] = {}
    for path in sorted((root / "domain").glob("*.yml")):
        data = _load(path, report)
        responses = (data or {}).get("responses") or {}
        for name, variations in responses.items():
            texts = [v.get("text") for v in variations or [] if isinstance(v, dict) and v.get("text")]
            found[name] = (path, line_of(data, ["responses", name]), texts)
    return found


def form_questions(root: Path, report: Report) -> set:
    """utter_ask_<slot> responses: Rasa asks them itself while a form runs."""
    asked = set()
    for path in sorted((root / "domain").glob("*.yml")):
        data = _load(path, report) or {}
        for form, spec in (data.get("forms") or {}).items():
            for slot in (spec or {}).get("required_slots") or []:
                asked.update({f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"})
    return asked


def _uses_in_text(path: Path, pattern: re.Pattern) -> Iterable[Tuple[str, int]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for match in pattern.finditer(line):
            yield match.group(1), number


def references(root: Path) -> List[Tuple[str, Path, int]]:
    """Every place a response is named: rules, stories (training and tests), actions and bot code."""
    uses: List[Tuple[str, Path, int]] = []
    for folder in ("data/rules", "data/stories", "tests/stories"):
        for path in sorted((root / folder).glob("*.yml")):
            uses.extend((name, path, line) for name, line in _uses_in_text(path, _UTTER_YAML))
    for folder in ("actions", "bot"):
        for path in sorted((root / folder).rglob("*.py")):
            uses.extend((name, path, line) for name, line in _uses_in_text(path, _UTTER) if name not in NOT_RESPONSES)
            uses.extend((name, path, line) for name, line in _uses_in_text(path, _UTTER_PREFIX))
    return uses


# ---------------------------------------------------------------- B1

def syllables(word: str) -> int:
    """A rough Dutch syllable count: groups of vowels (ij, ei, oe, aa … count once)."""
    return len(_VOWELS.findall(word))


def allowed_words(path: Path) -> set:
    if not path.exists():
        return set()
    return {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def b1_findings(text: str, allowed: set) -> List[str]:
    clean = re.sub(r"https://\S+|\{[^}]*\}", " ", text or "")
    findings = []
    for sentence in re.split(r"(?<=[.!?])\s+", clean):
        words = _WORD.findall(sentence)
        if len(words) > MAX_WORDS:
            findings.append(f"zin van {len(words)} woorden (B1: hooguit {MAX_WORDS}): \"{sentence.strip()[:60]}…\"")
    long_words = sorted({w for w in _WORD.findall(clean) if syllables(w) > MAX_SYLLABLES and w.lower() not in allowed})
    if long_words:
        findings.append(f"lange woorden (meer dan {MAX_SYLLABLES} lettergrepen): {', '.join(long_words)}"
                        " - makkelijker zeggen, of toevoegen aan content/b1_toegestaan.txt")
    return findings


# ---------------------------------------------------------------- the check

def check_packs(sources: Sources, report: Report, responses: Dict[str, Tuple[Path, int, List[str]]],
                allowed: set) -> List[LoadedPack]:
    loaded = load_all(sources.packs_dir)
    regions: Dict[str, Path] = {}
    codes: Dict[str, Path] = {}
    for item in loaded:
        report.problems.extend(item.problems)
        pack = item.pack
        if pack is None:
            continue
        if pack.region in regions:
            report.error(item.path, item.line_of("region"), f"regio {pack.region} heeft al een pakket: {regions[pack.region].name}")
        regions[pack.region] = item.path
        from bot.routing.regions import region_name
        if region_name(pack.region) is None:
            report.error(item.path, item.line_of("region"), f"onbekende arbeidsmarktregio {pack.region} (zie content/regions/arbeidsmarktregios.csv)")
        for key, answer in pack.answers.items():
            line = item.line_of("answers", key)
            if key not in responses:
                report.error(item.path, line, f"regionaal antwoord {key}: dat antwoord bestaat niet in domain/ (typfout?)")
                continue
            if not key.startswith(REGIONAL_PREFIXES):
                report.warn(item.path, line, f"regionaal antwoord {key}: dit antwoord stuurt de bot nog niet regionaal, dus het heeft nu geen effect")
            for finding in b1_findings(answer.text, allowed):
                report.warn(item.path, item.line_of("answers", key, "text"), f"B1: {finding}")
        if pack.welcome:
            for finding in b1_findings(pack.welcome, allowed):
                report.warn(item.path, item.line_of("welcome"), f"B1: {finding}")
        if pack.contact is not None and pack.contact.hours:
            for finding in b1_findings(pack.contact.hours, allowed):
                report.warn(item.path, item.line_of("contact", "hours"), f"B1: {finding}")
        for index, entry in enumerate(pack.events):
            line = item.line_of("events", index)
            if point_of(entry.place) is None:
                report.error(item.path, item.line_of("events", index, "place"),
                             f"evenement '{entry.title}': pc4 {entry.place.pc4} staat niet in de CBS-tabel (content/regions/pc4.csv); geef lat en lon")
            if entry.date is not None and entry.date < sources.today:
                report.warn(item.path, item.line_of("events", index, "date"),
                            f"evenement '{entry.title}' ({entry.date}) ligt in het verleden; de bot laat het niet zien, haal het weg")
            elif entry.over_dagen is not None and entry.over_dagen < 0:
                report.warn(item.path, item.line_of("events", index, "over_dagen"),
                            f"evenement '{entry.title}' ligt in het verleden (over_dagen {entry.over_dagen}); de bot laat het niet zien")
            for finding in b1_findings(entry.title, allowed):
                report.warn(item.path, line, f"B1: {finding}")
        check_initiatives(item, report, codes, sources.today, allowed)
        cache_dir = sources.cache_dir if sources.cache_dir is not None else default_cache_dir()
        for index, feed in enumerate(pack.feeds):
            cached = cache_path(cache_dir, pack.region, index)
            if not cached.exists():
                report.warn(item.path, item.line_of("feeds", index),
                            f"agenda '{feed.name}' is nog niet opgehaald: draai python -m bot content fetch")
                continue
            _, warnings = parse_ical(cached.read_text(encoding="utf-8"), feed, pack.region)
            for warning in warnings:
                report.warn(item.path, item.line_of("feeds", index), warning)
    return loaded


def check_initiatives(item: LoadedPack, report: Report, codes: Dict[str, Path], today: date, allowed: set) -> None:
    """Issue 28: every initiative code once in all packs (it goes into snippets, links and the funnel),
    dates not in the future, and the region's own words in B1."""
    for index, entry in enumerate(item.pack.initiatives):
        line = item.line_of("initiatives", index, "code")
        if entry.code in codes:
            where = "dit pakket" if codes[entry.code] == item.path else codes[entry.code].name
            report.error(item.path, line, f"initiatief {entry.code}: die code bestaat al in {where}; een code is uniek in alle regio's")
        codes.setdefault(entry.code, item.path)
        if entry.since > today:
            report.warn(item.path, item.line_of("initiatives", index, "since"),
                        f"initiatief {entry.code}: since ({entry.since}) ligt in de toekomst")
        for key in ("wat_werkt", "wat_lukt_minder"):
            for finding in b1_findings(getattr(entry, key), allowed):
                report.warn(item.path, item.line_of("initiatives", index, key), f"B1 in {entry.code} {key}: {finding}")


def check_contact(root: Path, report: Report, allowed: set) -> None:
    """content/contact.yml: the national contact for regions without their own (issue 23)."""
    path = root / "content" / "contact.yml"
    national, problems = load_national_contact(path)
    report.problems.extend(problems)
    if national is not None and national.hours:
        for finding in b1_findings(national.hours, allowed):
            report.warn(path, 1, f"B1: {finding}")


def check_facts(root: Path, report: Report, responses: Dict[str, Tuple[Path, int, List[str]]],
                today: Optional[date] = None) -> None:
    today = today or now_nl().date()
    path = root / "content" / "facts.yml"
    if not path.exists():
        return
    data = _load(path, report) or {}
    for index, fact in enumerate(data.get("facts") or []):
        label = fact.get("id") or f"nummer {index + 1}"
        if not str(fact.get("source") or "").strip():
            report.error(path, line_of(data, ["facts", index]), f"feit {label} heeft geen bron (source)")
        for name in fact.get("responses") or []:
            if name.startswith("utter_") and name not in responses:
                report.error(path, line_of(data, ["facts", index, "responses"]), f"feit {label} noemt {name}, maar dat antwoord bestaat niet in domain/")
    salaries = data.get("salaries")
    if salaries:  # issue 23: amounts with source, period and status (bot/conversation/salary.py)
        line = line_of(data, ["salaries"])
        for level, message in salary_figures.check(salaries, today):
            (report.error if level == "error" else report.warn)(path, line, message)


def check_glossary(root: Path, report: Report, allowed: set) -> None:
    """content/woordenlijst.yml (issue 23): the explanations behind "wat betekent ...?"."""
    path = root / "content" / "woordenlijst.yml"
    if not path.exists():
        return
    data = _load(path, report) or {}
    for level, message in woordenlijst.check(data):
        (report.error if level == "error" else report.warn)(path, line_of(data, ["terms"]), message)
    for key, entry in (data.get("terms") or {}).items():
        for finding in b1_findings(str((entry or {}).get("uitleg") or ""), allowed):
            report.warn(path, line_of(data, ["terms", key]), f"B1 in de uitleg van {key}: {finding}")


def run_check(sources: Optional[Sources] = None) -> Report:
    sources = sources or Sources()
    report = Report()
    root = sources.root
    responses = domain_responses(root, report)
    allowed = allowed_words(sources.allow_list)
    uses = references(root)
    for name, path, line in uses:
        if name not in responses and not name.endswith("_"):
            report.error(path, line, f"{name} wordt gebruikt, maar bestaat niet in domain/")
    used = {name for name, _, _ in uses} | form_questions(root, report)
    check_packs(sources, report, responses, allowed)
    check_facts(root, report, responses, sources.today)
    check_contact(root, report, allowed)
    check_glossary(root, report, allowed)
    for name, (path, line, texts) in sorted(responses.items()):
        if name not in used and not any(u.endswith("_") and name.startswith(u) for u in used):
            report.warn(path, line, f"{name} wordt nergens gebruikt (regel, verhaal of actie)")
        for text in texts:
            if re.search(r"http://", text):
                report.error(path, line, f"{name}: link zonder https")
            for finding in b1_findings(text, allowed):
                report.warn(path, line, f"B1 in {name}: {finding}")
    return report


def render(report: Report, root: Path = PROJECT_ROOT, quiet_warnings: bool = False) -> str:
    lines = [p.render(root) for p in report.errors]
    if not quiet_warnings:
        lines += [p.render(root) for p in report.warnings]
    verdict = "in orde" if not report.errors else "NIET in orde"
    lines.append(f"Inhoudscontrole {verdict}: {len(report.errors)} fouten, {len(report.warnings)} waarschuwingen.")
    return "\n".join(lines)
