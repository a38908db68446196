"""`inkan seal measure|compare`: check seal scans from the command line (no database needed)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

import imaging
from imaging.scan import MAX_BYTES
from webui.templating import SHAPE_LABELS
from webui.wiring import settings_from

__all__ = ["seal", "ScanError"]

EXIT_UNUSABLE = 2  # measure: a file could not be used
EXIT_VERDICT = {"same": 0, "different": 2, "unsure": 3}  # compare: 同一 / 別 / 要確認
EXIT_COMPARE_UNUSABLE = 4  # compare: a file could not be used (2 means 別 there)
DPI_SOURCES = {"file": "ファイルの値", "given": "指定値", "default": "既定値"}


class ScanError(Exception):
    """A file that cannot be used as a scan; `message` is Japanese and names the file."""

    def __init__(self, path: str, message: str, code: str) -> None:
        self.path, self.message, self.code = path, message, code
        super().__init__(f"{path}: {message}")


@dataclass(frozen=True)
class Measured:
    """One scan file with its measurement."""

    path: str
    scan: imaging.Scan
    measurement: imaging.Measurement


@click.group("seal")
def seal() -> None:
    """印影スキャン画像の測定・照合（データベース不要）。"""


@seal.command("measure")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--dpi", type=float, default=None, help="解像度（dpi）。省略時は画像ファイルの値")
@click.option("--json", "as_json", is_flag=True, help="結果をJSONで出力する（1ファイル1行）")
@with_appcontext
def measure_command(files: tuple[str, ...], dpi: float | None, as_json: bool) -> None:
    """印影の大きさ・形状を測り、登録できるか（最小・最大の正方形の規則）を表示する。"""
    failed = False
    for index, path in enumerate(files):
        try:
            measured = measure_file(path, dpi)
        except ScanError as exc:
            failed = True
            _report_error(exc, as_json)
            continue
        if as_json:
            click.echo(json.dumps(measure_json(measured), ensure_ascii=False))
        else:
            if index:
                click.echo("")
            click.echo("\n".join(measure_lines(measured, _limits())))
    if failed:
        sys.exit(EXIT_UNUSABLE)


@seal.command("compare")
@click.argument("first", type=click.Path(dir_okay=False))
@click.argument("second", type=click.Path(dir_okay=False))
@click.option("--dpi", type=float, default=None, help="両方の画像の解像度（dpi）。省略時は画像ファイルの値")
@click.option("--json", "as_json", is_flag=True, help="結果をJSONで出力する")
@click.option("--overlay", "overlay_path", type=click.Path(dir_okay=False), default=None,
              help="重ね合わせ画像（PNG）の保存先: 1つ目を赤、2つ目を青で描く")
@with_appcontext
def compare_command(first: str, second: str, dpi: float | None, as_json: bool, overlay_path: str | None) -> None:
    """2つのスキャン画像の印影を照合し、類似度と判定（同一・要確認・別）を表示する。

    終了コード: 0=同一、2=別、3=要確認（職員が重ね合わせ画像で判断）、4=画像を使えない。
    """
    try:
        a, b = (_normalized(measure_file(path, dpi)) for path in (first, second))
    except ScanError as exc:
        _report_error(exc, as_json)
        sys.exit(EXIT_COMPARE_UNUSABLE)
    thresholds = settings_from(current_app.config).similarity
    try:
        comparison = imaging.compare_impressions(a.png, a.mm_per_px, b.png, b.mm_per_px, thresholds)
        overlay = imaging.overlay_png(a.png, a.mm_per_px, b.png, b.mm_per_px, comparison) if overlay_path else None
    except imaging.ImagingError as exc:
        _report_error(ScanError(f"{first} / {second}", exc.message, exc.code), as_json)
        sys.exit(EXIT_COMPARE_UNUSABLE)
    if overlay is not None:
        _write_overlay(overlay_path, overlay)
    result = compare_json(comparison, overlay_path)
    click.echo(json.dumps(result, ensure_ascii=False) if as_json else "\n".join(compare_lines(result)))
    sys.exit(EXIT_VERDICT[comparison.verdict])


def read_scan(path: str, dpi: float | None, default_dpi: float) -> imaging.Scan:
    """Read and decode one scan file; raise ScanError (missing, unreadable, too big, unusable image)."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_BYTES:  # imaging's own limit, checked before the file is read
            raise ScanError(path, f"ファイルが大きすぎます（{MAX_BYTES // 1024 // 1024}MBまで）", "file_too_large")
        data = file.read_bytes()
    except FileNotFoundError:
        raise ScanError(path, "ファイルが見つかりません", "file_not_found") from None
    except OSError as exc:
        raise ScanError(path, f"ファイルを読み込めません（{exc.strerror or exc}）", "unreadable") from None
    try:
        return imaging.load_scan(data, dpi=dpi, default_dpi=default_dpi)
    except imaging.ImagingError as exc:
        raise ScanError(path, exc.message, exc.code) from None


def measure_file(path: str, dpi: float | None) -> Measured:
    """Load one file and measure its impression with the configured limits; raise ScanError."""
    settings = settings_from(current_app.config)
    scan = read_scan(path, dpi, settings.default_dpi)
    measurement = imaging.measure_impression(scan, min_mm=settings.seal_min_mm, max_mm=settings.seal_max_mm)
    return Measured(path, scan, measurement)


def measure_json(measured: Measured) -> dict[str, Any]:
    """The JSON object printed for one measured file."""
    return ({"file": measured.path} | imaging.measurement_to_dict(measured.measurement)
            | {"dpi": measured.scan.dpi, "dpi_source": measured.scan.dpi_source})


def measure_lines(measured: Measured, limits: tuple[float, float]) -> list[str]:
    """Japanese text lines describing one measured file (key names in parentheses for scripts)."""
    m, scan = measured.measurement, measured.scan
    min_mm, max_mm = (f"{round(v, 2):g}" for v in limits)
    lines = [f"== {measured.path}（{scan.dpi:g} dpi・{DPI_SOURCES.get(scan.dpi_source, scan.dpi_source)}）",
             f"印影 (found): {'あり' if m.found else 'なし'}"]
    if m.found and not m.size_known:
        lines.append("大きさ: 測れません（印影の範囲を確定できません）")
    elif m.found:
        lines += [f"横 (width_mm): {m.width_mm:.2f} mm",
                  f"縦 (height_mm): {m.height_mm:.2f} mm",
                  f"最小の正方形の一辺 (square_mm): {m.square_mm:.2f} mm",
                  f"形状 (shape): {SHAPE_LABELS.get(m.shape, m.shape)}（{m.shape}）",
                  f"小さすぎる (too_small): {_yes_no(m.too_small)}（{min_mm}mmの正方形に収まるか）",
                  f"大きすぎる (too_large): {_yes_no(m.too_large)}（{max_mm}mmの正方形に収まらないか）"]
    lines += _issue_lines("警告 (warnings)", m.warnings)
    lines += _issue_lines("登録できない理由 (refusal_reasons)", m.refusal_reasons)
    lines.append("判定: 登録できる印影です" if m.acceptable else "判定: このままでは登録できません")
    return lines


def compare_json(comparison: imaging.Comparison, overlay_path: str | None) -> dict[str, Any]:
    """The JSON object printed for a comparison (`same` is true only for the verdict 同一)."""
    t = comparison.thresholds
    return {"score": round(comparison.score, 4), "verdict": comparison.verdict, "verdict_label": comparison.label,
            "same": comparison.same, "threshold_same": t.same, "threshold_different": t.different,
            "angle_deg": comparison.angle_deg, "dx_mm": comparison.dx_mm, "dy_mm": comparison.dy_mm,
            "overlay": overlay_path}


VERDICT_LINES = {"same": "同一の印影と判定", "unsure": "重ね合わせ画像を見て職員が判断してください",
                 "different": "別の印影と判定"}


def compare_lines(result: dict[str, Any]) -> list[str]:
    """Japanese text lines describing a comparison."""
    lines = [f"類似度 (score): {result['score']:.4f}（{result['score'] * 100:.1f}%）",
             f"判定 (verdict): {result['verdict_label']}（{result['verdict']}） — {VERDICT_LINES[result['verdict']]}",
             f"しきい値: 同一 ≧ {result['threshold_same']:g}、別 ≦ {result['threshold_different']:g}、その間は要確認",
             f"回転 (angle_deg): {result['angle_deg']:.2f}°",
             f"ずれ (dx_mm, dy_mm): 横 {_mm(result['dx_mm'])} mm・縦 {_mm(result['dy_mm'])} mm"]
    if result["overlay"]:
        lines.append(f"重ね合わせ画像: {result['overlay']}（1つ目=赤・2つ目=青・重なり=濃色）")
    return lines


def _normalized(measured: Measured) -> imaging.NormalizedImpression:
    """The cropped impression of a measured file; raise ScanError when no impression was found."""
    if not measured.measurement.found:
        message = measured.measurement.refusal_reasons[0].message
        raise ScanError(measured.path, message, "no_impression")
    return imaging.normalize_impression(measured.scan, measured.measurement)


def _write_overlay(path: str, png: bytes) -> None:
    try:
        Path(path).write_bytes(png)
    except OSError as exc:
        raise click.ClickException(f"重ね合わせ画像を保存できません: {path}（{exc.strerror or exc}）") from None


def _report_error(exc: ScanError, as_json: bool) -> None:
    click.echo(f"エラー: {exc.path}: {exc.message}", err=True)
    if as_json:
        click.echo(json.dumps({"file": exc.path, "error": exc.code, "message": exc.message}, ensure_ascii=False))


def _issue_lines(label: str, issues: tuple[imaging.Issue, ...]) -> list[str]:
    if not issues:
        return [f"{label}: なし"]
    return [f"{label}:"] + [f"  - {issue.message}（{issue.code}）" for issue in issues]


def _mm(value: float) -> str:
    return f"{round(value, 2) + 0.0:.2f}"


def _yes_no(value: bool) -> str:
    return "はい" if value else "いいえ"


def _limits() -> tuple[float, float]:
    settings = settings_from(current_app.config)
    return settings.seal_min_mm, settings.seal_max_mm
