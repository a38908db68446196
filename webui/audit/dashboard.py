"""The reports dashboard: the engine's and the registry's figures as tables and SVG chart geometry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.evidence import reports
from handlers.operators.registration import REFUSAL_LABELS
from handlers.operators.shoukai_touroku import ANSWER_REFUSALS
from handlers.services.certificates import REFUSAL_LABELS as CERTIFICATE_REFUSAL_LABELS
from registry.seals import reports as registry_reports
from registry.seals.records import inquiry_number
from webui.templating import INSTANCE_STATUS_LABELS

__all__ = ["TABLES", "Dashboard", "build_dashboard"]

CHANNEL_LABELS = {"counter": "窓口", "konbini": "コンビニ", "jidou": "自動交付機"}
PALETTE = ("#2f6f9f", "#e08a2c", "#4c9a5b", "#b5483d", "#7a5ea8", "#8a8a8a", "#c9a227", "#3aa3a3")
TABLES = {
    "instances": ("日", "業務", "結果", "件数"),
    "task_times": ("作業", "レーン", "件数", "中央値（分）", "90%値（分）"),
    "lane_times": ("レーン", "件数", "中央値（分）", "90%値（分）"),
    "open_tasks": ("レーン", "未処理", "最古（時間）", "中央値（時間）", "1時間未満", "1日未満", "7日未満", "7日以上"),
    "refusals": ("業務", "却下理由", "コード", "件数"),
    "certificates": ("日", "交付場所", "件数"),
    "fraud_suspicions": ("日", "照会番号", "事案", "バックヤードの確認"),
    "suspicious_answers": ("日時", "照会番号（入力）", "事案", "不受理の理由", "窓口担当"),
}
REFUSAL_KINDS = {"4.1.2": "4.1.2 即時登録", "4.1.4": "4.1.4 照会による登録", "counter": "6.1 証明書（窓口）",
                 "konbini": "6.1 証明書（コンビニ）", "jidou": "6.1 証明書（自動交付機）"}
FRAUD_ALERT_END = "end_fraud_reported"  # 4.1.4: the バックヤード recorded what it did about the 「申請していない」 answer


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    title: str


@dataclass
class Chart:
    """A stacked bar chart per day, drawn by templates/audit/_charts.html."""

    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)  # x, text under the axis
    legend: list[tuple[str, str]] = field(default_factory=list)  # color, text
    max_value: int = 0


@dataclass
class Dashboard:
    day_from: date
    day_to: date
    tables: dict[str, list[tuple]]
    instance_chart: Chart
    certificate_chart: Chart


def build_dashboard(session: Session, day_from: date, day_to: date) -> Dashboard:
    """Every report for the office days day_from … day_to."""
    daily = reports.instances_per_day(session, day_from, day_to)
    task_times, lane_times = reports.task_durations(session, day_from, day_to)
    open_lanes = reports.open_tasks(session, utcnow())
    start = datetime.combine(day_from, datetime.min.time()) - timedelta(hours=9)
    end = datetime.combine(day_to + timedelta(days=1), datetime.min.time()) - timedelta(hours=9)
    local = (datetime.combine(day_from, datetime.min.time()), datetime.combine(day_to + timedelta(days=1),
                                                                             datetime.min.time()))
    refusals = [(REFUSAL_KINDS.get(kind, kind), REFUSAL_LABELS.get(reason, reason), reason, n)
                for kind, reason, n in registry_reports.refusals_by_reason(session, *local)]
    refusals += [(REFUSAL_KINDS[channel], CERTIFICATE_REFUSAL_LABELS.get(code, code), code, n)
                 for channel, code, n in registry_reports.certificate_refusals(session, start, end)]
    certificates = registry_reports.certificates_per_day(session, day_from, day_to)
    tables = {
        "instances": [(d.day.isoformat(), d.process_name, _outcome(d.outcome), d.count) for d in daily],
        "task_times": [(t.key, t.lane, t.count, _minutes(t.median_seconds), _minutes(t.p90_seconds))
                       for t in task_times],
        "lane_times": [(t.key, t.count, _minutes(t.median_seconds), _minutes(t.p90_seconds)) for t in lane_times],
        "open_tasks": [(o.lane, o.count, _hours(o.oldest_seconds), _hours(o.median_seconds), *o.buckets.values())
                       for o in open_lanes],
        "refusals": sorted(refusals, key=lambda row: (-row[3], row[0], row[2])),
        "certificates": [(d.isoformat(), CHANNEL_LABELS.get(c, c), n) for d, c, n in certificates],
        "fraud_suspicions": fraud_rows(session, *local),
        "suspicious_answers": [(r.refused_at.strftime("%Y-%m-%d %H:%M"), r.typed_number, r.instance_id,
                                ANSWER_REFUSALS.get(r.reason, r.reason), r.operator)
                               for r in registry_reports.answer_refusals(session, *local)],
    }
    days = _days(day_from, day_to)
    instance_series = {(d.day, d.process_name): 0 for d in daily}
    for d in daily:
        instance_series[(d.day, d.process_name)] += d.count
    certificate_series = {(d, CHANNEL_LABELS.get(c, c)): n for d, c, n in certificates}
    return Dashboard(day_from, day_to, tables, stacked_chart(days, instance_series, width=1100),
                     stacked_chart(days, certificate_series, width=560))


def fraud_rows(session: Session, start: datetime, end: datetime) -> list[tuple]:
    """4.1.4 「申請していない」 answers lapsed in [start, end) (office wall time): (day, 照会番号, instance id,
    whether the バックヤード recorded what it did)."""
    found = registry_reports.fraud_suspicions(session, start, end)
    outcomes = reports.instance_outcomes(session, [a.instance_id for a in found])
    return [(a.closed_at.date().isoformat(), inquiry_number(a.id), a.instance_id,
             "対応を記録済み" if outcomes.get(a.instance_id, ("", None))[1] == FRAUD_ALERT_END else "未対応")
            for a in found]


def _outcome(value: str) -> str:
    return INSTANCE_STATUS_LABELS.get(value, value)


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 1)


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 1)


def _days(day_from: date, day_to: date) -> list[date]:
    return [day_from + timedelta(days=n) for n in range((day_to - day_from).days + 1)]


def stacked_chart(days: list[date], series: dict[tuple[date, str], int], width: int = 720,
                  height: int = 200) -> Chart:
    """Bars per day, stacked by series name; geometry in SVG user units with a 30-unit margin for labels."""
    names = sorted({name for _day, name in series})
    colors = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    totals = {day: sum(n for (d, _name), n in series.items() if d == day) for day in days}
    top = max([1, *totals.values()])
    chart = Chart(width, height, legend=[(colors[name], name) for name in names], max_value=top)
    plot_height, slot = height - 30, (width - 40) / max(1, len(days))
    for index, day in enumerate(days):
        x, y = 40 + index * slot, float(plot_height)
        for name in names:
            value = series.get((day, name), 0)
            if value:
                bar_height = value / top * (plot_height - 10)
                y -= bar_height
                chart.bars.append(Bar(round(x + slot * 0.15, 1), round(y, 1), round(slot * 0.7, 1),
                                      round(bar_height, 1), colors[name], f"{day.isoformat()} {name}: {value}件"))
        if len(days) <= 14 or index % max(1, len(days) // 10) == 0:
            chart.labels.append((round(x + slot / 2, 1), f"{day.month}/{day.day}"))
    return chart

