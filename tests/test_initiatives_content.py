"""Issue 28, part 1: initiatives in the regional packs and what the content check says about them."""
import shutil
from pathlib import Path

from bot.content.check import Sources, run_check
from bot.content.packs import load_all, load_pack
from bot.content.schema import INTEREST_CODES
from bot.intake.validation import INTERESTS
from bot.ops.config import PROJECT_ROOT

PACKS = PROJECT_ROOT / "content" / "regios"

INITIATIVE = """
  - code: {code}
    name: Proef initiatief
    kind: {kind}
    since: 2025-01-01
    website: {website}
    contact: {contact}
    wat_werkt: "Het werkt goed."
    wat_lukt_minder: "Niet alles lukt."
"""


def _packs(tmp_path: Path, extra: str = "", to: str = "rijnmond.yml") -> Path:
    packs = tmp_path / "regios"
    shutil.copytree(PACKS, packs)
    if extra:
        with (packs / to).open("a", encoding="utf-8") as f:
            f.write(extra)
    return packs


def _errors(packs: Path, tmp_path: Path):
    return [p.render() for p in run_check(Sources(packs_dir=packs, cache_dir=tmp_path)).errors]


def test_the_example_packs_have_marked_example_initiatives_with_unique_codes():
    codes = []
    for item in load_all(PACKS):
        assert item.pack is not None, item.problems
        assert item.pack.initiatives, f"{item.path.name} has no example initiatives"
        for entry in item.pack.initiatives:
            assert "(voorbeeld)" in entry.name and item.pack.example_data
            assert entry.contact.endswith("example.org") and entry.website.startswith("https://")
            codes.append(entry.code)
    assert len(codes) == len(set(codes))
    assert "bus-zeeuws-vlaanderen" in codes


def test_the_interest_codes_are_the_intakes():
    assert set(INTEREST_CODES) == set(INTERESTS) - {"weet_niet"}


def test_a_code_used_twice_in_two_packs_is_an_error_naming_the_other_pack(tmp_path):
    extra = INITIATIVE.format(code="bus-zeeuws-vlaanderen", kind="gastles", website="https://a.example.org/",
                              contact="info@a.example.org")
    errors = _errors(_packs(tmp_path, extra), tmp_path)
    assert any("rijnmond.yml" in e and "bus-zeeuws-vlaanderen" in e and "zeeland.yml" in e for e in errors), errors


def test_a_code_used_twice_in_one_pack_is_an_error(tmp_path):
    extra = INITIATIVE.format(code="gastles-haven-rotterdam", kind="gastles", website="https://a.example.org/",
                              contact="info@a.example.org")
    errors = _errors(_packs(tmp_path, extra), tmp_path)
    assert any("gastles-haven-rotterdam" in e and "dit pakket" in e for e in errors), errors


def test_an_unknown_kind_a_plain_http_link_and_a_personal_contact_are_refused(tmp_path):
    for field, extra in (
            ("onbekend soort initiatief", INITIATIVE.format(code="nieuw-een", kind="hackathon",
                                                            website="https://a.example.org/", contact="info@a.example.org")),
            ("https://", INITIATIVE.format(code="nieuw-twee", kind="gastles",
                                           website="http://a.example.org/", contact="info@a.example.org")),
            ("functieadres", INITIATIVE.format(code="nieuw-drie", kind="gastles",
                                               website="https://a.example.org/", contact="jan.jansen@a.example.org"))):
        packs = _packs(tmp_path / field.replace("/", "").replace(":", ""), extra)
        loaded = load_pack(packs / "rijnmond.yml")
        assert loaded.pack is None
        assert any(field in p.message for p in loaded.problems), [p.message for p in loaded.problems]
        errors = _errors(packs, tmp_path)
        assert any("rijnmond.yml:" in e and field in e for e in errors), errors


def test_a_stopped_initiative_needs_the_date_it_stopped(tmp_path):
    extra = INITIATIVE.format(code="nieuw-vier", kind="gastles", website="https://a.example.org/",
                              contact="info@a.example.org") + "    status: gestopt\n"
    loaded = load_pack(_packs(tmp_path, extra) / "rijnmond.yml")
    assert loaded.pack is None and any("status_since" in p.message for p in loaded.problems)


def test_the_shipped_initiatives_pass_the_check(tmp_path):
    assert _errors(PACKS, tmp_path) == []
