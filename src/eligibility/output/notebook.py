"""How results show in a notebook (Jupyter, or anything that asks an object for `_repr_html_`
or `_repr_svg_`): a report as its summary and each provision in full, a timeline as its
picture.  The same renderers as `eligibility report` and `timeline --format svg`.

The models are built by earlier stages, which know nothing of pictures; the public API
(`eligibility.api`) attaches these views to the classes it returns.  The renderers are loaded
when a notebook first asks, so a command that never shows a picture does not pay for them.
"""

from __future__ import annotations

from typing import Any

# a model class's name -> the notebook method it gains, and the renderer in output.pictures behind it
VIEWS = {"Report": ("_repr_html_", "report_fragment"), "Timeline": ("_repr_svg_", "timeline_svg")}


def _view(renderer: str) -> Any:
    def show(self: Any) -> str:
        from eligibility.output import pictures

        found: str = getattr(pictures, renderer)(self)
        return found

    return show


def attach(model: type) -> None:
    """Give a report or timeline class its notebook view (once; again is harmless)."""
    method, renderer = VIEWS[model.__name__]
    if method not in vars(model):
        setattr(model, method, _view(renderer))
