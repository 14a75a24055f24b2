"""What each initiative brings in (issue 28): the funnel per initiative, per quarter and since its
start, beside the region's and the national rates.

Counts come from ``analytics_initiative_counts`` (finished weeks) and the pseudonymous conversation
rows of the current week that carry an initiative's code; leads' later steps (contact, appointment,
start) are added by bot.analytics.leads for leads with a code. The same k ≥ 5 rules as the funnel:
every count passes :func:`bot.analytics.report.shown`, a rate needs both its counts shown and ≥ 5
(:func:`bot.analytics.report.share`), and complementary suppression (the rule of
:func:`bot.analytics.report.protect`) runs over two groupings at once: the initiatives of one region in
one quarter (they add up to what the region shows), and the quarters of one initiative (they add up
to "sinds de start").
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Callable, Dict, Hashable, Iterable, List, Mapping, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.funnel import Progress, metrics_of, week_start
from bot.analytics.report import SMALL, SUPPRESSED, load_cells, region_names, share, shown
from bot.content.initiatives import Found, all_initiatives
from bot.store.analytics_models import AnalyticsConversation, AnalyticsInitiativeCount
from bot.store.db import new_session

# What the page and the report show per initiative, in funnel order.
METRICS = ("step:started", "step:intake", "step:handoff", "contact_in_time", "step:appointment", "step:outcome")
METRIC_LABELS = {
    "step:started": "Gesprekken", "step:intake": "Intakes", "step:handoff": "Aanvragen (leads)",
    "contact_in_time": "Op tijd contact gehad", "step:appointment": "Afspraken",
    "step:outcome": "Gestart met opleiding of werk",
}
# Rates beside the region and the nation: (label, part, whole).
RATES = (("Van gesprek naar intake", "step:intake", "step:started"),
         ("Van gesprek naar aanvraag", "step:handoff", "step:started"),
         ("Aanvragen met op tijd contact", "contact_in_time", "step:handoff"),
         ("Aanvragen met een afspraak", "step:appointment", "step:handoff"),
         ("Aanvragen die startten", "step:outcome", "step:handoff"))
NOT_SHOWN = "niet te tonen"
STATUS_LABELS = {"actief": "actief", "gepauzeerd": "gepauzeerd", "gestopt": "gestopt"}


# ---------------------------------------------------------------- counting (the consumer)

def add_initiative_count(session: Session, week: str, code: str, metric: str, amount: int) -> None:
    if not amount or not code:
        return
    row = session.get(AnalyticsInitiativeCount, (week, code, metric))
    if row is None:
        session.add(AnalyticsInitiativeCount(week=week, initiative=code, metric=metric, count=amount))
        session.flush()
    else:
        row.count += amount


def count_per_initiative(rows: Iterable[Progress]) -> Dict[Tuple[str, str, str], int]:
    counts: Dict[Tuple[str, str, str], int] = {}
    for p in rows:
        if not p.initiative:
            continue
        for metric in metrics_of(p):
            key = (p.week, p.initiative, metric)
            counts[key] = counts.get(key, 0) + 1
    return counts


def fold_initiatives(session: Session, rows: Sequence[Progress]) -> None:
    """The finished week's conversations that came in through an initiative, into counts (rotation)."""
    for (week, code, metric), amount in count_per_initiative(rows).items():
        add_initiative_count(session, week, code, metric, amount)


def also_per_initiative(add_count: Callable, lead) -> Callable:
    """``add_count`` for the lead's cell, and the same metric for the lead's initiative, if it has one."""
    code = getattr(lead, "initiative", None)
    if not code:
        return add_count

    def both(session: Session, cell, metric: str, amount: int) -> None:
        add_count(session, cell, metric, amount)
        add_initiative_count(session, cell[0], code, metric, amount)
    return both


# ---------------------------------------------------------------- quarters

def quarter_of_week(week: str) -> str:
    """"2026-Q4" for "2026-W49": the quarter of the week's Thursday (where ISO puts a week)."""
    thursday = week_start(week) + timedelta(days=3)
    return f"{thursday.year}-Q{(thursday.month - 1) // 3 + 1}"


def quarter_of_day(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def valid_quarter(text: str) -> bool:
    parts = (text or "").split("-Q")
    return len(parts) == 2 and len(parts[0]) == 4 and parts[0].isdigit() and parts[1] in ("1", "2", "3", "4")


def quarter_bounds(quarter: str) -> Tuple[date, date]:
    year, q = int(quarter[:4]), int(quarter[-1])
    first = date(year, 3 * q - 2, 1)
    last = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return first, last


# ---------------------------------------------------------------- suppression

def suppress(cells: Mapping[Hashable, int], groupings: Sequence[Callable[[Hashable], Hashable]]) -> Dict[Hashable, str]:
    """Every cell as shown: under SMALL (zero too) "< 5"; then, per grouping, :func:`report.protect`'s
    rule: a group whose only hidden cell holds 1 to 4 would give it away (its total minus the others),
    so its smallest shown cell is hidden too. One hidden set for all groupings, so a cell hidden for one
    grouping counts as hidden in the next."""
    hidden = {key for key, amount in cells.items() if amount < SMALL}
    for group_of in groupings:
        groups: Dict[Hashable, List[Hashable]] = {}
        for key in cells:
            groups.setdefault(group_of(key), []).append(key)
        for keys in groups.values():
            lone = [k for k in keys if k in hidden]
            if len(lone) == 1 and 0 < cells[lone[0]] < SMALL and len(keys) > 1:
                others = sorted((k for k in keys if k not in hidden), key=lambda k: cells[k])
                if others:
                    hidden.add(others[0])
    return {key: SUPPRESSED if key in hidden else shown(amount) for key, amount in cells.items()}


def rate(part: str, whole: str) -> str:
    """A share of two counts as shown: only when both are shown numbers (then ≥ 5)."""
    if SUPPRESSED in (part, whole) or not part.isdigit() or not whole.isdigit():
        return NOT_SHOWN
    return share(int(part), int(whole))


# ---------------------------------------------------------------- reading back

Counts = Dict[Tuple[str, str, str], int]  # (week, code, metric) → count


def load_initiative_counts(session: Session) -> Counts:
    counts: Counts = {}
    for row in session.execute(select(AnalyticsInitiativeCount)).scalars():
        key = (row.week, row.initiative, row.metric)
        counts[key] = counts.get(key, 0) + row.count
    open_rows = session.execute(select(AnalyticsConversation).where(AnalyticsConversation.initiative.isnot(None))).scalars()
    progress = [Progress(r.week, r.channel, r.region_code, r.age_band, list(r.steps or []), r.last_question,
                         bool(r.in_form), bool(r.fallback), r.initiative) for r in open_rows]
    for key, amount in count_per_initiative(progress).items():
        counts[key] = counts.get(key, 0) + amount
    return counts


@dataclass
class Row:
    """One initiative on the page and in the report: everything already as it may be shown."""
    found: Found
    quarter: Dict[str, str]
    since_start: Dict[str, str]
    rates: List[Tuple[str, str, str, str]]  # (label, this initiative, its region, national), since the start

    @property
    def initiative(self):
        return self.found.initiative

    def changed_in(self, quarter: str) -> Optional[str]:
        """"gestart", "gepauzeerd", "gestopt" or "weer actief" when that happened in ``quarter``."""
        entry = self.initiative
        if entry.status_since and quarter_of_day(entry.status_since) == quarter:
            return {"actief": "weer actief"}.get(entry.status, entry.status)
        if quarter_of_day(entry.since) == quarter:
            return "gestart"
        return None


@dataclass
class Overview:
    quarter: str
    rows: List[Row]
    kinds: List[str] = field(default_factory=list)
    target_groups: List[str] = field(default_factory=list)
    region_names: Dict[str, str] = field(default_factory=dict)


def target_groups_of(entry) -> List[str]:
    """The target groups to filter on: the first word of each level ("mbo 2-4" → "mbo")."""
    return sorted({(level.split() or [""])[0].lower() for level in entry.target.levels if level.strip()})


def overview(database_url: str, quarter: str, kind: Optional[str] = None, target: Optional[str] = None,
             region: Optional[str] = None) -> Overview:
    """Every region's initiatives with their numbers for ``quarter`` and since their start (up to the
    end of ``quarter``). Filters narrow the list only after suppression, so filtering never reveals
    a hidden cell."""
    everything = all_initiatives()
    _first, last_day = quarter_bounds(quarter)
    with new_session(database_url) as session:
        counts = load_initiative_counts(session)
        cells = load_cells(session)
        names = region_names(session)
    quarters = sorted({quarter_of_week(w) for (w, _c, _m) in counts} | {quarter})
    quarters = [q for q in quarters if q <= quarter]
    # counts per (code, metric, quarter), also the zeros, so "< 5" never means "1 to 4"
    raw: Dict[Tuple[str, str, str], int] = {(f.code, m, q): 0 for f in everything for m in METRICS for q in quarters}
    for (week, code, metric), amount in counts.items():
        q = quarter_of_week(week)
        if (code, metric, q) in raw:
            raw[(code, metric, q)] += amount
    region_of = {f.code: f.region_code for f in everything}
    since_q = {f.code: quarter_of_day(f.initiative.since) for f in everything}
    # since the start: the initiative's quarters from its start on (earlier ones are not its numbers)
    raw = {k: v for k, v in raw.items() if k[2] >= since_q[k[0]] or k[2] == quarter}
    shown_cells = suppress(raw, [lambda k: (region_of[k[0]], k[1], k[2]),   # a region's initiatives in a quarter
                                 lambda k: (k[0], k[1])])                    # an initiative's quarters
    totals = {(code, metric): 0 for code in region_of for metric in METRICS}
    for (code, metric, _q), amount in raw.items():
        totals[(code, metric)] += amount
    # region and national counts up to the end of the quarter (the funnel's own cells)
    region_totals: Dict[Tuple[str, str], int] = {}
    national: Dict[str, int] = {}
    for ((week, code, _channel, _band), metric), amount in cells.items():
        if week_start(week) > last_day:
            continue
        region_totals[(code, metric)] = region_totals.get((code, metric), 0) + amount
        national[metric] = national.get(metric, 0) + amount
    rows = []
    for f in everything:
        since = {m: shown(totals[(f.code, m)]) for m in METRICS}
        rates = []
        for label, part, whole in RATES:
            regional = share(region_totals.get((f.region_code, part), 0), region_totals.get((f.region_code, whole), 0))
            rates.append((label, rate(since[part], since[whole]), regional,
                          share(national.get(part, 0), national.get(whole, 0))))
        rows.append(Row(f, {m: shown_cells.get((f.code, m, quarter), SUPPRESSED) for m in METRICS}, since, rates))
    result = Overview(quarter, rows, sorted({f.initiative.kind for f in everything}),
                      sorted({g for f in everything for g in target_groups_of(f.initiative)}), names)
    result.rows = [r for r in rows
                   if (not kind or r.initiative.kind == kind)
                   and (not target or target in target_groups_of(r.initiative))
                   and (not region or r.found.region_code == region)]
    result.rows.sort(key=lambda r: (r.found.region_name, r.initiative.status != "actief", r.found.name))
    return result


# ---------------------------------------------------------------- the quarterly report

CSV_HEADER = ("kwartaal", "regio", "initiatief", "naam", "soort", "status", "meting", "dit kwartaal", "sinds de start")


def csv_text(view: Overview) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for r in view.rows:
        for metric in METRICS:
            writer.writerow((view.quarter, r.found.region_name, r.found.code, r.found.name, r.initiative.kind,
                             r.initiative.status, METRIC_LABELS[metric], r.quarter[metric], r.since_start[metric]))
    return out.getvalue()


def markdown(view: Overview) -> str:
    q = view.quarter
    lines = [f"# Initiatieven: wat ze opleveren, {q}", "",
             "Voor de stuurgroep van het Aanvalsplan Techniek. Alleen getelde aantallen: geen namen, geen berichten. "
             "Aantallen onder 5 staan er als \"< 5\"; soms is ook een groter aantal verborgen, zodat je een klein "
             "aantal niet kunt uitrekenen. Een percentage staat er alleen als het op minstens 5 rust.", ""]
    changed = [(r, r.changed_in(q)) for r in view.rows if r.changed_in(q)]
    lines += ["## Gestart, gepauzeerd of gestopt dit kwartaal", ""]
    lines += [f"- {r.found.name} ({r.found.region_name}, {r.initiative.kind}): {what}" for r, what in changed] or ["- geen"]
    lines += ["", "## Wat elk initiatief oplevert", "",
              "| Regio | Initiatief | Soort | Status | " + " | ".join(METRIC_LABELS[m] for m in METRICS) + " |",
              "|---|---|---|---|" + "---|" * len(METRICS)]
    for r in view.rows:
        values = " | ".join(f"{r.quarter[m]} ({r.since_start[m]})" for m in METRICS)
        lines.append(f"| {r.found.region_name} | {r.found.name} | {r.initiative.kind} | {r.initiative.status} | {values} |")
    lines += ["", "Per cel: dit kwartaal (tussen haakjes: sinds de start).", "",
              "## Naast de regio en heel Nederland (sinds de start)", ""]
    for r in view.rows:
        lines.append(f"**{r.found.name}** ({r.found.region_name})")
        lines += [f"- {label}: {own} (regio {regional}, landelijk {nat})" for label, own, regional, nat in r.rates]
        lines.append("")
    lines += ["## Wat de regio's zelf leerden", ""]
    for r in view.rows:
        lines += [f"### {r.found.name} ({r.found.region_name})", "",
                  f"- Wat werkt: {r.initiative.wat_werkt}", f"- Wat lukt minder: {r.initiative.wat_lukt_minder}",
                  f"- Meer weten: {r.initiative.website} of {r.initiative.contact}", ""]
    if any(r.found.example_data for r in view.rows):
        lines += ["*Let op: (een deel van) deze initiatieven is voorbeelddata.*", ""]
    return "\n".join(lines)
