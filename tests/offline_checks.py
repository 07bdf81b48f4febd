"""Checks that a rendered page loads nothing from another origin (test helpers).

They look for what ``geo.offline.configure_offline_assets`` cannot repoint: remote asset
URLs in HTML and CSS, code that needs a dropped library (jQuery, Bootstrap,
awesome-markers), and folium classes whose default assets are still remote.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator

from folium.elements import JSCSSMixin

_REMOTE = re.compile(r"^\s*(?:https?:|//)", re.IGNORECASE)
_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(
    r"""(?:^|\s)(src|href|xlink:href|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*?))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_NON_ASSET_TAGS = frozenset({"a", "area"})
_JS_UNESCAPES = (
    ("\\u003c", "<"),
    ("\\u003e", ">"),
    ("\\u0026", "&"),
    ("\\u0027", "'"),
    ('\\"', '"'),
    ("\\/", "/"),
)
_DROPPED_DEPENDENCIES = re.compile(
    r"(?<![\w$])\$\s*(?:\(|\.\w)|\bjQuery\b|\bL\.AwesomeMarkers\b|\bbootstrap\.[A-Z]|\bdata-bs-\w"
)



def _first(groups: tuple[str | None, ...]) -> str:
    return next((g for g in groups if g is not None), "")


def _asset_refs(html: str) -> Iterator[str]:
    for tag in _TAG.finditer(html):
        if tag.group(1).lower() in _NON_ASSET_TAGS:
            continue
        for attr in _ATTR.finditer(tag.group(2)):
            yield _first(attr.groups()[1:])
    for match in _CSS_URL.finditer(html):
        yield _first(match.groups())
    for match in _CSS_IMPORT.finditer(html):
        yield _first(match.groups())


def is_remote(url: str) -> bool:
    """Return whether ``url`` points to another origin.

    Parameters
    ----------
    url : str
        A URL as written in HTML or CSS.

    Returns
    -------
    bool
        True if it starts with ``http:``, ``https:`` or ``//``.
    """
    return bool(_REMOTE.match(url))


def remote_asset_links(html: str) -> list[str]:
    """Find every asset URL in ``html`` that is not same-origin.

    The function looks at ``src``, ``href``, ``xlink:href`` and ``poster``
    attributes, CSS ``url(...)`` and ``@import``. ``<a>``/``<area>`` links are
    skipped because they load nothing. HTML escaped inside JavaScript strings
    (``\\u003cimg src=\\"...\\"``) is checked too.

    Parameters
    ----------
    html : str
        A rendered page, e.g. ``m.get_root().render()``.

    Returns
    -------
    list of str
        The remote URLs in order of first appearance, without duplicates.
    """
    unescaped = html
    for escaped, plain in _JS_UNESCAPES:
        unescaped = unescaped.replace(escaped, plain)
    found: dict[str, None] = {}
    for text in (html, unescaped):
        for ref in _asset_refs(text):
            if is_remote(ref):
                found.setdefault(ref.strip(), None)
    return list(found)


def dropped_dependency_usages(html: str) -> list[str]:
    """Find code in ``html`` that needs a library the offline setup dropped.

    The function looks for jQuery (``$(``, ``$.x``, ``jQuery``),
    ``L.AwesomeMarkers`` and Bootstrap JS (``bootstrap.Modal`` etc., ``data-bs-*``).
    The ``${...}`` of a JavaScript template literal does not count.

    Parameters
    ----------
    html : str
        A rendered page, e.g. ``m.get_root().render()``.

    Returns
    -------
    list of str
        Each use with up to 40 characters of context on either side.
    """
    return [
        " ".join(html[max(m.start() - 40, 0) : m.end() + 40].split())
        for m in _DROPPED_DEPENDENCIES.finditer(html)
    ]


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def remote_default_assets() -> dict[str, list[str]]:
    """List folium/branca classes whose ``default_js``/``default_css`` are remote.

    The function imports ``folium.plugins`` and walks every subclass of
    ``folium.elements.JSCSSMixin``. URLs that ``render()`` adds directly are
    not included, e.g. branca ``ColorMap`` (d3) and ``VegaLite`` (vega).

    Returns
    -------
    dict of str to list of str
        ``"module.Class"`` mapped to its remote URLs, sorted by name.
    """
    importlib.import_module("folium.plugins")
    result: dict[str, list[str]] = {}
    for cls in set(_all_subclasses(JSCSSMixin)):
        links = [*getattr(cls, "default_js", []), *getattr(cls, "default_css", [])]
        remote = [link for _, link in links if is_remote(link)]
        if remote:
            result[f"{cls.__module__}.{cls.__qualname__}"] = remote
    return dict(sorted(result.items()))
