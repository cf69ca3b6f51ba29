"""Chinese first: every user-facing string of the platform has its Simplified Chinese text."""

import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

import hotline

PO = Path(hotline.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_message_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first is the header
    untranslated = [
        e
        for e in entries
        if re.search(r'^msgstr ""\s*$', e, re.M) and not re.search(r'^msgstr ""\n"', e, re.M)
    ]
    assert untranslated == []
    assert "#, fuzzy" not in text


def test_statuses_and_roles_read_in_chinese():
    with translation.override("zh-hans"):
        assert gettext("Registered") == "已受理"
        assert gettext("Dispatcher") == "派单员"
