#!/usr/bin/env python3
"""Consistency checker for the 濮阳 demo data files in this folder.

Standalone, standard library only:

    python3 hotline/demo/data/check_data.py [DATA_DIR]

Exits non-zero with a list of problems, or prints a one-line summary.
"""

import json
import os
import re
import sys

HERE = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "hotline", "demo", "data"
)
LEVELS = ("city", "district", "street", "community")
UNIT_KINDS = {"department", "district", "street", "utility", "agency"}
REQUIRED_TOP = (
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
)
PHONE_RE = re.compile(r"^0393-\d{7}$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DISTRICT_CODES = {  # real GB/T 2260 / NBS codes (410973 for the 示范区 is the demo's own)
    "410902": "华龙区",
    "410922": "清丰县",
    "410923": "南乐县",
    "410926": "范县",
    "410927": "台前县",
    "410928": "濮阳县",
    "410971": "工业园区",
    "410972": "开发区",
}
COUNTIES = ("410902", "410922", "410923", "410926", "410927", "410928")
# WGS84 bounding box of 濮阳市 with a margin
LAT_RANGE = (35.3, 36.3)
LNG_RANGE = (114.7, 116.2)

problems = []


def check(cond, msg):
    if not cond:
        problems.append(msg)
    return cond


def load(data_dir, name):
    path = os.path.join(data_dir, name)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def check_areas(areas):
    seen = {}
    for i, a in enumerate(areas):
        where = "areas[%d] %s" % (i, a.get("code"))
        check(
            set(a) == {"code", "name", "level", "parent", "lat", "lng"},
            where + ": unexpected keys %s" % sorted(a),
        )
        code, level, parent = a.get("code"), a.get("level"), a.get("parent")
        check(isinstance(code, str) and code.isdigit(), where + ": code must be a digit string")
        check(code not in seen, where + ": duplicate code")
        check(isinstance(a.get("name"), str) and a["name"], where + ": empty name")
        check(level in LEVELS, where + ": bad level %r" % level)
        want_len = {"city": 6, "district": 6, "street": 9, "community": 12}.get(level)
        check(
            want_len is None or len(code) == want_len,
            where + ": code length should be %s" % want_len,
        )
        if level == "city":
            check(parent is None, where + ": city must have parent null")
        else:
            if check(parent in seen, where + ": parent %r missing or after child" % parent):
                p = seen[parent]
                check(
                    LEVELS.index(p["level"]) == LEVELS.index(level) - 1,
                    where + ": parent level %s does not fit %s" % (p["level"], level),
                )
                if level != "district":
                    check(code.startswith(parent), where + ": code does not start with parent code")
                else:
                    check(code[:4] == parent[:4], where + ": district code not in the city prefix")
        lat, lng = a.get("lat"), a.get("lng")
        check(
            isinstance(lat, (int, float)) and LAT_RANGE[0] <= lat <= LAT_RANGE[1],
            where + ": lat out of range",
        )
        check(
            isinstance(lng, (int, float)) and LNG_RANGE[0] <= lng <= LNG_RANGE[1],
            where + ": lng out of range",
        )
        seen[code] = a
    by_level = {lv: [a for a in areas if a.get("level") == lv] for lv in LEVELS}
    check(len(by_level["city"]) == 1, "areas: exactly one city row expected")
    check(
        by_level["city"] and by_level["city"][0]["code"] == "410900",
        "areas: city code must be 410900",
    )
    dcodes = {a["code"]: a["name"] for a in by_level["district"]}
    check(len(dcodes) == 9, "areas: 9 districts/counties/zones expected, got %d" % len(dcodes))
    for code, short in DISTRICT_CODES.items():
        check(
            code in dcodes and short.rstrip("区县") in dcodes[code],
            "areas: district %s (%s) missing or misnamed" % (code, short),
        )
    check(any("示范区" in n for n in dcodes.values()), "areas: 城乡一体化示范区 missing")
    check(len(by_level["street"]) >= 40, "areas: at least 40 streets/towns expected")
    check(len(by_level["community"]) >= 60, "areas: at least 60 communities/villages expected")
    hl_streets = [a for a in by_level["street"] if a["parent"] == "410902"]
    for s in hl_streets:
        n = sum(1 for c in by_level["community"] if c["parent"] == s["code"])
        check(3 <= n <= 5, "areas: 华龙区 %s has %d communities (3-5 expected)" % (s["name"], n))
    return seen, by_level


def walk_categories(cats):
    flat = {}  # code -> (level, name, node)

    def rec(nodes, level, parent_code, path):
        for n in nodes:
            code = n.get("code")
            where = "category %s (%s)" % (code, "/".join(path + [str(n.get("name"))]))
            check(set(n) <= {"code", "name", "children"}, where + ": unexpected keys")
            check(
                isinstance(code, str) and code.isdigit() and len(code) == 2 * level,
                where + ": code must have %d digits" % (2 * level),
            )
            check(code not in flat, where + ": duplicate code")
            check(code.startswith(parent_code), where + ": code does not start with parent code")
            check(isinstance(n.get("name"), str) and n["name"], where + ": empty name")
            flat[code] = (level, n.get("name"), n)
            kids = n.get("children")
            if level < 3:
                check(
                    isinstance(kids, list) and kids,
                    where + ": level-%d node without children" % level,
                )
                names = [k.get("name") for k in kids or []]
                check(len(names) == len(set(names)), where + ": duplicate child names")
                rec(kids or [], level + 1, code, path + [n.get("name")])
            else:
                check(not kids, where + ": level-3 node must not have children")

    rec(cats, 1, "", [])
    return flat


def main(data_dir=HERE):
    areas = load(data_dir, "areas.json")
    cats = load(data_dir, "categories.json")
    units = load(data_dir, "units.json")
    rules = load(data_dir, "rules.json")
    hotlines = load(data_dir, "hotlines.json")

    # ------------------------------------------------------------ areas
    area_by_code, by_level = check_areas(areas)

    # ------------------------------------------------------------ categories
    flat = walk_categories(cats)
    counts = {lv: sum(1 for v in flat.values() if v[0] == lv) for lv in (1, 2, 3)}
    check(
        12 <= counts[1] <= 18, "categories: about 15 top-level nodes expected, got %d" % counts[1]
    )
    check(70 <= counts[2] <= 100, "categories: 70-100 level-2 nodes expected, got %d" % counts[2])
    check(250 <= counts[3] <= 350, "categories: 250-350 level-3 nodes expected, got %d" % counts[3])
    top_names = {v[1] for v in flat.values() if v[0] == 1}
    for name in REQUIRED_TOP:
        check(name in top_names, "categories: top-level %s missing" % name)

    # ------------------------------------------------------------ units
    unit_by_code = {}
    for i, u in enumerate(units):
        where = "units[%d] %s" % (i, u.get("code"))
        check(
            set(u) == {"code", "name", "short_name", "kind", "parent", "areas", "phone"},
            where + ": unexpected keys %s" % sorted(u),
        )
        code = u.get("code")
        check(
            isinstance(code, str) and SLUG_RE.match(code or ""),
            where + ": code must be an ASCII slug",
        )
        check(code not in unit_by_code, where + ": duplicate code")
        check(u.get("name") and u.get("short_name"), where + ": empty name/short_name")
        check(u.get("kind") in UNIT_KINDS, where + ": bad kind %r" % u.get("kind"))
        parent = u.get("parent")
        if parent is not None:
            check(parent in unit_by_code, where + ": parent %r missing or after child" % parent)
        ua = u.get("areas")
        check(isinstance(ua, list) and ua, where + ": areas must be a non-empty list")
        for ac in ua or []:
            check(ac in area_by_code, where + ": unknown area %r" % ac)
        check(
            isinstance(u.get("phone"), str) and PHONE_RE.match(u.get("phone") or ""),
            where + ": phone must be 0393- and 7 digits",
        )
        if u.get("kind") == "street":
            check(
                all(area_by_code.get(ac, {}).get("level") == "street" for ac in ua or []),
                where + ": street unit must cover street areas",
            )
        if u.get("kind") == "district":
            check(
                all(area_by_code.get(ac, {}).get("level") == "district" for ac in ua or []),
                where + ": district unit must cover district areas",
            )
        unit_by_code[code] = u
    municipal = [
        u for u in units if u["areas"] == ["410900"] and u["kind"] in ("department", "agency")
    ]
    check(
        len(municipal) >= 30,
        "units: at least 30 municipal departments/agencies expected, got %d" % len(municipal),
    )
    gov_by_area = {}
    for u in units:
        if u["kind"] == "district":
            check(
                u["parent"] is None,
                "units: district government %s must have parent null" % u["code"],
            )
            gov_by_area[u["areas"][0]] = u["code"]
    check(
        set(gov_by_area) == {a["code"] for a in by_level["district"]},
        "units: one district/county/zone government per district area expected",
    )
    check(
        sum(1 for u in units if u["kind"] == "district") == 9,
        "units: 9 district governments expected",
    )

    def find_bureau(word):
        hits = [
            u["code"]
            for u in units
            if u["parent"] is None
            and u["areas"] == ["410900"]
            and u["name"].startswith("濮阳市")
            and u["name"].endswith(word)
        ]
        check(len(hits) == 1, "units: municipal %s not found exactly once" % word)
        return hits[0] if hits else None

    sthj, cgj = find_bureau("生态环境局"), find_bureau("城市管理局")
    for d in COUNTIES:
        for bureau, label in ((sthj, "生态环境"), (cgj, "城市管理")):
            hits = [u for u in units if u["parent"] == bureau and u["areas"] == [d]]
            check(
                len(hits) == 1, "units: %s branch for %s missing (parent %s)" % (label, d, bureau)
            )
    hl_gov = gov_by_area.get("410902")
    for s in by_level["street"]:
        if s["parent"] == "410902":
            hits = [u for u in units if u["kind"] == "street" and u["areas"] == [s["code"]]]
            check(
                len(hits) == 1 and hits[0]["parent"] == hl_gov,
                "units: street office for 华龙区 %s missing or not under %s" % (s["name"], hl_gov),
            )
    n_util = sum(1 for u in units if u["kind"] == "utility")
    check(n_util >= 6, "units: at least 6 utilities expected, got %d" % n_util)

    # ------------------------------------------------------------ rules
    check(len(rules) >= 160, "rules: at least 160 entries expected, got %d" % len(rules))
    nos = [r.get("no") for r in rules]
    check(nos == list(range(1, len(rules) + 1)), "rules: 'no' must be unique and run 1..N in order")
    covered_top = set()
    for i, r in enumerate(rules):
        where = "rules[%d] no=%s" % (i, r.get("no"))
        check(
            set(r)
            == {"no", "matter", "category", "lead", "co", "areas", "legal_basis", "keywords"},
            where + ": unexpected keys %s" % sorted(r),
        )
        check(isinstance(r.get("matter"), str) and r["matter"], where + ": empty matter")
        cat = r.get("category")
        if check(
            cat in flat and flat[cat][0] in (2, 3),
            where + ": category %r must be a level-2/3 code" % cat,
        ):
            covered_top.add(cat[:2])
        check(r.get("lead") in unit_by_code, where + ": unknown lead %r" % r.get("lead"))
        co = r.get("co")
        check(isinstance(co, list), where + ": co must be a list")
        for c in co or []:
            check(c in unit_by_code, where + ": unknown co unit %r" % c)
        check(len(set(co or [])) == len(co or []), where + ": duplicate co units")
        check(r.get("lead") not in (co or []), where + ": lead repeated in co")
        ra = r.get("areas")
        check(isinstance(ra, list), where + ": areas must be a list")
        for ac in ra or []:
            check(
                ac in area_by_code and area_by_code[ac]["level"] != "city",
                where + ": area %r unknown (use [] for city-wide)" % ac,
            )
        lb = r.get("legal_basis") or ""
        check(
            re.search(r"《[^》]+》", lb) is not None,
            where + ": legal_basis must name a law in 《》",
        )
        kw = r.get("keywords")
        check(isinstance(kw, list) and 3 <= len(kw) <= 8, where + ": 3-8 keywords expected")
        check(
            isinstance(kw, list)
            and len(set(kw)) == len(kw)
            and all(isinstance(k, str) and k for k in kw),
            where + ": keywords must be distinct non-empty strings",
        )
        # a local lead unit should be competent for the row's areas
        lead = unit_by_code.get(r.get("lead"))
        if lead and ra and lead["areas"] != ["410900"]:
            for ac in ra:
                check(
                    any(ac.startswith(la) for la in lead["areas"]),
                    where + ": lead %s is not competent for area %s" % (lead["code"], ac),
                )
    tops = {c for c, v in flat.items() if v[0] == 1}
    check(
        covered_top == tops,
        "rules: top-level categories without rules: %s"
        % sorted(flat[c][1] for c in tops - covered_top),
    )
    keys = [(r.get("matter"), tuple(r.get("areas") or [])) for r in rules]
    check(len(keys) == len(set(keys)), "rules: duplicate (matter, areas) rows")

    # ------------------------------------------------------------ hotlines
    check(len(hotlines) >= 10, "hotlines: at least 10 expected")
    hcodes = set()
    for i, h in enumerate(hotlines):
        where = "hotlines[%d] %s" % (i, h.get("code"))
        check(set(h) == {"code", "name", "unit"}, where + ": unexpected keys")
        check(
            isinstance(h.get("code"), str) and re.match(r"^\d{5}$", h.get("code") or ""),
            where + ": code must be 5 digits",
        )
        check(h.get("code") not in hcodes, where + ": duplicate code")
        hcodes.add(h.get("code"))
        check(h.get("name"), where + ": empty name")
        check(
            h.get("unit") is None or h.get("unit") in unit_by_code,
            where + ": unknown unit %r" % h.get("unit"),
        )
    check("12345" in hcodes, "hotlines: 12345 missing")

    if problems:
        for p in problems:
            print("FAIL:", p)
        print("%d problem(s)" % len(problems))
        return 1
    print(
        "OK: areas %d (city %d, district %d, street %d, community %d); categories %d/%d/%d; "
        "units %d (municipal %d, district %d, street %d, utility %d); "
        "rules %d (city-wide %d, local %d); hotlines %d"
        % (
            len(areas),
            len(by_level["city"]),
            len(by_level["district"]),
            len(by_level["street"]),
            len(by_level["community"]),
            counts[1],
            counts[2],
            counts[3],
            len(units),
            len(municipal),
            sum(1 for u in units if u["kind"] == "district"),
            sum(1 for u in units if u["kind"] == "street"),
            n_util,
            len(rules),
            sum(1 for r in rules if not r["areas"]),
            sum(1 for r in rules if r["areas"]),
            len(hotlines),
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
