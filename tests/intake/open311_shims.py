"""TEST-TIME COMPATIBILITY SHIMS for two Python-2-era Open311 clients. Nothing here changes
the clients' code or the server: the packages are installed unchanged from PyPI, and these
functions only make them importable and runnable on Python 3.11.

- ``three`` 0.8.0 imports ``itertools.ifilter`` (Python 2's lazy ``filter``); the name is
  lent for the import only.
- ``open311`` 1.1 uses Python 2's implicit relative imports (``from api import API``), the
  ``Element.getchildren()`` that Python 3.9 removed, and ``urlopen(url, str)`` for POST.
  Its modules are loaded from the installed files under the names they import each other
  by, its XML parser gets an element class that still has ``getchildren``, and its
  ``urlopen`` encodes a str body to bytes.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import types
import urllib.request
from pathlib import Path
from xml.etree import ElementTree


def import_three():
    """SHIM: ``three`` with ``itertools.ifilter`` lent during its import."""
    itertools.ifilter = filter  # Python 2's name for the lazy filter
    try:
        import three
    finally:
        del itertools.ifilter
    return three


class Python2Element(ElementTree.Element):
    """SHIM: an element with Python 2's ``getchildren()``."""

    def getchildren(self):
        return list(self)


def parse_with_getchildren(text):
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(element_factory=Python2Element))
    parser.feed(text)
    return parser.close()


def urlopen_with_bytes(url, data=None):
    """SHIM: Python 2's urlopen took a str body; Python 3's wants bytes."""
    if isinstance(data, str):
        data = data.encode()
    return urllib.request.urlopen(url, data)


def import_open311():
    """SHIM: the ``Open311`` class of python-open311 1.1, loaded from its installed files."""
    root = Path(importlib.util.find_spec("open311").submodule_search_locations[0])
    names = ["object_dict", "xml2dict", "xml2dict.xml2dict", "api", "api.api"]
    saved = {name: sys.modules.get(name) for name in names}
    try:
        load("object_dict", root / "api/xml2dict/object_dict.py")
        load("xml2dict", root / "api/xml2dict/__init__.py", package=root / "api/xml2dict")
        sys.modules["xml2dict.xml2dict"].ET = types.SimpleNamespace(
            fromstring=parse_with_getchildren
        )
        api = types.ModuleType("api")
        api.__path__ = [str(root / "api")]
        sys.modules["api"] = api
        wrapper = load("api.api", root / "api/api.py")
        api.API, api.urlopen, api.urlencode = wrapper.API, wrapper.urlopen, wrapper.urlencode
        module = load("open311_python2", root / "open311.py")
        module.urlopen = urlopen_with_bytes
        return module.Open311
    finally:
        for name, before in saved.items():
            if before is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = before


def load(name: str, path: Path, package: Path | None = None):
    spec = importlib.util.spec_from_file_location(
        name, path, submodule_search_locations=[str(package)] if package else None
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
