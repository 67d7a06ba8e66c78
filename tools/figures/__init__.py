"""Scripts that draw the notebook's figures.

Run `python -m tools.figures` from the repository root to regenerate every SVG under
`notes/<chapter>/img/`. One module per topic; each figure is a function registered with
`@figure(...)` in `_common.py`.
"""

MODULES = (
    "blocks",
    "networks",
    "transformers",
    "conv_ops",
    "detection",
    "curves",
    "training",
    "feature_maps",
    "signals",
)
