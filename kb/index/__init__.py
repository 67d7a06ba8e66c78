"""The index stages: scan → parse (front matter, Markdown) → store (SQLite) and full text (Whoosh).

`kb.index.indexer` runs them; `kb.index.generations` owns the index folder and its writer lock.
"""
