"""Folium elements that bind already-escaped HTML safely, without jQuery.

folium's own Popup and Tooltip paste their text into a JavaScript template literal (and
Popup needs jQuery); these pass the content as a JSON string literal instead, so no text can
break out of the script, and the caller escapes every user string for the HTML it becomes.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, MacroElement
from folium.template import Template


class BoundPopup(MacroElement):
    """A popup holding `html` (already escaped), bound to its parent layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindPopup({{ this.html|tojson }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, html: str, *, max_width: int = 420) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "BoundPopup"
        self.html = html
        # The map pans an opened popup fully into view, clear of the zoom control (top left)
        # and of the scale bar and attribution (bottom).
        self.options: dict[str, Any] = {"maxWidth": max_width, "className": "sr-popup",
                                        "autoPan": True, "autoPanPaddingTopLeft": [60, 90],
                                        "autoPanPaddingBottomRight": [20, 40]}


class BoundTooltip(MacroElement):
    """A tooltip holding `html` (already escaped), bound to its parent layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.bindTooltip({{ this.html|tojson }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, html: str, *, sticky: bool = True, permanent: bool = False,
                 direction: str = "auto", class_name: str = "",
                 offset: tuple[int, int] | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "BoundTooltip"
        self.html = html
        self.options: dict[str, Any] = {"sticky": sticky and not permanent, "permanent": permanent,
                                        "direction": direction}
        if class_name:
            self.options["className"] = class_name
        if offset is not None:
            self.options["offset"] = list(offset)


class Script(MacroElement):
    """A piece of JavaScript run after everything added to the map before it; `{map}` in `code`
    is replaced by the map's variable name."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            (function (map) { {{ this.code }} })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, code: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Script"
        if "</" in code:  # pragma: no cover - constant code only
            raise ValueError("a script may not contain '</'")
        self.code = code


def add_panel(root: Element, html: str, name: str) -> None:
    """Put an HTML panel (already escaped) over the map, in the page body."""
    root.html.add_child(Element(html), name=name)  # type: ignore[attr-defined]


def add_style(root: Element, css: str, name: str) -> None:
    """Add a stylesheet to the page head."""
    root.header.add_child(Element(f"<style>{css}</style>"), name=name)  # type: ignore[attr-defined]
