"""The report tables, built once per request in the reader's language.

The page, its charts and the CSV files all render these same :class:`Table`
objects with :func:`text`, so a CSV file says exactly what the page says, small
counts included ("< 5"). Every count in them comes from ``logic.Grid`` (suppressed
cells, totals as lower bounds); shares, medians and means only where logic.py
allows them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from kuulolla.core.events import Kind
from kuulolla.core.i18n import N_, gettext, ngettext
from kuulolla.directory.vocabulary import KINDS as SERVICE_KINDS
from kuulolla.reports import logic
from kuulolla.reports.logic import Count, Period, YearMonth
from kuulolla.reports.service import FEEDBACK_SCORE, ReportData

Unit = Literal["percent", "minutes", "days", "score", "hours", "change"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A derived number; None when it may not be shown (too few events, hidden counts)."""

    value: float | None
    unit: Unit


Cell = Count | Figure | str


@dataclass(slots=True)
class Table:
    """One report table. ``csv_columns``: the headers of its CSV file when they differ
    from the page's (a column of numbers names its unit there: "Muutos, %")."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    csv_columns: list[str] | None = None


def text(cell: Cell, locale: str) -> str:
    """How a cell reads on the page ("alle 5", "noin 430", "+12 %")."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Count):
        return cell.text(locale)
    value = cell.value
    if value is None:
        return "–"
    if cell.unit == "percent":
        return str(format_percent(value, locale=locale))
    if cell.unit == "change":
        shown = str(format_percent(abs(value), locale=locale))
        return ("+" if value > 0 else "−" if value < 0 else "±") + shown
    if cell.unit == "minutes":
        value = value / 60
    elif cell.unit == "days":
        value = value / 86400
    pattern = "0.0" if cell.unit == "score" else "#,##0.#"
    return str(format_decimal(value, pattern, locale=locale))


# A derived figure in a CSV file: the number in the unit its column or row names.
_CSV_SCALE = {"percent": 100.0, "change": 100.0, "minutes": 1 / 60, "days": 1 / 86400}


def csv_value(cell: Cell, locale: str) -> str | int:
    """How a cell goes into a CSV file: a count as a plain number (1008, not "1 008"),
    a share or a change as the number of per cent (its column says "%"), waits in
    minutes, with a decimal comma as Finnish spreadsheets read it; a hidden count and
    an estimate as the words the page shows; a figure that may not be shown as
    nothing."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, Count):
        return cell.value if cell.exact else cell.text(locale)
    if cell.value is None:
        return ""
    value = cell.value * _CSV_SCALE.get(cell.unit, 1.0)
    if cell.unit in ("change", "percent"):
        return round(value)  # as the page writes them: whole per cent
    return f"{value:.1f}".replace(".", ",")


def period_label(period: Period, locale: str) -> str:
    if period.kind == "month":
        return str(format_date(date(period.year, period.index, 1), "LLLL yyyy", locale=locale))
    if period.kind == "quarter":
        return gettext(locale, N_("Q{quarter} {year}"), quarter=period.index, year=period.year)
    return str(period.year)


def short_month(month: YearMonth, locale: str) -> str:
    """A month's abbreviated name alone (chart labels)."""
    return str(format_date(date(month[0], month[1], 1), "LLL", locale=locale)).rstrip(".")


def month_label(month: YearMonth, locale: str) -> str:
    return str(format_date(date(month[0], month[1], 1), "LLL yyyy", locale=locale))


# ------------------------------------------------------------------ labels

SERIES_LABELS = {
    "visits": N_("Room visits"),
    "new_visitors": N_("First visits"),
    "messages": N_("Messages in rooms"),
    "queue_entered": N_("One-to-one contact attempts"),
    "queue_answered": N_("Answered one-to-one chats"),
    "queue_abandoned": N_("Left the queue unanswered"),
    "feedback": N_("Feedback answers"),
    "questions_asked": N_("Questions asked"),
    "questions_received": N_("Questions received"),
    "questions_by_org": N_("Questions received"),
    "questions_answered": N_("Questions answered"),
    "questions_published": N_("Answers published"),
    "questions_late": N_("Answered after the deadline"),
    "moderation": N_("Moderation actions"),
    "crisis": N_("Crisis alerts"),
    "referrals": N_("Referrals to services"),
    "referral_topics": N_("Referrals to services"),
}

CATEGORY_LABELS = {
    "relationships": N_("Relationships"),
    "parenting": N_("Parenting"),
    "youth": N_("Youth"),
    "loneliness": N_("Loneliness"),
    "mental-health": N_("Mental health"),
    "carers": N_("Family carers"),
    "suicide": N_("Suicide"),
    "self_harm": N_("Self-harm"),
    "violence": N_("Violence"),
    "abuse": N_("Abuse"),
    "overdose": N_("Overdose or poisoning"),
    "eating": N_("Disordered eating with danger signs"),
}

# What moderators' actions are recorded as (moderation/service.py: audit).
MODERATION_LABELS = {
    "redact": N_("Removed messages"),
    "mute": N_("Mutes"),
    "remove": N_("Removals from a room"),
    "ban": N_("Bans"),
    "lift": N_("Lifted restrictions"),
    "approve": N_("Held messages approved"),
    "reject": N_("Held messages rejected"),
    "report_action": N_("Reports with action taken"),
    "report_dismissed": N_("Reports dismissed"),
}
HELPED_LABELS = {"yes": N_("Yes, it helped"), "no": N_("No, it did not help")}
LABELS = {**CATEGORY_LABELS, **MODERATION_LABELS, **HELPED_LABELS}

ROW_UNKNOWN = N_("Other or removed")


class Builder:
    """Builds the tables of one report in one language."""

    def __init__(self, data: ReportData, locale: str) -> None:
        self.data = data
        self.locale = locale
        self.grid = data.grid
        self.t = data.grid.threshold
        self.period = data.period
        self.previous = data.period.previous()

    def tr(self, msgid: str, **params: object) -> str:
        return gettext(self.locale, msgid, **params)

    def total(self, series: str, period: Period | None = None) -> Count:
        return self.grid.sum(series, (period or self.period).months())

    def member_name(self, breakdown: str, member: str) -> str:
        if not member:
            return self.tr(ROW_UNKNOWN)
        if breakdown == "label":
            # A code this version has no words for (a newer one) is "other", never the code.
            return self.tr(LABELS.get(member, ROW_UNKNOWN))
        if breakdown == "service_kind":
            return self.tr(SERVICE_KINDS.get(member, ROW_UNKNOWN))
        if breakdown in ("room", "topic") and self.data.by_org:
            breakdown = "org"
        names = self.data.names.get(breakdown, {})
        if breakdown == "topic" and member not in names:
            return self.tr(N_("Topic {number}"), number=member)
        return names.get(member, self.tr(ROW_UNKNOWN))

    # ------------------------------------------------------------ tables

    def summary(self) -> Table:
        p, q = self.period, self.previous
        table = Table(
            "summary",
            self.tr(N_("Key figures")),
            [
                self.tr(N_("Figure")),
                period_label(p, self.locale),
                period_label(q, self.locale),
                self.tr(N_("Change")),
            ],
            csv_columns=[
                self.tr(N_("Figure")),
                period_label(p, self.locale),
                period_label(q, self.locale),
                self.tr(N_("Change, %")),
            ],
        )

        def counts(series: str) -> None:
            cur, prev = self.total(series, p), self.total(series, q)
            table.rows.append(
                [
                    self.tr(SERIES_LABELS[series]),
                    cur,
                    prev,
                    Figure(logic.change(cur, prev), "change"),
                ]
            )

        def figure(label: str, make: Callable[[Period], Figure]) -> None:
            cur, prev = make(p), make(q)
            trend = None
            if cur.value is not None and prev.value:
                trend = (cur.value - prev.value) / prev.value
            table.rows.append([self.tr(label), cur, prev, Figure(trend, "change")])

        t = self.t
        values = {p: self.data.current, q: self.data.previous}
        for series in ("visits", "new_visitors", "messages", "queue_entered", "queue_answered"):
            counts(series)
        figure(
            N_("Answered share of contact attempts (%)"),
            lambda x: Figure(
                logic.share(
                    self.total("queue_answered", x), self.total("queue_entered", x), threshold=t
                ),
                "percent",
            ),
        )
        counts("queue_abandoned")
        figure(
            N_("Abandonment (%)"),
            lambda x: Figure(
                logic.share(
                    self.total("queue_abandoned", x), self.total("queue_entered", x), threshold=t
                ),
                "percent",
            ),
        )
        figure(
            N_("Median wait (minutes)"),
            lambda x: Figure(
                logic.median(values[x].get(Kind.QUEUE_ANSWERED), threshold=t), "minutes"
            ),
        )
        figure(
            N_("90th percentile wait (minutes)"),
            lambda x: Figure(
                logic.percentile(values[x].get(Kind.QUEUE_ANSWERED), 90, threshold=t), "minutes"
            ),
        )
        figure(
            N_("Median chat length (minutes)"),
            lambda x: Figure(logic.median(values[x].get(Kind.QUEUE_ENDED), threshold=t), "minutes"),
        )
        counts("feedback")
        figure(
            N_("Average feedback (1–5)"),
            lambda x: Figure(logic.mean(values[x].get(Kind.FEEDBACK), threshold=t), "score"),
        )
        figure(
            N_("Said the chat helped (%)"),
            lambda x: Figure(
                logic.share(
                    self.grid.sum("feedback_helped", x.months(), members=["yes"]),
                    self.total("feedback_helped", x),
                    threshold=t,
                ),
                "percent",
            ),
        )
        if self.data.by_org:
            counts("questions_asked")
        for series in (
            "questions_received",
            "questions_answered",
            "questions_published",
            "questions_late",
        ):
            counts(series)
        figure(
            N_("Median time to answer (days)"),
            lambda x: Figure(
                logic.median(values[x].get(Kind.QUESTION_ANSWERED), threshold=t), "days"
            ),
        )
        if self.data.overdue_now is not None:
            table.rows.append(
                [
                    self.tr(N_("Open questions past their deadline now")),
                    logic.cell(self.data.overdue_now, threshold=t),
                    "–",
                    Figure(None, "change"),
                ]
            )
        counts("referrals")
        counts("moderation")
        counts("crisis")
        figure(
            N_("Volunteer hours"),
            lambda x: Figure(
                self.data.hours.total if x == p else self.data.previous_hours, "hours"
            ),
        )
        return table

    def trend(self) -> Table:
        series = ["visits", "messages", "queue_entered", "queue_answered", "questions_received"]
        table = Table(
            "trend",
            self.tr(N_("Month by month")),
            [self.tr(N_("Month"))] + [self.tr(SERIES_LABELS[s]) for s in series],
        )
        for month in self.period.trailing_months(today=self.data.today):
            row: list[Cell] = [month_label(month, self.locale)]
            row += [self.grid.sum(s, [month]) for s in series]
            table.rows.append(row)
        return table

    def breakdown(
        self,
        key: str,
        title: str,
        breakdown: str,
        series: Sequence[str],
        *,
        extra: Sequence[tuple[str, Callable[[str], Cell]]] = (),
        more: Sequence[str] = (),
    ) -> Table:
        months = self.period.months()
        members = sorted(
            {m for s in series for m in self.grid.members(s)} | set(more),
            key=lambda m: self.member_name(breakdown, m).casefold(),
        )
        table = Table(
            key,
            title,
            [self.tr(self._column(breakdown))]
            + [self.tr(SERIES_LABELS[s]) for s in series]
            + [label for label, _ in extra],
        )
        for member in members:
            row: list[Cell] = [self.member_name(breakdown, member)]
            row += [self.grid.sum(s, months, members=[member]) for s in series]
            row += [make(member) for _, make in extra]
            table.rows.append(row)
        row = [self.tr(N_("Total"))]
        row += [self.grid.sum(s, months) for s in series]  # the same cells, summed
        row += [make("") for _, make in extra]
        table.rows.append(row)
        return table

    def _column(self, breakdown: str) -> str:
        if breakdown in ("room", "topic") and self.data.by_org:
            breakdown = "org"
        return {
            "room": N_("Room"),
            "topic": N_("Queue topic"),
            "org": N_("Organisation"),
            "label": N_("Category"),
            "service_kind": N_("Kind of service"),
            "directory_topic": N_("Topic of the service"),
        }.get(breakdown, N_("Category"))

    def rooms(self) -> Table:
        hours = self.data.hours.by_place
        in_rooms = sum(v for k, v in hours.items() if k.startswith("room:"))
        return self.breakdown(
            "rooms",
            self.tr(N_("Rooms")),
            "room",
            ["visits", "messages"],
            more=[k.split(":", 1)[1] for k in hours if k.startswith("room:")],
            extra=[
                (
                    self.tr(N_("Volunteer hours")),
                    lambda m: Figure(hours.get(f"room:{m}", 0.0) if m else in_rooms, "hours"),
                )
            ],
        )

    def topics(self) -> Table:
        current = self.data.current
        t = self.t
        return self.breakdown(
            "topics",
            self.tr(N_("One-to-one chat by queue topic")),
            "topic",
            ["queue_entered", "queue_answered", "queue_abandoned"],
            extra=[
                (
                    self.tr(N_("Median wait (minutes)")),
                    lambda m: Figure(
                        logic.median(current.get(Kind.QUEUE_ANSWERED, m), threshold=t), "minutes"
                    ),
                ),
                (
                    self.tr(N_("90th percentile wait (minutes)")),
                    lambda m: Figure(
                        logic.percentile(current.get(Kind.QUEUE_ANSWERED, m), 90, threshold=t),
                        "minutes",
                    ),
                ),
                (
                    self.tr(N_("Average feedback (1–5)")),
                    lambda m: Figure(
                        logic.mean(current.get(Kind.FEEDBACK, m), threshold=t), "score"
                    ),
                ),
            ],
        )

    def questions(self) -> Table:
        return self.breakdown(
            "questions",
            self.tr(N_("Questions by category")),
            "label",
            ["questions_received", "questions_answered", "questions_published", "questions_late"],
        )

    def moderation(self) -> Table:
        return self.breakdown(
            "moderation", self.tr(N_("Moderation actions by kind")), "label", ["moderation"]
        )

    def crisis(self) -> Table:
        return self.breakdown("crisis", self.tr(N_("Crisis alerts by kind")), "label", ["crisis"])

    def referrals(self) -> Table:
        return self.breakdown(
            "referrals",
            self.tr(N_("Referrals to services by kind")),
            "service_kind",
            ["referrals"],
        )

    def referral_topics(self) -> Table:
        """A service with several topics counts once under each of them."""
        return self.breakdown(
            "referral_topics",
            self.tr(N_("Referrals to services by topic")),
            "directory_topic",
            ["referral_topics"],
        )

    def feedback(self) -> Table:
        months = self.period.months()
        table = Table(
            "feedback",
            self.tr(N_("Feedback scores")),
            [self.tr(N_("Score")), self.tr(SERIES_LABELS["feedback"])],
        )
        for score in ("1", "2", "3", "4", "5"):
            table.rows.append([score, self.grid.sum(FEEDBACK_SCORE, months, members=[score])])
        return table

    def helped(self) -> Table:
        months = self.period.months()
        table = Table(
            "helped",
            self.tr(N_("Did the chat help?")),
            [self.tr(N_("Answer")), self.tr(SERIES_LABELS["feedback"])],
        )
        for answer in ("yes", "no"):
            table.rows.append(
                [
                    self.tr(HELPED_LABELS[answer]),
                    self.grid.sum("feedback_helped", months, members=[answer]),
                ]
            )
        table.rows.append([self.tr(N_("Total")), self.total("feedback_helped")])
        return table

    def people(self) -> Table:
        table = Table(
            "people",
            self.tr(N_("Volunteer hours by person")),
            [self.tr(N_("Person")), self.tr(N_("Volunteer hours"))],
        )
        for name, hours in sorted(
            self.data.hours.by_person.items(), key=lambda kv: kv[0].casefold()
        ):
            table.rows.append([name, Figure(hours, "hours")])
        table.rows.append([self.tr(N_("Total")), Figure(self.data.hours.total, "hours")])
        return table

    def organisations(self) -> Table:
        hours = self.data.hours.by_place
        return self.breakdown(
            "organisations",
            self.tr(N_("Organisations")),
            "org",
            ["visits", "messages", "queue_entered", "queue_answered", "questions_by_org"],
            extra=[
                (
                    self.tr(N_("Volunteer hours")),
                    lambda m: Figure(
                        hours.get(f"org:{m}", 0.0) if m else self.data.hours.total, "hours"
                    ),
                )
            ],
        )

    def all(self) -> list[Table]:
        if self.data.by_org:
            return [
                self.summary(),
                self.trend(),
                self.organisations(),
                self.questions(),
                self.crisis(),
                self.feedback(),
                self.helped(),
                self.referrals(),
                self.referral_topics(),
                self.people(),
            ]
        return [
            self.summary(),
            self.trend(),
            self.rooms(),
            self.topics(),
            self.questions(),
            self.moderation(),
            self.crisis(),
            self.feedback(),
            self.helped(),
            self.referrals(),
            self.referral_topics(),
            self.people(),
        ]


def build(data: ReportData, locale: str) -> list[Table]:
    return Builder(data, locale).all()


# ------------------------------------------------------------------ annual summary


@dataclass(slots=True)
class Summary:
    """The annual summary in the shape funders ask for."""

    figures: list[tuple[str, Cell, str]]  # label, value, what it counts
    themes: list[Table]


def annual_summary(data: ReportData, locale: str) -> Summary:
    b = Builder(data, locale)
    months = data.period.months()
    grid = data.grid
    questions = "questions_asked" if data.by_org else "questions_received"
    _ = b.tr
    figures: list[tuple[str, Cell, str]] = [
        (
            _(N_("Contacts")),
            grid.sum_series(["visits", "queue_entered", questions], months),
            _(N_("Room visits, one-to-one contact attempts and questions together.")),
        ),
        (
            _(N_("People reached (estimate)")),
            grid.sum_series(["new_visitors", "queue_entered", questions], months),
            _(
                N_(
                    "First visits to a room from a browser tab, one-to-one contact attempts and "
                    "questions. Visitors are anonymous, so one person who comes back in a new "
                    "tab counts again."
                )
            ),
        ),
        (
            _(N_("Answered one-to-one chats")),
            grid.sum("queue_answered", months),
            _(N_("Conversations a volunteer or professional took from the queue.")),
        ),
        (
            _(N_("Messages in rooms")),
            grid.sum("messages", months),
            _(N_("Messages written in the group rooms by visitors and staff.")),
        ),
        (
            _(N_("Questions answered")),
            grid.sum("questions_answered", months),
            _(N_("Answers given in the question service, published or private.")),
        ),
        (
            _(N_("Feedback answers")),
            grid.sum("feedback", months),
            _(N_("Visitors who gave a score after a one-to-one chat.")),
        ),
        (
            _(N_("Said the chat helped")),
            grid.sum("feedback_helped", months, members=["yes"]),
            _(N_("Visitors who answered yes to “Did the chat help?”.")),
        ),
        (
            _(N_("Referrals to services")),
            grid.sum("referrals", months),
            _(N_("Services of the directory helpers sent to visitors in chats.")),
        ),
        (
            _(N_("Volunteer hours")),
            Figure(data.hours.total, "hours"),
            ngettext(
                locale,
                "Hours on shifts, by one person.",
                "Hours on shifts, by {count} people.",
                len([h for h in data.hours.by_person.values() if h > 0]),
                count=len([h for h in data.hours.by_person.values() if h > 0]),
            ),
        ),
    ]
    themes = [
        b.breakdown(
            "themes_rooms",
            _(N_("Organisations")) if data.by_org else _(N_("Themes: group rooms")),
            "room",
            ["visits"],
        ),
        b.breakdown("themes_questions", _(N_("Themes: questions")), "label", [questions]),
    ]
    return Summary(figures, themes)
