"""Searching: parse the query language, analyse it once (words, corrections, synonyms), rank with
Whoosh (`engine`), and highlight the hits' text (`highlight`)."""
