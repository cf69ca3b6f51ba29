"""Import existing knowledge from files (知识导入): spreadsheets (xlsx, csv) give one item per
row, documents (docx, pdf) are split into questions and answers. Every item goes through the
service's own checks, each in its own transaction; what is skipped is reported with where
and why, and a file that cannot be read is refused as a whole before anything is written."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hotline.errors import Forbidden, HotlineError
from hotline.orgs.models import Area, Unit

from . import service
from .models import KIND_FIELDS, Kind, KnowledgeItem, KnowledgeVersion
from .service import EDITOR_ROLES, KnowledgeError, may_write

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what an .xlsx or .docx may hold once unzipped
MAX_ROWS = 50_000  # rows of a workbook (all sheets) or items of a document
MAX_COLUMNS = 100
HEADER_WITHIN = 10  # the header row is among a table's first non-empty rows (a title may precede)
DEFAULT_KIND = Kind.FAQ

# The columns a spreadsheet may have, by the names people give them (matched without spaces,
# case, "*" or a bracketed remark such as "标题（必填）"). Each kind's details are columns too.
COLUMNS = {
    "title": ["标题", "问题", "题目", "名称", "事项", "事项名称", "question", "name"],
    "text": [
        *["内容", "答复", "答案", "正文", "回答", "解答", "答复内容", "答复口径", "职责"],
        *["主要职责", "说明", "answer", "content", "body"],
    ],
    "kind": ["类型", "知识类型", "类别", "type"],
    "owner": ["责任单位", "维护单位", "主管单位", "所属单位", "单位", "owner unit", "unit"],
    "areas": ["适用区域", "区域", "地区", "area"],
    "tags": ["标签", "关键词", "关键字", "keywords"],
    "valid_until": ["有效期至", "有效期", "有效期限", "有效截止日期", "valid until"],
    "document_number": ["文号", "发文字号", "文件编号", "document number"],
    "issuing_body": ["发文机关", "发文单位", "发布机关", "发布单位", "issuing body"],
    "effective_on": ["生效日期", "施行日期", "实施日期", "effective on"],
    "expires_on": ["失效日期", "废止日期", "expires on"],
    "where": ["办理地点", "受理地点", "地点"],
    "documents": ["所需材料", "申请材料", "办理材料", "材料"],
    "fees": ["收费", "收费标准", "费用"],
    "time_limit": ["办理时限", "承诺时限", "时限", "time limit"],
    "hours": ["办公时间", "工作时间", "办理时间"],
    "phone": ["电话", "联系电话", "咨询电话"],
    "address": ["地址"],
    "topic": ["主题"],
}
NUMBERING_COLUMNS = {"序号", "编号", "no", "no.", "id", "#"}  # ignored without a word
DETAILS = sorted({name for names in KIND_FIELDS.values() for name in names})
DATE_DETAILS = {"effective_on", "expires_on"}

# The kinds by the names people give them, besides their codes and labels.
KIND_NAMES = {
    Kind.POLICY: ["政策法规", "政策", "法规", "政策文件"],
    Kind.GUIDE: ["办事指南", "服务指南", "指南"],
    Kind.SCRIPT: ["答复口径", "口径"],
    Kind.FAQ: ["常见问题", "问答", "常见问答"],
    Kind.DIRECTORY: ["部门职责与联系方式", "部门职责", "联系方式", "部门信息", "通讯录"],
    Kind.PLACE: ["地点信息", "地点"],
}

LIST_SEPARATORS = re.compile(r"[、,，;；\s]+")
FOREVER = {"长期", "长期有效", "永久", "永久有效", "无", "无期限", "-", "—", "/"}
DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 of Excel's date numbers (after its 1900 leap bug)

# Documents: how a question, an answer, a numbered line and a page number look.
NUMBER = (
    r"(?:\d{1,3}\s*[.．、)）]|[（(]\d{1,3}[）)]|[一二三四五六七八九十百]{1,4}\s*[、.．]"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十百零\d]{1,5}[条问个])\s*"
)
NUMBERED = re.compile(rf"^\s*{NUMBER}")
CHINESE_NUMBERED = re.compile(r"^\s*[一二三四五六七八九十百]{1,4}\s*[、.．]")
QUESTION = re.compile(rf"^\s*(?:{NUMBER})?(?:问题?\s*\d*\s*[：:、]|[Qq]\s*\d*\s*[：:.．、])\s*")
ANSWER = re.compile(r"^\s*(?:(?:答复?|回答|解答)\s*\d*\s*[：:、]|[Aa]\s*\d*\s*[：:])\s*")
INLINE_ANSWER = re.compile(r"(?<=[？?])\s*(?:答复?|回答|A)\s*[：:]\s*")
PAGE_NUMBER = re.compile(
    r"^[-—–\s]*\d{1,4}[-—–\s]*$|^第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?$|^\d+\s*/\s*\d+$"
)
SENTENCE_END = ("。", "！", "？", "；", "：", "!", "?", ";", ":", ".")
QUESTION_END = ("？", "?")


@dataclass
class Skipped:
    """A row, a part of a document or a whole sheet that was not imported, and why."""

    where: str
    title: str
    code: str
    reason: str


@dataclass
class ImportReport:
    file: str
    state: str  # what the new items' versions became: "review" or "published"
    read: int = 0
    created: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    error: str | None = None  # the file could not be read at all: nothing was imported
    error_code: str | None = None

    def skip(self, where: str, title: str, error: HotlineError) -> None:
        self.skipped.append(Skipped(str(where), title[:100], error.code, error.render()))

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Entry:
    """One item as read from a file, not checked yet: where it was, its values by column."""

    where: str
    values: dict[str, object]


@dataclass
class Block:
    """A paragraph of a document; ``heading`` is its heading level (0: the document's title)."""

    text: str
    where: str
    heading: int | None = None
    is_numbered: bool = False  # numbered by the word processor: the number is not in the text


def import_file(
    path_or_file,
    *,
    name: str | None = None,
    owner_unit: Unit,
    by,
    kind: str | None = None,
    publish: bool = False,
    progress: Callable[[int, int], object] | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Import the knowledge in a file (a path or an open binary file; ``name`` gives its
    format by its extension). Each item is created as ``by`` wrote it, owned by the row's
    unit or ``owner_unit``, of the row's kind or ``kind`` (default 常见问题), and sent for
    review, or with ``publish`` published at once (see ``publish_import``).

    Refuses (raises) a user who may not write items for ``owner_unit`` (a unit's handler
    imports only its own unit's items), ``publish`` by anyone but a knowledge editor, and an
    unknown ``kind``. A file that cannot be read, is over 20 MB or has over 50,000 rows is
    reported as the report's error, with nothing imported; a row that is refused (unknown
    kind, unit or area, no title or text, already in the knowledge base, a bad date) is
    reported as skipped and the others are kept. ``progress(done, total)`` is called as
    items are written."""
    if not may_write(by, unit=owner_unit):
        raise Forbidden("forbidden", _("Your role may not write knowledge items."))
    if publish and not by.has_role(*EDITOR_ROLES):
        raise Forbidden("forbidden", _("Only knowledge editors publish items on import."))
    default_kind = kind_of(kind) if kind else DEFAULT_KIND
    if name is None:
        name = Path(path_or_file).name if isinstance(path_or_file, str | os.PathLike) else ""
    report = ImportReport(file=name, state="published" if publish else "review")
    try:
        entries = read_entries(read_bytes(path_or_file), name, report)
    except KnowledgeError as error:
        report.error, report.error_code = error.render(), error.code
        return report
    report.read = len(entries)
    run = ImportRun(name, owner_unit, by, default_kind, publish, now or timezone.now())
    if progress:
        progress(0, len(entries))
    for done, entry in enumerate(entries, 1):
        title = as_text(entry.values.get("title"))
        try:
            with transaction.atomic():
                key = run.add(entry)
            run.titles[key] = entry.where
            report.created += 1
        except HotlineError as error:
            report.skip(entry.where, title, error)
        except DatabaseError as error:  # what the database refused: this row only
            refused = KnowledgeError(
                "not_stored", _("The database refused it: %(detail)s"), detail=error
            )
            report.skip(entry.where, title, refused)
        if progress:
            progress(done, len(entries))
    return report


@transaction.atomic
def publish_import(
    version: KnowledgeVersion, by, note: str = "", now: datetime | None = None
) -> KnowledgeVersion:
    """Publish the first draft of an imported item at once, without a second editor: the
    knowledge was reviewed where it came from. The importer is recorded as its reviewer
    (so writer and reviewer are the same person, which ``approve`` never allows) with
    ``note``. Refused to anyone but a knowledge editor, and for anything but the draft of an
    item never published (a revision always goes through ``approve``)."""
    if not by.has_role(*EDITOR_ROLES):
        raise Forbidden("forbidden", _("Only knowledge editors publish items on import."))
    now = now or timezone.now()
    item = KnowledgeItem.objects.select_for_update().get(pk=version.item_id)
    if item.published_id or version.number != 1:
        raise KnowledgeError(
            "not_a_new_item", _("Only a new item is published on import; revisions are reviewed.")
        )
    service.move(
        version,
        KnowledgeVersion.State.DRAFT,
        KnowledgeVersion.State.PUBLISHED,
        reviewed_by=by,
        reviewed_at=now,
        review_note=(note or "")[:255],
    )
    service.put_in_force(item, version, now)
    return version


class ImportRun:
    """One import: what every row shares (who, the defaults) and what was looked up."""

    def __init__(self, name, owner_unit, by, kind, publish, now):
        self.name, self.owner_unit, self.by = name, owner_unit, by
        self.kind, self.publish, self.now = kind, publish, now
        self.units: dict[str, list[Unit]] = {}
        self.areas: dict[str, list[Area]] = {}
        # (kind, title) → where in this file it was imported; None: in the base before.
        self.titles: dict[tuple[str, str], str | None] = dict.fromkeys(
            KnowledgeVersion.objects.values_list("item__kind", "title")
        )

    def add(self, entry: Entry) -> tuple[str, str]:
        """Create, then submit or publish, the item of one entry; returns its (kind, title)."""
        values = entry.values
        kind = kind_of(values.get("kind")) if as_text(values.get("kind")) else self.kind
        owner = self.unit(as_text(values.get("owner")))
        areas = [self.area(word) for word in split_list(as_text(values.get("areas")))]
        valid_until = date_of(values.get("valid_until"))
        details = {name: detail_text(name, values.get(name)) for name in DETAILS}
        title = as_text(values.get("title"))[:200]
        if (kind, title) in self.titles:
            raise duplicate(self.titles[(kind, title)])
        item = service.create(
            kind,
            title,
            as_text(values.get("text")),
            owner,
            self.by,
            fields={name: text for name, text in details.items() if text},
            areas=areas,
            tags=" ".join(split_list(as_text(values.get("tags")))),
            valid_until=valid_until,
            now=self.now,
        )
        version = item.versions.get()
        version.note = (gettext("Imported from “%(file)s”") % {"file": self.name})[:255]
        version.save(update_fields=["note"])
        if self.publish:
            publish_import(version, self.by, gettext("Published on import"), self.now)
        else:
            service.submit(version, self.by, self.now)
        return kind, title

    def unit(self, text: str) -> Unit:
        """The unit a row names by code, name or short name; the import's own by default."""
        if not text:
            return self.owner_unit
        if text not in self.units:
            rows = Unit.objects.filter(is_active=True).filter(
                Q(code=text) | Q(name=text) | Q(short_name=text)
            )
            self.units[text] = [u for u in rows if u.code == text] or list(rows[:2])
        return the_one(
            self.units[text],
            "unit",
            text,
            _("Unknown or inactive unit “%(value)s”."),
            _("Several units are called “%(value)s”; give the unit's code."),
        )

    def area(self, text: str) -> Area:
        if text not in self.areas:
            self.areas[text] = list(Area.objects.filter(code=text)) or list(
                Area.objects.filter(name=text)[:2]
            )
        return the_one(
            self.areas[text],
            "area",
            text,
            _("Unknown area “%(value)s”."),
            _("Several areas are called “%(value)s”; give the area's code."),
        )


def the_one(found: list, what: str, text: str, unknown, ambiguous):
    """The one row a cell names; refused when it names none or several."""
    if len(found) != 1:
        raise KnowledgeError(
            f"unknown_{what}" if not found else f"ambiguous_{what}",
            unknown if not found else ambiguous,
            value=text,
        )
    return found[0]


def duplicate(where: str | None) -> KnowledgeError:
    if where is None:
        return KnowledgeError("duplicate", _("Already in the knowledge base."))
    return KnowledgeError(
        "duplicate_in_file", _("Already earlier in this file (%(where)s)."), where=where
    )


# --- values of a cell ------------------------------------------------------------------


def as_text(value) -> str:
    """A cell as text: whole numbers without ".0" (telephone numbers), dates as 2026-12-31."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")[:16]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # PostgreSQL refuses NUL characters in text.
    return str(value).replace("\x00", "").replace("\r\n", "\n").strip()


def split_list(text: str) -> list[str]:
    return [word for word in LIST_SEPARATORS.split(text) if word]


def parse_date(value) -> date | None:
    """A date as people write it (2026-12-31, 2026/12/31, 2026年12月31日, 20261231, an Excel
    date or date number); None for no date or "长期". Raises ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return date_from_number(value)
    text = as_text(value)
    if not text or text in FOREVER:
        return None
    if match := DATE.fullmatch(text):
        return date(*map(int, match.groups()))
    if text.isdigit():
        return date_from_number(int(text))
    raise ValueError(text)


def date_from_number(number: float) -> date:
    if number == int(number) and 19000101 <= number <= 29991231:
        return datetime.strptime(str(int(number)), "%Y%m%d").date()
    if 1 <= number < 2958466:  # Excel's date numbers, up to 9999-12-31
        return EXCEL_EPOCH + timedelta(days=int(number))
    raise ValueError(number)


def date_of(value) -> date | None:
    try:
        return parse_date(value)
    except (ValueError, OverflowError):
        raise KnowledgeError(
            "bad_date",
            _("The validity date “%(value)s” is not a date; write it as 2026-12-31."),
            value=as_text(value),
        ) from None


def detail_text(name: str, value) -> str:
    """A detail as text; dates (effective, expires) as 2026-12-31 when they read as one."""
    if name in DATE_DETAILS:
        try:
            day = parse_date(value)
            return day.isoformat() if day else as_text(value)
        except (ValueError, OverflowError):
            pass
    return as_text(value)


def fold(text: str) -> str:
    """A header or a name as compared: no spaces, case, "*", ":" or bracketed remark."""
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", text.lower())
    return re.sub(r"[\s_\-*:：]", "", text)


HEADERS = {fold(alias): name for name, aliases in COLUMNS.items() for alias in [name, *aliases]}


def kind_of(value) -> str:
    """The kind a cell or an option names: its code, its label (Chinese or English) or a
    usual name (政策, 指南, 问答...)."""
    names = kind_names(translation.get_language())
    text = as_text(value)
    if fold(text) not in names:
        raise KnowledgeError(
            "unknown_kind", _("Unknown kind of knowledge “%(value)s”."), value=text, field="kind"
        )
    return names[fold(text)]


@lru_cache
def kind_names(language: str | None) -> dict[str, str]:
    names = {}
    for kind in Kind:
        with translation.override("en"):
            english = str(kind.label)
        for name in [kind.value, english, str(kind.label), *KIND_NAMES[kind]]:
            names[fold(name)] = kind.value
    return names


# --- reading a file ---------------------------------------------------------------------


def read_bytes(path_or_file) -> bytes:
    too_large = KnowledgeError(
        "file_too_large", _("The file is larger than %(mb)s MB."), mb=MAX_BYTES // 2**20
    )
    try:
        if isinstance(path_or_file, str | os.PathLike):
            if os.path.getsize(path_or_file) > MAX_BYTES:
                raise too_large
            with open(path_or_file, "rb") as file:
                data = file.read(MAX_BYTES + 1)
        else:
            if hasattr(path_or_file, "seek"):
                path_or_file.seek(0)
            data = path_or_file.read(MAX_BYTES + 1)
    except OSError as error:
        raise KnowledgeError(
            "unreadable_file",
            _("The file could not be opened: %(detail)s"),
            detail=error.strerror or error,
        ) from None
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_BYTES:
        raise too_large
    if not data:
        raise KnowledgeError("empty_file", _("The file is empty."))
    return data


def read_entries(data: bytes, name: str, report: ImportReport) -> list[Entry]:
    """The entries of a file by its extension. Raises KnowledgeError for a file that cannot
    be read; records in ``report`` the sheets, pages or columns left out."""
    extension = Path(name).suffix.lower().lstrip(".")
    old = {"xls": "xlsx", "doc": "docx", "et": "xlsx", "wps": "docx"}
    if extension in old:
        raise KnowledgeError(
            "old_format",
            _("Files of the old .%(old)s format are not read; save it as .%(new)s first."),
            old=extension,
            new=old[extension],
        )
    readers = {
        "xlsx": read_workbook,
        "xlsm": read_workbook,
        "csv": read_csv,
        "docx": read_docx,
        "pdf": read_pdf,
    }
    if extension not in readers:
        raise KnowledgeError(
            "unknown_format",
            _("Only .xlsx, .csv, .docx and .pdf files are imported, not “%(name)s”."),
            name=name,
        )
    try:
        if extension in ("xlsx", "xlsm", "docx"):
            check_unpacked_size(data)
        return readers[extension](data, report)
    except KnowledgeError:
        raise
    except Exception as error:  # a damaged file fails anywhere in its parser, in any way
        raise KnowledgeError(
            "unreadable_file",
            _(
                "“%(name)s” could not be read as a .%(format)s file (%(detail)s); "
                "is it damaged, or of another format?"
            ),
            name=name,
            format=extension,
            detail=str(error)[:200] or type(error).__name__,
        ) from error


def check_unpacked_size(data: bytes) -> None:
    """Office files are zip archives: one small on disk may unpack to gigabytes."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    if unpacked > MAX_UNPACKED_BYTES:
        raise KnowledgeError(
            "too_large", _("The file is larger than %(mb)s MB."), mb=MAX_UNPACKED_BYTES >> 20
        )


def too_many(count: int) -> None:
    if count > MAX_ROWS:
        raise KnowledgeError(
            "too_many_rows",
            _("The file has more than %(limit)s rows or items; split it."),
            limit=f"{MAX_ROWS:,}",
        )


def read_workbook(data: bytes, report: ImportReport) -> list[Entry]:
    """Every sheet of a workbook that has a header row; one entry per row."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        tables = [
            (
                sheet.title,
                enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1),
            )
            for sheet in book.worksheets
        ]
        return read_tables(tables, report)
    finally:
        book.close()


def read_csv(data: bytes, report: ImportReport) -> list[Entry]:
    """A CSV file in UTF-8 (with or without BOM), GB18030/GBK or UTF-16, separated by commas,
    tabs or semicolons: the separator the header row uses most."""
    text = decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",\t;", key=first.count) if any(c in first for c in ",\t;") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return read_tables([(None, enumerate(rows, start=1))], report)
    except csv.Error as error:
        raise KnowledgeError(
            "unreadable_file",
            _("The CSV file is malformed near row %(row)s: %(detail)s"),
            row=rows.line_num,
            detail=error,
        ) from None


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            text = "\x00"
    if "\x00" in text:
        raise KnowledgeError(
            "unknown_encoding",
            _("This is not a CSV text file in UTF-8 or GB18030 (GBK); save it again as CSV."),
        )
    return text


def read_tables(
    tables: Iterable[tuple[str | None, Iterator[tuple[int, tuple]]]], report: ImportReport
) -> list[Entry]:
    """The entries of tables (the sheets of a workbook, or one CSV file) each with a header
    row; a sheet without one is reported, and if none has one the file is refused."""
    entries: list[Entry] = []
    has_header = False
    for sheet, rows in tables:
        found = table_entries(sheet, rows, report)
        if found is None:
            no_header = KnowledgeError(
                "no_header",
                _("No header row with a title and a text column (标题, 内容); sheet not read."),
            )
            report.skip(gettext("sheet “%(sheet)s”") % {"sheet": sheet}, "", no_header)
            continue
        has_header = True
        for entry in found:
            entries.append(entry)
            too_many(len(entries))
    if not has_header:
        raise KnowledgeError(
            "no_header",
            _(
                "No header row was found: the first rows must name the columns, "
                "at least a title (标题 or 问题) and a text (内容 or 答复)."
            ),
        )
    return entries


def table_entries(
    sheet: str | None, rows: Iterator[tuple[int, tuple]], report: ImportReport
) -> Iterator[Entry] | None:
    """The entries of the rows below a table's header row; None when its first rows have no
    header (an empty table has no entries)."""
    looked = 0
    for _number, cells in rows:
        if not any(as_text(cell) for cell in cells):
            continue
        columns, unknown = header_of(cells)
        if columns:
            break
        looked += 1
        if looked >= HEADER_WITHIN:
            return None
    else:
        return None if looked else iter(())
    for label in unknown:
        report.ignored_columns.append(f"{sheet}: {label}" if sheet else label)

    def where(row: int) -> str:
        if sheet is None:
            return gettext("row %(row)s") % {"row": row}
        return gettext("sheet “%(sheet)s”, row %(row)s") % {"sheet": sheet, "row": row}

    return (
        Entry(where(number), {name: cells[i] for i, name in columns.items() if i < len(cells)})
        for number, cells in rows
        if any(as_text(cell) for cell in cells)
    )


def header_of(cells: tuple) -> tuple[dict[int, str], list[str]]:
    """The columns a header row names (position → column), if it names at least a title and
    a text, and the labels it has that are not known."""
    columns: dict[int, str] = {}
    unknown = []
    for position, cell in enumerate(cells):
        label = as_text(cell)
        name = HEADERS.get(fold(label))
        if name and name not in columns.values():
            columns[position] = name
        elif label and fold(label) not in NUMBERING_COLUMNS:
            unknown.append(label)
    if not {"title", "text"} <= set(columns.values()):
        return {}, []
    return columns, unknown


def read_docx(data: bytes, report: ImportReport) -> list[Entry]:
    """A Word document's paragraphs and table rows, in order, split into items."""
    from docx import Document
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    paragraphs = 0

    def add(text: str, heading: int | None = None, is_numbered: bool = False) -> None:
        nonlocal paragraphs
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if lines:  # several when the paragraph has line breaks
            paragraphs += 1
            where = gettext("paragraph %(number)s") % {"number": paragraphs}
            blocks.extend(Block(line, where, heading, is_numbered) for line in lines)

    for part in Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(part, Paragraph):
            style = part.style.name if part.style is not None else ""
            properties = part._p.pPr  # python-docx does not expose the numbering otherwise
            is_numbered = style.lower().startswith("list number") or (
                properties is not None and properties.numPr is not None
            )
            add(part.text, heading_level(style), is_numbered)
        else:
            for row in part.rows:
                cells = []
                for cell in row.cells:  # a merged cell repeats in each column it spans
                    if not cells or cells[-1] != cell.text.strip():
                        cells.append(cell.text.strip())
                add(" ".join(text for text in cells if text))
    return split_document(blocks, report)


def heading_level(style: str) -> int | None:
    style = (style or "").lower()
    if style in ("title", "标题"):
        return 0
    if match := re.fullmatch(r"(?:heading|标题)\s*(\d)", style):
        return max(int(match.group(1)), 1)
    return None


def read_pdf(data: bytes, report: ImportReport) -> list[Entry]:
    """A PDF's text layer, page by page, split into items. Pages without text (scanned) are
    reported; a damaged page is reported and the others are read."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise KnowledgeError(
            "encrypted", _("The PDF is protected by a password; save it without one.")
        )
    too_many(len(reader.pages))
    blocks: list[Block] = []
    no_text = []
    for number, page in enumerate(reader.pages, start=1):
        where = gettext("page %(page)s") % {"page": number}
        try:
            text = page.extract_text() or ""
        except Exception as error:  # one damaged page, not the whole file
            unreadable = KnowledgeError(
                "unreadable_page", _("The page could not be read: %(detail)s"), detail=error
            )
            report.skip(where, "", unreadable)
            continue
        lines = [line.strip() for line in text.splitlines()]
        lines = [line for line in lines if line and not PAGE_NUMBER.match(line)]
        if not lines:
            no_text.append(where)
        blocks += [Block(paragraph, where) for paragraph in unwrap(lines)]
    no_text_layer = KnowledgeError(
        "no_text_layer", _("No text layer (a scanned image?): nothing to import.")
    )
    if not blocks:
        report.skip(gettext("the whole file"), "", no_text_layer)
        return []
    for where in no_text:
        report.skip(where, "", no_text_layer)
    return split_document(blocks, report)


def unwrap(lines: list[str]) -> list[str]:
    """A page's lines joined into paragraphs: a line as long as the page's longest, without
    a sentence end, continues on the next unless that one starts a question, an answer or a
    numbered point."""
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    previous = ""
    for line in lines:
        continues = (
            paragraphs
            and width >= 20
            and len(previous) >= 0.8 * width
            and not previous.endswith(SENTENCE_END)
            and not (QUESTION.match(line) or ANSWER.match(line) or NUMBERED.match(line))
        )
        if continues:
            space = " " if previous[-1].isascii() and line[0].isascii() else ""
            paragraphs[-1] += space + line
        else:
            paragraphs.append(line)
        previous = line
    return paragraphs


# --- splitting a document into items -----------------------------------------------------


def split_document(blocks: list[Block], report: ImportReport) -> list[Entry]:
    """Items of a document: questions with their answers ("问：… 答：…", "Q: … A: …"),
    else headings or numbered questions ("1. …？", "一、…") each with the paragraphs below
    it, else the whole document as one item titled by its heading or first line."""
    if not blocks:
        return []
    has_answers = any(ANSWER.match(b.text) or INLINE_ANSWER.search(b.text) for b in blocks)
    if has_answers and any(QUESTION.match(b.text) for b in blocks):
        entries = split_questions_and_answers(blocks, report)
    else:
        entries = split_at_headings(blocks, report)
    entries = entries or [whole_document(blocks)]
    too_many(len(entries))
    return entries


def starts_item(block: Block) -> bool:
    text = block.text
    if block.heading:
        return True
    if (NUMBERED.match(text) or block.is_numbered) and text.endswith(QUESTION_END):
        return True
    return is_section(block)


def is_section(block: Block) -> bool:
    """A heading: by its style, or a short line numbered 一、二、… that is not a sentence."""
    if block.heading is not None:
        return True
    text = block.text
    return bool(
        CHINESE_NUMBERED.match(text)
        and len(text) <= 40
        and not re.search(r"[。；;，,]", text)
        and not text.endswith(("：", ":"))
    )


def title_of(text: str) -> str:
    return NUMBERED.sub("", text, count=1).strip() or text


def split_at_headings(blocks: list[Block], report: ImportReport) -> list[Entry]:
    starts = [i for i, block in enumerate(blocks) if starts_item(block)]
    if not starts:
        return []
    note_preamble(blocks[: starts[0]], report)
    entries = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(blocks)
        head, body = blocks[start], blocks[start + 1 : end]
        if not body and not head.text.endswith(QUESTION_END):
            continue  # a section's heading, its items follow
        text = "\n".join(block.text for block in body)
        entries.append(Entry(head.where, {"title": title_of(head.text), "text": text}))
    return entries


def split_questions_and_answers(blocks: list[Block], report: ImportReport) -> list[Entry]:
    entries: list[Entry] = []
    preamble: list[Block] = []
    current: tuple[str, list[str], list[str]] | None = None  # where, question, answer
    answering = False

    def close() -> None:
        if current is not None:
            where, question, answer = current
            title = join_lines(question)
            entries.append(Entry(where, {"title": title, "text": "\n".join(answer)}))

    for i, block in enumerate(blocks):
        text = block.text
        if question := QUESTION.match(text):
            close()
            rest = text[question.end() :]
            inline = INLINE_ANSWER.search(rest)
            if inline:
                current = (block.where, [rest[: inline.start()]], [rest[inline.end() :]])
            else:
                current = (block.where, [rest], [])
            answering = bool(inline)
            continue
        if current is None:
            preamble.append(block)
            continue
        answer = ANSWER.match(text)
        if answer and not answering:
            answering = True
            current[2].append(text[answer.end() :])
            continue
        next_is_question = i + 1 < len(blocks) and QUESTION.match(blocks[i + 1].text)
        if answering and next_is_question and is_section(block):
            close()  # a section's heading between two items
            current, answering = None, False
            continue
        current[2 if answering else 1].append(text)
    close()
    note_preamble(preamble, report)
    return entries


def join_lines(lines: list[str]) -> str:
    text = ""
    for line in (line.strip() for line in lines):
        if text and line and text[-1].isascii() and line[0].isascii():
            text += " "
        text += line
    return text


def note_preamble(blocks: list[Block], report: ImportReport) -> None:
    """Text before the first item is reported, unless it is only the document's title."""
    body = [block for block in blocks if block.heading is None]
    if len(body) <= 1 and all(len(block.text) <= 50 for block in body):
        return
    left_out = KnowledgeError(
        "before_first_item", _("Text before the first question; not imported.")
    )
    report.skip(blocks[0].where, blocks[0].text, left_out)


def whole_document(blocks: list[Block]) -> Entry:
    head = next((block for block in blocks if block.heading is not None), blocks[0])
    text = "\n".join(block.text for block in blocks if block is not head) or head.text
    return Entry(head.where, {"title": title_of(head.text), "text": text})
