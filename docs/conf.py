"""Sphinx settings of the course's book (`make book`; see tools/book.py, which assembles the sources).

Sphinx reads the executed notebooks with MyST-NB and never runs them (`nb_execution_mode = "off"`).
Everything a page loads comes from the site itself, so that it works in a lab without internet:
MathJax 3 is copied into `_static/mathjax/` by tools/book.py, and no widget script is loaded
(the course's explorers show the picture they drew; tools/book.py replaces their controls).
"""

import os

project = "Convolutional neural networks, hands on"
author = "the course's authors"
copyright = "the course's authors, MIT licence"
language = "en"

extensions = ["myst_nb"]
root_doc = "docs/index"
exclude_patterns = ["_extra", "_static", "conf.py"]

# MyST: $...$ and $$...$$ math, anchors for the headings that links name (as on GitHub).
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 4

# MyST-NB: show what the notebooks printed and drew when they ran; run nothing.
nb_execution_mode = "off"
nb_merge_streams = True
nb_render_markdown_format = "myst"  # the notebooks' Markdown outputs may hold math
nb_ipywidgets_js = {}  # no widget manager from a CDN: widgets are shown as their picture
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

# MathJax 3 from the site itself (SVG output: no web fonts to load).
# MyST sets its options (which elements to typeset); MathJax 3 reads them as MathJax 4 would.
mathjax_path = "mathjax/tex-svg.js"

html_theme = "sphinx_book_theme"
html_title = project
html_static_path = ["_static"]
html_extra_path = ["_extra"]  # the notebooks as stored, beside their pages, for the download links
html_css_files = ["book.css"]
html_last_updated_fmt = None
html_show_sphinx = True
html_copy_source = True
html_show_sourcelink = False

home = "https://github.com/cnn-course/cnn-course"
try:
    from tools.notebooks import HOME

    home = f"https://github.com/{HOME}"
except ImportError:  # Sphinx started without the repository on the path
    pass

html_theme_options = {
    "repository_url": home,
    "repository_branch": "main",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
# Light unless the reader switches: the plots are drawn on white. (The theme reads this from the
# context; without it a first visit logs an error.)
html_context = {"default_mode": "light"}
if os.environ.get("COURSE_BOOK_PROFILE") == "fast":
    html_theme_options["announcement"] = (
        "These pages show a run in the <code>fast</code> profile (small subsets, few epochs), "
        "as made for checks: accuracies are lower than the text quotes."
    )
