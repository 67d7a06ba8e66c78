"""A small notebook written for the browse tests (`kb list`, `kb graph`, `kb open`): every kind, tags,
years, statuses, Markdown and wiki links, a broken link, a self link, an orphan, a `pdf:` field, and
titles that need escaping in DOT and Mermaid."""

from __future__ import annotations

from pathlib import Path

from conftest import write

NOTES = {
    "papers/[1]LeNet.md": """---
title: "[1]LeNet"
tags: [cnn, classic]
status: read
paper: {title: Gradient-Based Learning, authors: [Yann LeCun, Léon Bottou], year: 1998, doi: 10.1109/5.726791}
---
The first CNN. See [[AlexNet "quoted" 网络]] and [the ResNet note](./[3]ResNet.md).
A [section](#the-first-cnn) of itself and a [broken one](./[99]Missing.md).
""",
    "papers/[2]AlexNet.md": """---
title: 'AlexNet "quoted" 网络'
aliases: [AlexNet]
tags: [cnn]
status: reading
pdf: pdfs/alexnet.pdf
paper: {title: ImageNet Classification, year: 2012}
---
Back to [[LeNet]] and again [LeNet](./[1]LeNet.md).
""",
    "papers/[3]ResNet.md": """---
title: Deep Residual Learning
aliases: [ResNet]
tags: [cnn, residual]
paper: {title: Deep Residual Learning, year: 2016, arxiv: "1512.03385"}
---
Residual blocks; see the chapter [残差](../ch2/[1]residual.md).
""",
    "papers/[10]Orphan.md": """---
title: 'Back\\slash <b>&amp</b> `tick` #hash'
tags: [misc]
paper: {title: Lonely, year: 2020, url: "https://example.org/lonely"}
---
Nobody links here, and it links to nothing but [the web](https://example.org).
""",
    "ch2/[1]residual.md": """---
title: 残差连接
tags: [residual]
---
Why shortcuts help. 见 [[Deep Residual Learning]].
""",
    "ch2/_category_.yml": "label: 第二章\nposition: 2\n",
    "intro.md": "# Welcome\n\nStart with [LeNet](papers/[1]LeNet.md).\n",
}


def make_notebook(root: Path) -> Path:
    """Write the notebook under root/notes (with the PDF its AlexNet note names); return notes/."""
    for rel, text in NOTES.items():
        write(root / "notes", rel, text)
    write(root / "notes", "pdfs/alexnet.pdf", b"%PDF-1.4\n%%EOF\n")
    return root / "notes"
