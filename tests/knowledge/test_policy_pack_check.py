"""`python -m knowledge check`: the shipped pack passes; broken packs (built in tmp_path) are reported."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
import yaml

import knowledge.check as check_module
from knowledge.check import check_pack, main
from knowledge.pack import DEFAULT_SOURCES_DIR, PackError, load_pack
from knowledge.retrieval import PolicyKnowledge

SOURCES = {
    "sources": [
        {
            "id": "sz-demo-2014",
            "file": "002_8c7d355ceedd14a7.txt",
            "title": "深圳市“社区建设示范点”项目实施方案",
            "year": "2014",
            "status": "征求意见稿",
            "cleaning": {"keep_before": "相关文档"},
        },
        {
            "id": "civil-affairs-plans",
            "file": "004_0ed8f35e7cad9591.txt",
            "title": "社区民政工作计划(范文五篇)",
            "year": "年份不详",
            "figures": False,
        },
    ]
}


def _records() -> list[dict[str, object]]:
    return [
        {
            "id": "demo-amount",
            "title": "每个示范点资助多少钱",
            "kind": "amount",
            "answer": "每个示范点原则上由福彩公益金资助15万元。",
            "quote": "每个示范点原则上由福彩公益金资助15万元。",
            "source": "sz-demo-2014",
            "locator": "四、项目资金的预算及用途",
            "year": "2014",
            "questions": ["示范点资助多少钱", "每个示范点给多少经费"],
            "keywords": ["福彩公益金"],
        },
        {
            "id": "demo-min-items",
            "title": "每个示范点至少做几项",
            "kind": "rule",
            "answer": "每个示范点至少选取10项以上项目开展试点。",
            "quote": "每个示范点须根据社区实际需求,至少选取10项以上开展试点。",
            "source": "sz-demo-2014",
            "locator": "四、项目资金的预算及用途",
            "year": "2014",
            "questions": ["示范点最少要做几个项目", "示范点至少选取多少项"],
        },
        {
            "id": "plans-time-bank",
            "title": "时间银行",
            "kind": "service",
            "answer": "“时间银行”：低龄健康老人为高龄老人提供志愿服务，记录时长，日后兑换服务。",
            "quote": "鼓励低龄健康老人为高龄或需要帮助的老人提供志愿服务,记录服务时长",
            "source": "civil-affairs-plans",
            "locator": "篇1 二、(一)",
            "year": "年份不详",
            "questions": ["时间银行是什么", "时间银行互助养老怎么运作"],
        },
    ]


def _write_pack(
    tmp_path: Path, records: list[dict[str, object]], sources: dict[str, object] | None = None
) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(parents=True)
    registry = dict(sources or SOURCES)
    registry["sources_dir"] = str(DEFAULT_SOURCES_DIR)
    (pack / "sources.yml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    (pack / "records.yml").write_text(
        yaml.safe_dump({"records": records}, allow_unicode=True), encoding="utf-8"
    )
    return pack


def _problems(
    tmp_path: Path, records: list[dict[str, object]], sources: dict[str, object] | None = None
) -> str:
    report = check_pack(_write_pack(tmp_path, records, sources), catalogues=False)
    return "\n".join(report.problems)


def test_shipped_pack_passes_the_check() -> None:
    report = check_pack(catalogues=False)
    assert report.problems == []
    coverage = "\n".join(report.coverage)
    for source_id in ("futian-2024", "henggang-2022", "sz-demo-2014", "nanshan-2012", "civil-affairs-plans"):
        assert source_id in coverage


def test_shipped_pack_covers_every_source_broadly() -> None:
    pack = load_pack()
    per_source: dict[str, int] = {}
    for record in pack.records:
        per_source[record.source_id] = per_source.get(record.source_id, 0) + 1
    assert len(pack.records) >= 120
    assert per_source["futian-2024"] >= 22  # at least one record per demand item
    assert per_source["henggang-2022"] >= 10
    assert per_source["civil-affairs-plans"] >= 15
    assert per_source["sz-demo-2014"] >= 40 and per_source["nanshan-2012"] >= 40
    futian_items = {r.locator for r in pack.records if r.id.startswith("futian-2024-item-")}
    assert futian_items == {f"序号 {n}" for n in range(1, 23)}


def test_shipped_pack_labels_old_and_undated_sources() -> None:
    pack = load_pack()
    demo = next(r for r in pack.records if r.source_id == "sz-demo-2014")
    plans = next(r for r in pack.records if r.source_id == "civil-affairs-plans")
    assert (demo.citation.year, demo.citation.status) == ("2014", "征求意见稿")
    assert "2014 年征求意见稿" in demo.citation.render()
    assert plans.citation.year == "年份不详"


def test_a_valid_tiny_pack_passes(tmp_path: Path) -> None:
    assert _problems(tmp_path, _records()) == ""


def test_a_number_not_in_the_source_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[0]["answer"] = "每个示范点原则上由福彩公益金资助20万元。"
    assert "number 20万 (200000) is not in source sz-demo-2014" in _problems(tmp_path, records)


def test_a_chinese_numeral_not_in_the_quote_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[0]["answer"] = "每个示范点资助15万元，至少选取十项。"  # 10 is in the source, not in this quote
    assert "number 十 (10) is not in the record's quote" in _problems(tmp_path, records)


def test_a_quote_missing_from_the_source_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[1]["quote"] = "每个示范点须至少选取20项以上开展试点。"
    assert "demo-min-items: quote not found in cleaned source" in _problems(tmp_path, records)


def test_figures_from_a_source_without_binding_figures_are_reported(tmp_path: Path) -> None:
    records = _records()
    records[2]["answer"] = "“时间银行”：老人提供志愿服务，每次记录2小时。"
    assert "answer states figures (2)" in _problems(tmp_path, records)


def test_a_duplicate_id_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[1]["id"] = "demo-amount"
    assert "duplicate record id 'demo-amount'" in _problems(tmp_path, records)


def test_an_orphan_related_id_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[0]["related"] = ["demo-nowhere"]
    assert "related ids not in the pack: demo-nowhere" in _problems(tmp_path, records)


def test_an_unknown_source_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[0]["source"] = "beijing-2020"
    assert "unknown source 'beijing-2020'" in _problems(tmp_path, records)


def test_a_year_that_differs_from_the_source_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[0]["year"] = "2024"
    assert "year '2024' differs from its source's year '2014'" in _problems(tmp_path, records)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "rumour", "kind"),
        ("questions", ["只有一个问题"], "questions"),
        ("answer", "太长" * 61, "answer"),
        ("id", "Demo Amount", "id"),
    ],
)
def test_schema_errors_name_the_field(tmp_path: Path, field: str, value: object, message: str) -> None:
    records = _records()
    records[0][field] = value
    problems = _problems(tmp_path, records)
    assert "pack does not load" in problems and message in problems


def test_a_question_listed_by_two_records_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[1]["questions"] = ["示范点资助多少钱", "示范点至少选取多少项"]
    assert "is listed by demo-amount and demo-min-items" in _problems(tmp_path, records)


def test_a_question_that_does_not_retrieve_its_record_is_reported(tmp_path: Path) -> None:
    records = _records()
    records[0]["questions"] = ["示范点资助多少钱", "上海的示范点资助多少钱"]  # another city: never answered
    problems = _problems(tmp_path, records)
    assert "demo-amount: question '上海的示范点资助多少钱' is not answered" in problems


def test_a_missing_source_file_is_reported(tmp_path: Path) -> None:
    sources = {"sources": [dict(SOURCES["sources"][0], file="nowhere.txt"), SOURCES["sources"][1]]}
    assert "nowhere.txt does not exist" in _problems(tmp_path, _records(), sources)


def test_a_bad_pack_fails_to_load_with_a_clear_error(tmp_path: Path) -> None:
    records = _records()
    records[1]["id"] = "demo-amount"
    with pytest.raises(PackError, match="duplicate record id 'demo-amount'"):
        PolicyKnowledge.load(_write_pack(tmp_path, records))


def test_not_yaml_is_reported(tmp_path: Path) -> None:
    pack = _write_pack(tmp_path, _records())
    (pack / "broken.yml").write_text("records: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(PackError, match=r"broken\.yml: not valid YAML"):
        load_pack(pack)


def test_catalogue_checks_are_skipped_when_the_module_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_module.importlib.util, "find_spec", lambda name: None)
    report = check_module.CheckReport()
    check_module._catalogue_checks(report)
    assert report.problems == [] and "catalogue checks skipped" in report.notes[0]


def test_catalogue_problems_fail_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.SimpleNamespace(
        check_catalogues=lambda: (["item 3 quote missing"], ["futian-2024: 22 items"])
    )
    monkeypatch.setattr(check_module.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(check_module.importlib, "import_module", lambda name: fake)
    report = check_module.CheckReport()
    check_module._catalogue_checks(report)
    assert report.problems == ["catalogue: item 3 quote missing"]
    assert report.coverage == ["catalogue: futian-2024: 22 items"]


def test_a_crashing_catalogue_check_is_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> tuple[list[str], list[str]]:
        raise RuntimeError("bad yaml")

    monkeypatch.setattr(check_module.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(
        check_module.importlib, "import_module", lambda name: types.SimpleNamespace(check_catalogues=boom)
    )
    report = check_module.CheckReport()
    check_module._catalogue_checks(report)
    assert report.problems == ["catalogue checks failed to run: RuntimeError: bad yaml"]


def test_main_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write_pack(tmp_path / "good", _records())
    assert main(["--pack", str(good), "--no-catalogues"]) == 0
    assert "pack check passed" in capsys.readouterr().out
    records = _records()
    records[0]["answer"] = "每个示范点资助20万元。"
    bad = _write_pack(tmp_path / "bad", records)
    assert main(["--pack", str(bad), "--no-catalogues"]) == 1
    out = capsys.readouterr().out
    assert "problems (1)" in out and "20万" in out
