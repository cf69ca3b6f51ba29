"""Words that callers and documents use for the same thing (医保 = 医疗保险, 房产证 =
不动产权证书): a question in the caller's words finds the item in the official ones.

Each group is a set of interchangeable words; a query's word that belongs to a group is
searched with the group's other words too. The built-in groups are the common ones of
government services; a city adds its own (``Synonyms.extended``), from the knowledge
editors' list in the database.
"""

from __future__ import annotations

from collections.abc import Iterable

# Common names of the same service or document, the colloquial first. Keep each group to
# words that mean the same in every context: 社保 is not always 养老保险, so they are apart.
GROUPS = [
    "医保 医疗保险 医疗保障 医保卡",
    "社保 社会保险",
    "社保卡 社会保障卡",
    "房产证 房本 不动产证 不动产权证 不动产权证书 房屋所有权证",
    "公积金 住房公积金",
    "身份证 居民身份证",
    "驾照 驾驶证 机动车驾驶证",
    "行驶证 机动车行驶证",
    "户口 户籍",
    "户口本 户口簿",
    "营业执照 执照",
    "个税 个人所得税",
    "低保 最低生活保障",
    "五险一金 社保公积金",
    "城管 城市管理",
    "交警 交通警察",
    "派出所 公安派出所",
    "幼儿园 托幼",
    "新生儿 婴儿 宝宝",
    "退休金 养老金",
    "欠薪 拖欠工资 讨薪 工资拖欠",
    "噪音 噪声",
    "网约车 网络预约出租汽车",
    "电动车 电动自行车",
    "充电桩 充电设施",
    "物业费 物业服务费",
    "维修基金 专项维修资金 维修资金",
    "残疾证 残疾人证",
    "结婚证 结婚登记",
    "护照 普通护照",
    "居住证 暂住证",
    "公租房 公共租赁住房",
    "廉租房 廉租住房",
    "市民之家 政务服务中心 行政服务中心 办事大厅",
]


class Synonyms:
    """Word → the other words of its groups."""

    def __init__(self, groups: Iterable[str] = GROUPS):
        self.others: dict[str, set[str]] = {}
        self.add(groups)

    def add(self, groups: Iterable[str]) -> None:
        for group in groups:
            members = {word for word in group.replace("，", " ").replace(",", " ").split()}
            for word in members:
                self.others.setdefault(word, set()).update(members - {word})

    def extended(self, groups: Iterable[str]) -> Synonyms:
        """These synonyms plus a city's own groups (one group a line, words by spaces)."""
        more = Synonyms(())
        more.others = {word: set(others) for word, others in self.others.items()}
        more.add(groups)
        return more

    def in_text(self, text: str) -> list[str]:
        """The other words of the groups whose words occur in ``text``, that ``text`` does
        not hold already. Read in the text itself, not in its words: a city's 龙都卡 is not
        a word the tokenizer knows."""
        found = [word for word in self.others if len(word) > 1 and word in text]
        return [word for word in self.expand(found) if word not in text]

    def expand(self, words: Iterable[str]) -> list[str]:
        """The other words of each word's groups that are not among ``words`` already."""
        words = list(words)
        seen = set(words)
        extra: list[str] = []
        for word in words:
            for other in sorted(self.others.get(word, ())):
                if other not in seen:
                    seen.add(other)
                    extra.append(other)
        return extra


DEFAULT = Synonyms()
