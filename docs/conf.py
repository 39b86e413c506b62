"""Sphinx configuration of the sksssm documentation.

Build with warnings as errors: ``bash .ci/docs``, i.e.
``sphinx-build -W --keep-going -b html docs docs/_build/html``. The gallery runs
``examples/plot_*.py`` with ``SKSSSM_DOCS_FAST=1``, which the examples read to use fewer
epochs and less data.
"""

import os
import re
import warnings

import sksssm

# The examples read this to keep the gallery build to a few minutes on 2 CPU cores.
os.environ.setdefault("SKSSSM_DOCS_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sksssm"
author = "The sksssm developers"
copyright = "2025, The sksssm developers"  # noqa: A001 (Sphinx's name)
version = release = sksssm.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb"]
templates_path = ["_templates"]

# -- API reference: autosummary pages from the numpydoc docstrings ----------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # the numpydoc "Parameters" sections already give the types
numpydoc_show_class_members = False  # members are listed by autosummary, not numpydoc
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Every cross-reference must resolve (a public name missing from this reference, or a
# misspelt one, fails the -W build instead of rendering as dead text). Names of other
# projects cannot resolve here (no intersphinx: the build runs offline), nor can the
# private modules' names that docstrings cite for their source; they are ignored.
nitpicky = True
_EXTERNAL = (
    r"(builtins|collections|numbers|typing|pickle|numpy|np|scipy|torch|nn|sklearn|pandas|pd"
    r"|sktime|skorch|dask|matplotlib|statsmodels)"
)
nitpick_ignore_regex = [
    (r"py:.*", _EXTERNAL + r"(\..*)?"),
    (r"py:.*", r"(.*\.)?_[a-z].*"),  # private modules and names (see the source)
]


def _skip_sklearn_members(app, what, name, obj, skip, options):
    """Document our own methods, not scikit-learn's generated metadata-routing setters."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


# "of shape (n, n_filters_)" in a numpydoc type is reStructuredText: escape the trailing
# "_" of fitted-attribute names inside the shape, or docutils reads them as link targets.
_SHAPE = re.compile(r"shape \(([^)]*)\)")
_TRAILING_UNDERSCORE = re.compile(r"(\w)_(?=[,\s]|$)")


def _escape_shape(match):
    return "shape (" + _TRAILING_UNDERSCORE.sub(r"\1\\_", match.group(1)) + ")"


def _escape_attribute_names_in_shapes(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        lines[i] = _SHAPE.sub(_escape_shape, line)


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_members)
    app.connect("autodoc-process-docstring", _escape_attribute_names_in_shapes, priority=400)


# -- Markdown (MyST) user guide -----------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
# docs/benchmarks.md is written by the benchmark scripts (sections start at "###").
suppress_warnings = ["myst.header"]

# -- Examples gallery ----------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"/_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "matplotlib_animations": False,
}

# sktime and skorch emit deprecation chatter while the gallery runs; it is not ours.
warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=FutureWarning, module="sktime")
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sksssm {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_context = {"default_mode": "light"}
