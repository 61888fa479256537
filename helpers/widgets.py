"""Interactive explorers that still show a picture when no front end is attached.

An explorer draws its figure once with the controls' starting values and shows
it as an ordinary image output, so the picture is there in every setting: a
static notebook viewer, nbval, an HTML export. With a live front end (JupyterLab
or Colab) the controls appear under the picture and each change redraws it in
place.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

import matplotlib.pyplot as plt


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def enable_colab_widgets() -> None:
    """On Colab, switch on the widget manager that ipywidgets 8 needs; elsewhere do nothing."""
    try:
        from google.colab import output  # type: ignore[import-not-found]
    except ImportError:
        return
    output.enable_custom_widget_manager()


class Explorer:
    """Controls plus a figure that ``draw(**values)`` makes; see ``explore``."""

    def __init__(self, draw: Callable[..., plt.Figure], controls: Mapping[str, Any]):
        self.draw = draw
        self.controls = dict(controls)
        self.handle = None
        self.error: str | None = None
        for control in self.controls.values():
            control.observe(self._on_change, names="value")

    @property
    def values(self) -> dict[str, Any]:
        """The controls' current values, by keyword."""
        return {name: control.value for name, control in self.controls.items()}

    def render(self) -> bytes:
        """Draw the figure for the current values and return it as PNG bytes.

        If ``draw`` raises (for example on a bad custom kernel typed into a box),
        the message is drawn in place of the figure instead of a traceback.
        """
        try:
            fig = self.draw(**self.values)
            self.error = None
        except Exception as exc:  # shown to the learner, not raised
            self.error = f"{type(exc).__name__}: {exc}"
            fig, ax = plt.subplots(figsize=(6, 1.2))
            ax.axis("off")
            ax.text(0.0, 0.5, "Cannot draw this setting:\n" + self.error, va="center", color="darkred")
        return _png(fig)

    def _on_change(self, _change=None) -> None:
        if self.handle is not None:
            from IPython.display import Image

            self.handle.update(Image(self.render()))

    def show(self) -> Explorer:
        """Display the figure (always) and, in a kernel, the controls under it."""
        from IPython.display import Image, display

        self.handle = display(Image(self.render()), display_id=True)
        if _in_kernel():
            import ipywidgets as widgets

            enable_colab_widgets()
            display(widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")))
        return self


def explore(draw: Callable[..., plt.Figure], **controls: Any) -> Explorer:
    """Show ``draw(**values)`` with ipywidgets controls that redraw it; return the Explorer.

    ``draw`` takes one keyword per control and returns a matplotlib figure.
    Example::

        explore(draw_pooling, size=widgets.IntSlider(value=2, min=1, max=4))
    """
    return Explorer(draw, controls).show()
