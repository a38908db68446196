"""`inkan seal measure|compare` on generated scans with known truth; no database needed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import imaging
from conftest import make_test_app
from imaging.verdict import DEFAULT_DIFFERENT, DEFAULT_SAME
from tests.support.seals import ambiguous_frameless_scan
from webui.config import ConfigurationError

UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """A CLI runner on an app whose database cannot be reached: the seal commands must not need it."""
    return make_test_app(UNREACHABLE_DB, tmp_path_factory).test_cli_runner()


@pytest.fixture(scope="module")
def scans(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("scans")
    specs = {
        "round15": ("山田", {"size_mm": 15.0, "dpi": 300}),
        "same600": ("山田", {"size_mm": 15.0, "dpi": 600, "rotation_deg": 23.0, "seed": 4, "ink": 0.75}),
        "other": ("鈴木", {"size_mm": 15.0, "dpi": 300, "seed": 2}),
        "rect": ("佐藤", {"size_mm": 18.0, "shape": "rectangle", "dpi": 400, "rotation_deg": 4.0}),
        "small6": ("小", {"size_mm": 6.0}),
        "large27": ("大きな", {"size_mm": 27.0, "shape": "square"}),
    }
    paths = {}
    for name, (text, options) in specs.items():
        paths[name] = folder / f"{name}.png"
        paths[name].write_bytes(imaging.make_seal_scan(text, **options))
    paths["blank"] = folder / "blank.png"
    paths["blank"].write_bytes(imaging.make_blank_scan())
    paths["garbage"] = folder / "garbage.png"
    paths["garbage"].write_bytes(b"not an image at all")
    return paths


def _json(runner, *args) -> tuple[int, list[dict]]:
    result = runner.invoke(args=["seal", *args, "--json"])
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("name, width, height", [("round15", 15.0, 15.0), ("same600", 15.0, 15.0),
                                                 ("rect", 10.8, 18.0)])
def test_measure_sizes_are_within_0_3_mm(runner, scans, name, width, height):
    code, (out,) = _json(runner, "measure", str(scans[name]))
    assert code == 0
    assert out["found"] is True and out["file"] == str(scans[name])
    assert abs(out["width_mm"] - width) <= 0.3 and abs(out["height_mm"] - height) <= 0.3
    assert abs(out["square_mm"] - height) <= 0.3
    assert out["too_small"] is False and out["too_large"] is False and out["refusal_reasons"] == []


def test_measure_json_shape(runner, scans):
    code, (out,) = _json(runner, "measure", str(scans["round15"]))
    assert code == 0
    assert {"found", "width_mm", "height_mm", "square_mm", "shape", "too_small", "too_large", "warnings",
            "refusal_reasons", "dpi", "dpi_source"} <= set(out)
    assert out["shape"] == "round" and out["dpi"] == 300.0 and out["dpi_source"] == "file"
    assert isinstance(out["warnings"], list)


def test_measure_refuses_too_small_and_too_large_but_exits_0(runner, scans):
    code, (small, large) = _json(runner, "measure", str(scans["small6"]), str(scans["large27"]))
    assert code == 0
    assert small["too_small"] is True and small["too_large"] is False
    assert [r["code"] for r in small["refusal_reasons"]] == ["too_small"]
    assert "8mmの正方形に収まります" in small["refusal_reasons"][0]["message"]
    assert large["too_large"] is True and large["too_small"] is False
    assert [r["code"] for r in large["refusal_reasons"]] == ["too_large"]


def test_measure_limits_come_from_the_config(tmp_path_factory, scans):
    strict = make_test_app(UNREACHABLE_DB, tmp_path_factory, SEAL_MIN_MM=16.0, SEAL_MAX_MM=30.0)
    code, (out,) = _json(strict.test_cli_runner(), "measure", str(scans["round15"]))
    assert code == 0 and out["too_small"] is True
    code, (out,) = _json(strict.test_cli_runner(), "measure", str(scans["large27"]))
    assert out["too_large"] is False


def test_measure_text_output_is_japanese(runner, scans):
    result = runner.invoke(args=["seal", "measure", str(scans["small6"])])
    assert result.exit_code == 0
    assert "印影 (found): あり" in result.stdout
    assert "小さすぎる (too_small): はい" in result.stdout and "大きすぎる (too_large): いいえ" in result.stdout
    assert "形状 (shape): 丸形（round）" in result.stdout
    assert "印影が小さすぎます（8mmの正方形に収まります）" in result.stdout
    assert "判定: このままでは登録できません" in result.stdout


def test_measure_dpi_option_overrides_the_file(runner, scans):
    code, (out,) = _json(runner, "measure", str(scans["round15"]), "--dpi", "600")
    assert code == 0 and out["dpi_source"] == "given" and abs(out["height_mm"] - 7.5) <= 0.2


def test_measure_batch_prints_the_good_files_and_exits_2_for_the_bad(runner, scans, tmp_path):
    missing = tmp_path / "missing.png"
    result = runner.invoke(args=["seal", "measure", str(scans["garbage"]), str(scans["round15"]), str(missing),
                                 str(scans["blank"])])
    assert result.exit_code == 2
    assert f"エラー: {scans['garbage']}: 画像ファイルとして読み込めません" in result.stderr
    assert f"エラー: {missing}: ファイルが見つかりません" in result.stderr
    assert str(scans["round15"]) in result.stdout and "印影 (found): あり" in result.stdout
    assert "印影 (found): なし" in result.stdout  # blank page: ran, impression refused, not an input error


def test_measure_garbage_alone_exits_2_with_message(runner, scans):
    result = runner.invoke(args=["seal", "measure", str(scans["garbage"])])
    assert result.exit_code == 2 and "画像ファイルとして読み込めません" in result.stderr and result.stdout == ""


def test_compare_same_seal_at_300_and_600_dpi(runner, scans, tmp_path):
    overlay = tmp_path / "overlay.png"
    code, (out,) = _json(runner, "compare", str(scans["round15"]), str(scans["same600"]), "--overlay", str(overlay))
    assert code == 0
    assert out["same"] is True and out["verdict"] == "same" and out["verdict_label"] == "同一"
    assert out["score"] >= out["threshold_same"] == DEFAULT_SAME
    assert abs(abs(out["angle_deg"]) - 23.0) < 2.0
    assert {"score", "same", "angle_deg", "dx_mm", "dy_mm"} <= set(out)
    assert overlay.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert imaging.load_scan(overlay.read_bytes(), dpi=300).image.ndim == 3


def test_compare_different_text_is_not_the_same(runner, scans):
    code, (out,) = _json(runner, "compare", str(scans["round15"]), str(scans["other"]))
    assert code == 2 and out["same"] is False and out["verdict"] == "different"
    assert out["score"] <= out["threshold_different"] == DEFAULT_DIFFERENT


def test_compare_text_output(runner, scans):
    result = runner.invoke(args=["seal", "compare", str(scans["round15"]), str(scans["other"])])
    assert result.exit_code == 2
    assert "類似度 (score):" in result.stdout and "判定 (verdict): 別（different） — 別の印影と判定" in result.stdout
    assert f"しきい値: 同一 ≧ {DEFAULT_SAME:g}、別 ≦ {DEFAULT_DIFFERENT:g}、その間は要確認" in result.stdout
    assert "回転 (angle_deg):" in result.stdout and "ずれ (dx_mm, dy_mm):" in result.stdout


def _between(runner, scans) -> float:
    """The score of two stampings of the 山田 seal (to place the thresholds around it; a pair of different
    names scores near 0 since its characters' strokes disagree everywhere)."""
    return _json(runner, "compare", str(scans["round15"]), str(scans["same600"]))[1][0]["score"]


def test_compare_thresholds_come_from_the_config_and_unsure_exits_3(tmp_path_factory, runner, scans):
    score = _between(runner, scans)
    unsure = make_test_app(UNREACHABLE_DB, tmp_path_factory, SIMILARITY_SAME=min(1.0, score + 0.02),
                           SIMILARITY_DIFFERENT=score - 0.05)
    code, (out,) = _json(unsure.test_cli_runner(), "compare", str(scans["round15"]), str(scans["same600"]))
    assert code == 3 and out["verdict"] == "unsure" and out["verdict_label"] == "要確認" and out["same"] is False
    text = unsure.test_cli_runner().invoke(args=["seal", "compare", str(scans["round15"]), str(scans["same600"])])
    assert text.exit_code == 3 and "判定 (verdict): 要確認（unsure） — 重ね合わせ画像を見て職員が判断してください" in text.stdout


def test_the_old_single_threshold_setting_is_read_as_the_high_one(tmp_path_factory, scans):
    lax = make_test_app(UNREACHABLE_DB, tmp_path_factory, SIMILARITY_THRESHOLD=0.0)
    code, (out,) = _json(lax.test_cli_runner(), "compare", str(scans["round15"]), str(scans["same600"]))
    assert code == 0 and out["threshold_same"] == 0.0 and out["threshold_different"] == 0.0 and out["same"] is True
    # another seal is not 同一 even at a bar of 0: its characters have ink where the other has none
    code, (out,) = _json(lax.test_cli_runner(), "compare", str(scans["round15"]), str(scans["other"]))
    assert code == 3 and out["verdict"] == "unsure"


@pytest.mark.parametrize("settings", [{"SIMILARITY_SAME": 0.5, "SIMILARITY_DIFFERENT": 0.6},
                                      {"SIMILARITY_SAME": 1.5}, {"SIMILARITY_DIFFERENT": "abc"}])
def test_thresholds_out_of_order_or_range_refuse_to_start(tmp_path_factory, settings):
    with pytest.raises(ConfigurationError, match="INKAN_SIMILARITY_DIFFERENT"):
        make_test_app(UNREACHABLE_DB, tmp_path_factory, **settings)


@pytest.mark.parametrize("bad, message", [("garbage", "画像ファイルとして読み込めません"),
                                          ("blank", "印影が見つかりません"),
                                          ("missing", "ファイルが見つかりません")])
def test_compare_unusable_input_exits_4(runner, scans, tmp_path, bad, message):
    path = scans.get(bad, tmp_path / "missing.png")
    overlay = tmp_path / "overlay.png"
    result = runner.invoke(args=["seal", "compare", str(scans["round15"]), str(path), "--overlay", str(overlay)])
    assert result.exit_code == 4
    assert f"エラー: {path}: {message}" in result.stderr
    assert not overlay.exists()


def test_measure_of_an_unclear_extent_gives_no_size_and_the_reason(runner, tmp_path):
    scan = ambiguous_frameless_scan()
    path = tmp_path / "ambiguous.png"
    Image.fromarray(np.ascontiguousarray(scan.image[..., ::-1])).save(path, dpi=(300, 300))
    code, (out,) = _json(runner, "measure", str(path))
    assert code == 0 and out["found"] is True and out["size_known"] is False and out["acceptable"] is False
    assert out["square_mm"] is None and [r["code"] for r in out["refusal_reasons"]] == ["unclear_extent"]
    text = runner.invoke(args=["seal", "measure", str(path)]).stdout
    assert "大きさ: 測れません（印影の範囲を確定できません）" in text and "square_mm" not in text
    assert "どこまでが1つの印影か判断できない" in text
