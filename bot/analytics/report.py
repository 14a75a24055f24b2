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
from datetime import timedelta
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.redact import strip_controls
from bot.analytics.funnel import (QUESTION_LABELS, QUESTIONS, STEP_LABELS, STEPS, Cell, Progress,
                                  count_conversations, iso_week, week_start)
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

# Periods long enough for small regions to reach 5 (issue 24 item 6): code -> (words, weeks).
PERIODS = {"week": ("1 week", 1), "4-weken": ("4 weken", 4), "kwartaal": ("een kwartaal (13 weken)", 13)}
DEFAULT_PERIOD = "4-weken"
_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def period_weeks(last_week: str, period: str = DEFAULT_PERIOD) -> List[str]:
    """The ISO weeks of a period that ends with ``last_week``, oldest first."""
    start = week_start(last_week)
    n = PERIODS.get(period, PERIODS[DEFAULT_PERIOD])[1]
    return [iso_week(start - timedelta(weeks=i)) for i in range(n - 1, -1, -1)]


def week_label(week: str) -> str:
    """"2026-W49" -> "week 49 (30 nov)": the number and the Monday it starts."""
    day = week_start(week)
    return f"week {int(week.split('-W')[1])} ({day.day} {_MONTHS[day.month - 1]})"


def period_shown(weekly: Sequence[int]) -> Tuple[str, int]:
    """A total over several weeks as shown, and what its bar may show. The weeks are shown one by one
    too (the trend, and each week's own page), so a total whose weeks are all shown but one would
    give that one away (total minus the others: the rule of :func:`protect`). Such a total is
    shown as "minstens" the sum of the shown weeks, which everyone can add up anyway."""
    total = sum(weekly)
    if total < SMALL:
        return SUPPRESSED, 0
    hidden = [n for n in weekly if n < SMALL]
    if len(weekly) > 1 and len(hidden) == 1 and hidden[0] > 0:
        floor = total - hidden[0]
        return f"minstens {floor}", floor
    return str(total), total


def load_cells(session: Session, week: Optional[str] = None, region: Optional[str] = None,
               weeks: Optional[Sequence[str]] = None) -> Counts:
    query = select(AnalyticsCount)
    open_rows = select(AnalyticsConversation)
    if weeks:
        query = query.where(AnalyticsCount.week.in_(list(weeks)))
        open_rows = open_rows.where(AnalyticsConversation.week.in_(list(weeks)))
    elif week:
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
    weeks: List[str] = field(default_factory=list)        # the period's weeks, oldest first
    by_week: Dict[str, Dict[str, int]] = field(default_factory=dict)
    by_region_week: Dict[Tuple[str, str], Dict[str, int]] = field(default_factory=dict)

    def weekly(self, metric: str, region: Optional[str] = None) -> List[int]:
        """One count per week of the period (the whole period as one week when there are none)."""
        if not self.weeks:
            return [(self.by_region.get(region, {}) if region else self.totals).get(metric, 0)]
        if region:
            return [self.by_region_week.get((region, w), {}).get(metric, 0) for w in self.weeks]
        return [self.by_week.get(w, {}).get(metric, 0) for w in self.weeks]

    def total(self, metric: str) -> Tuple[str, int]:
        """The period's count as shown (:func:`period_shown`) and the count its bar may show."""
        return period_shown(self.weekly(metric))

    def step_rows(self) -> List[Tuple[str, str, int]]:
        """(step, Dutch label, count) for every step that applies, in funnel order."""
        return [(s, STEP_LABELS[s], self.totals.get(f"step:{s}", 0)) for s in STEPS]

    def dropoff_rows(self) -> List[Tuple[str, int, int]]:
        """(question label, reached, stopped there)."""
        return [(QUESTION_LABELS[q], self.totals.get(f"step:q:{q}", 0), self.totals.get(f"dropoff:{q}", 0))
                for q in QUESTIONS]

    @property
    def fallback_share(self) -> str:
        exact = all(self.total(m)[0] == str(self.totals.get(m, 0)) for m in ("fallback", "step:started"))
        return share(self.totals.get("fallback", 0), self.totals.get("step:started", 0)) if exact else "niet te tonen"

    @property
    def contact(self) -> Dict[str, str]:
        in_time, late = self.totals.get("contact_in_time", 0), self.totals.get("contact_late", 0)
        n = in_time + late
        in_time_text, late_text = self.total("contact_in_time")[0], self.total("contact_late")[0]
        exact = in_time_text == str(in_time) and late_text == str(late)  # no "minstens": shares may be given
        average = (f"{self.totals.get('contact_hours', 0) / n:.0f} uur"
                   if n >= SMALL and exact else "niet te tonen")
        return {"in_time": in_time_text, "late": late_text,
                "share_in_time": share(in_time, n) if exact else "niet te tonen", "average": average}

    def trend(self, steps: Sequence[str]) -> List[Tuple[str, List[str]]]:
        """(week label, the steps' counts as shown) per week of the period: the same numbers each
        week's own page shows."""
        return [(week_label(w), [shown(self.by_week.get(w, {}).get(f"step:{s}", 0)) for s in steps])
                for w in self.weeks]


def region_names(session: Optional[Session] = None) -> Dict[str, str]:
    """CBS code → name of the 35 arbeidsmarktregio's (content/regions)."""
    return {code: region.name for code, region in load_gazetteer().regions.items()}


def funnel(database_url: str, week: Optional[str] = None, region: Optional[str] = None,
           side_by_side: bool = False, weeks: Optional[Sequence[str]] = None) -> Funnel:
    """One week, or with ``weeks`` a period of weeks (``week`` is then its last)."""
    with new_session(database_url) as session:
        names = region_names(session)
        counts = load_cells(session, week, region, weeks=weeks)
    result = Funnel(week, region, names.get(region or "", region or "alle regio's"), by_metric(counts),
                    region_names=names, weeks=list(weeks or ([week] if week else [])))
    for ((w, code, _c, _a), metric), amount in counts.items():
        per_week = result.by_week.setdefault(w, {})
        per_week[metric] = per_week.get(metric, 0) + amount
        if side_by_side:
            per = result.by_region.setdefault(code, {})
            per[metric] = per.get(metric, 0) + amount
            cell = result.by_region_week.setdefault((code, w), {})
            cell[metric] = cell.get(metric, 0) + amount
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


def csv_export(database_url: str, week: Optional[str] = None, region: Optional[str] = None,
               weeks: Optional[Sequence[str]] = None) -> str:
    """Every cell, also the empty ones (so "< 5" never means "1 to 4"): each count through
    :func:`shown`, sums hidden unless at least SMALL leads are behind them, and complementary
    suppression within each week and measure (a hidden cell cannot be worked out from the others
    and the total)."""
    with new_session(database_url) as session:
        counts = load_cells(session, week, region, weeks=weeks)
        codes = [region] if region else sorted(set(region_names(session)) | {"-"})
    weeks = sorted({w for ((w, _r, _c, _a), _m) in counts}) or list(weeks or ([week] if week else []))
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
    return shown_bars([(label, shown(count), count if count >= SMALL else 0) for label, count in rows])


def bar_count(text: str) -> int:
    """What a bar may show for a count as shown: "12" -> 12, "minstens 18" -> 18, "< 5" -> 0."""
    digits = text.rsplit(" ", 1)[-1]
    return int(digits) if digits.isdigit() else 0


def shown_bars(rows: List[Tuple[str, str, int]]) -> List[Bar]:
    """Chart rows from (label, text as shown, what the bar may show): 0 draws no bar."""
    visible = [count for _label, _text, count in rows if count >= SMALL]
    top = max(visible) if visible else 1
    return [Bar(label, count, text, round(100 * count / top, 1) if count >= SMALL else 0.0)
            for label, text, count in rows]


SIDE_BY_SIDE = ("started", "intake", "preview", "consent", "handoff", "contacted", "appointment", "outcome")


def regions_table(f: Funnel) -> List[Tuple[str, str, List[str]]]:
    """(code, name, counts as shown for SIDE_BY_SIDE) for every region with counts, known ones first.
    Over a period, a region's count whose weeks are all shown but one is "minstens" (period_shown)."""
    rows = []
    for code in sorted(f.by_region, key=lambda c: (c == "-", f.region_names.get(c, c))):
        name = f.region_names.get(code, "regio nog niet bekend" if code == "-" else code)
        rows.append((code, name, [period_shown(f.weekly(f"step:{s}", code))[0] for s in SIDE_BY_SIDE]))
    # complementary suppression per column: the national total minus the shown regions must not give
    # back a lone hidden region
    for index, step in enumerate(SIDE_BY_SIDE):
        cells = {code: f.by_region[code].get(f"step:{step}", 0) for code, _n, _v in rows}
        protected = protect(cells, lambda _code: step)
        for code, _name, values in rows:
            if protected[code] == SUPPRESSED:
                values[index] = SUPPRESSED
    return rows
