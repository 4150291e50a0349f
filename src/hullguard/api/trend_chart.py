"""A small server-rendered SVG line chart of the trends (no JavaScript, no chart library).

Only numbers computed here reach the SVG; labels are escaped by the template.
"""

from __future__ import annotations

from dataclasses import dataclass

from hullguard.api.readmodel import Trends

WIDTH, HEIGHT, PAD = 640, 180, 30


@dataclass(frozen=True)
class Series:
    title: str
    points: str  # SVG polyline "x,y x,y"
    dots: tuple[tuple[float, float, str, int], ...]  # x, y, label, value
    maximum: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: tuple[Series, ...]


def _series(title: str, values: list[tuple[str, int]]) -> Series:
    top = max((v for _, v in values), default=0) or 1
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    dots = tuple(
        (
            round(PAD + i * step, 1),
            round(HEIGHT - PAD - (v / top) * (HEIGHT - 2 * PAD), 1),
            label,
            v,
        )
        for i, (label, v) in enumerate(values)
    )
    return Series(title, " ".join(f"{x},{y}" for x, y, _, _ in dots), dots, top)


def chart(trends: Trends) -> Chart:
    """Findings per rescan, and images stored per day."""
    series = []
    if trends.rescans:
        series.append(
            _series("Findings after each rescan", [(p.at, p.findings) for p in trends.rescans])
        )
    if trends.images_added:
        series.append(_series("Images stored", list(trends.images_added)))
    return Chart(WIDTH, HEIGHT, tuple(series))
