"""Reading the funnel back: counts per step, drop-off, fallback share, time to first contact.

Every number that leaves this module passes :func:`shown`: a count under 5 is "< 5" — in the
workspace, the CSV export and the terminal alike — and a share or average is only given when the
counts it is made of are at least 5 each. Counts of the current week come from the pseudonymous
conversation rows, older weeks from ``analytics_counts``; both add up the same way.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.redact import strip_controls
from bot.analytics.funnel import (QUESTION_LABELS, QUESTIONS, STEP_LABELS, STEPS, Cell, Progress,
                                  count_conversations)
from bot.store.analytics_models import AnalyticsConversation, AnalyticsCount, UnansweredQuestion
from bot.store.db import new_session
from bot.routing.regions import load_gazetteer

SMALL = 5
SUPPRESSED = "< 5"


def shown(count: Optional[int]) -> str:
    """A count as it may be shown: under 5 (also 0) becomes "< 5"."""
    count = int(count or 0)
    return SUPPRESSED if count < SMALL else str(count)


def share(part: int, whole: int) -> str:
    if part < SMALL or whole < SMALL:
        return "niet te tonen"
    return f"{round(100 * part / whole)}%"


Counts = Dict[Tuple[Cell, str], int]


def load_cells(session: Session, week: Optional[str] = None, region: Optional[str] = None) -> Counts:
    query = select(AnalyticsCount)
    open_rows = select(AnalyticsConversation)
    if week:
        query, open_rows = query.where(AnalyticsCount.week == week), open_rows.where(AnalyticsConversation.week == week)
    if region:
        query = query.where(AnalyticsCount.region_code == region)
        open_rows = open_rows.where(AnalyticsConversation.region_code == region)
    counts: Counts = {}
    for row in session.execute(query).scalars():
        key = ((row.week, row.region_code, row.channel, row.age_band), row.metric)
        counts[key] = counts.get(key, 0) + row.count
    progress = (Progress(r.week, r.channel, r.region_code, r.age_band, list(r.steps or []), r.last_question,
                         bool(r.in_form), bool(r.fallback)) for r in session.execute(open_rows).scalars())
    for key, amount in count_conversations(progress).items():
        counts[key] = counts.get(key, 0) + amount
    return counts


def by_metric(counts: Counts) -> Dict[str, int]:
    total: Dict[str, int] = {}
    for (_cell, metric), amount in counts.items():
        total[metric] = total.get(metric, 0) + amount
    return total


@dataclass
class Funnel:
    week: Optional[str]
    region: Optional[str]
    region_name: str
    totals: Dict[str, int]
    by_region: Dict[str, Dict[str, int]] = field(default_factory=dict)
    region_names: Dict[str, str] = field(default_factory=dict)

    def step_rows(self) -> List[Tuple[str, str, int]]:
        """(step, Dutch label, count) for every step that applies, in funnel order."""
        return [(s, STEP_LABELS[s], self.totals.get(f"step:{s}", 0)) for s in STEPS]

    def dropoff_rows(self) -> List[Tuple[str, int, int]]:
        """(question label, reached, stopped there)."""
        return [(QUESTION_LABELS[q], self.totals.get(f"step:q:{q}", 0), self.totals.get(f"dropoff:{q}", 0))
                for q in QUESTIONS]

    @property
    def fallback_share(self) -> str:
        return share(self.totals.get("fallback", 0), self.totals.get("step:started", 0))

    @property
    def contact(self) -> Dict[str, str]:
        in_time, late = self.totals.get("contact_in_time", 0), self.totals.get("contact_late", 0)
        n = in_time + late
        average = (f"{self.totals.get('contact_hours', 0) / n:.0f} uur"
                   if n >= SMALL else "niet te tonen")
        return {"in_time": shown(in_time), "late": shown(late), "share_in_time": share(in_time, n),
                "average": average}


def region_names(session: Optional[Session] = None) -> Dict[str, str]:
    """CBS code → name of the 35 arbeidsmarktregio's (content/regions)."""
    return {code: region.name for code, region in load_gazetteer().regions.items()}


def funnel(database_url: str, week: Optional[str] = None, region: Optional[str] = None,
           side_by_side: bool = False) -> Funnel:
    with new_session(database_url) as session:
        names = region_names(session)
        counts = load_cells(session, week, region)
    result = Funnel(week, region, names.get(region or "", region or "alle regio's"), by_metric(counts),
                    region_names=names)
    if side_by_side:
        for ((_w, code, _c, _a), metric), amount in counts.items():
            per = result.by_region.setdefault(code, {})
            per[metric] = per.get(metric, 0) + amount
    return result


def find_region(database_url: str, text: str) -> Optional[str]:
    """A region code from a code ("AM24") or a name ("Zeeland"), case-insensitive."""
    wanted = (text or "").strip().lower()
    with new_session(database_url) as session:
        for code, name in region_names(session).items():
            if wanted in (code.lower(), name.lower()):
                return code
    return None


def unanswered_groups(database_url: str, limit: int = 50) -> List[Tuple[str, str]]:
    """(redacted question, count as shown), the largest groups first."""
    with new_session(database_url) as session:
        rows = session.execute(select(UnansweredQuestion).order_by(UnansweredQuestion.count.desc(),
                                                                   UnansweredQuestion.id).limit(limit)).scalars().all()
        # also what an older version stored before it stripped control characters (issue 22 item 14)
        return [(strip_controls(r.text, keep_lines=False), shown(r.count)) for r in rows]


CSV_HEADER = ("week", "regio", "kanaal", "leeftijd", "meting", "aantal")


# Sums whose cell holds the contact time of fewer than SMALL leads say something about one person.
SUM_METRICS = {"contact_hours": ("contact_in_time", "contact_late")}
HIDDEN_SUM = "verborgen"


def protect(cells: Dict[Tuple, int], group_of) -> Dict[Tuple, str]:
    """Every cell as shown: counts under SMALL (zero too) are "< 5". Complementary suppression: in
    each group (cells that add up to a total someone can see), a lone suppressed cell would follow
    from the total minus the others, so the smallest shown cell of that group is hidden as well."""
    out = {key: shown(amount) for key, amount in cells.items()}
    groups: Dict[Tuple, List[Tuple]] = {}
    for key in cells:
        groups.setdefault(group_of(key), []).append(key)
    for keys in groups.values():
        hidden = [k for k in keys if cells[k] < SMALL]
        if len(hidden) == 1 and cells[hidden[0]] > 0 and len(keys) > 1:
            others = sorted((k for k in keys if k not in hidden), key=lambda k: cells[k])
            out[others[0]] = SUPPRESSED
    return out


def csv_export(database_url: str, week: Optional[str] = None, region: Optional[str] = None) -> str:
    """Every cell, also the empty ones (so "< 5" never means "1 to 4"): each count through
    :func:`shown`, sums hidden unless at least SMALL leads are behind them, and complementary
    suppression within each week and measure (a hidden cell cannot be worked out from the others
    and the total)."""
    with new_session(database_url) as session:
        counts = load_cells(session, week, region)
        codes = [region] if region else sorted(set(region_names(session)) | {"-"})
    weeks = sorted({w for ((w, _r, _c, _a), _m) in counts}) or ([week] if week else [])
    channels = sorted({c for ((_w, _r, c, _a), _m) in counts})
    bands = sorted({a for ((_w, _r, _c, a), _m) in counts})
    metrics = sorted({m for (_cell, m) in counts} - set(SUM_METRICS))
    cells = {((w, r, c, a), m): counts.get(((w, r, c, a), m), 0)
             for w in weeks for r in codes for c in channels for a in bands for m in metrics}
    shown_cells = protect(cells, lambda key: (key[0][0], key[1]))
    for metric, parts in SUM_METRICS.items():
        for cell in {cell for (cell, m) in counts if m == metric}:
            leads = sum(counts.get((cell, p), 0) for p in parts)
            shown_cells[(cell, metric)] = str(counts[(cell, metric)]) if leads >= SMALL and all(
                shown_cells.get((cell, p)) != SUPPRESSED for p in parts) else HIDDEN_SUM
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for ((w, code, channel, band), metric), text in sorted(shown_cells.items()):
        writer.writerow((w, code, channel, band, metric, text))
    return out.getvalue()


def text_report(database_url: str, week: Optional[str] = None, region: Optional[str] = None) -> str:
    """The funnel in Dutch for the terminal (``python -m bot funnel``)."""
    f = funnel(database_url, week, region)
    lines = [f"Trechter van de Gouden Poort – week {week or 'alle weken'}, regio {f.region_name}",
             "(aantallen onder 5 staan er als '< 5')", ""]
    width = max(len(label) for _s, label, _n in f.step_rows())
    for _step, label, count in f.step_rows():
        lines.append(f"  {label.ljust(width)}  {shown(count)}")
    lines += ["", "Afhakers per intakevraag (bereikt / daar gestopt):"]
    for label, reached, stopped in f.dropoff_rows():
        lines.append(f"  {label.ljust(width)}  {shown(reached)} / {shown(stopped)}")
    contact = f.contact
    lines += ["", f"Gesprekken met een vraag die de bot niet begreep: {shown(f.totals.get('fallback', 0))} "
                  f"(aandeel: {f.fallback_share})",
              f"Eerste contact na overdracht: {contact['in_time']} op tijd, {contact['late']} te laat "
              f"(aandeel op tijd: {contact['share_in_time']}); gemiddelde tijd: {contact['average']}"]
    groups = unanswered_groups(database_url, 10)
    if groups:
        lines += ["", "Vragen die de bot niet kon beantwoorden (zonder persoonsgegevens):"]
        lines += [f"  {count.rjust(4)}  {text}" for text, count in groups]
    return "\n".join(lines)


@dataclass
class Bar:
    label: str
    count: int
    text: str      # as shown: "< 5" for small counts
    percent: float  # bar length relative to the largest shown count (0 for a suppressed one)


def bars(rows: List[Tuple[str, int]]) -> List[Bar]:
    """Chart rows where a suppressed count gets no bar at all (its length would give it away)."""
    visible = [count for _label, count in rows if count >= SMALL]
    top = max(visible) if visible else 1
    return [Bar(label, count, shown(count), round(100 * count / top, 1) if count >= SMALL else 0.0)
            for label, count in rows]


SIDE_BY_SIDE = ("started", "intake", "preview", "consent", "handoff", "contacted", "appointment", "outcome")


def regions_table(f: Funnel) -> List[Tuple[str, str, List[str]]]:
    """(code, name, counts as shown for SIDE_BY_SIDE) for every region with counts, known ones first."""
    rows = []
    for code in sorted(f.by_region, key=lambda c: (c == "-", f.region_names.get(c, c))):
        name = f.region_names.get(code, "regio nog niet bekend" if code == "-" else code)
        rows.append((code, name, [shown(f.by_region[code].get(f"step:{s}", 0)) for s in SIDE_BY_SIDE]))
    # complementary suppression per column: the national total minus the shown regions must not give
    # back a lone hidden region
    for index, step in enumerate(SIDE_BY_SIDE):
        cells = {code: f.by_region[code].get(f"step:{step}", 0) for code, _n, _v in rows}
        protected = protect(cells, lambda _code: step)
        for code, _name, values in rows:
            values[index] = protected[code]
    return rows
