"""Maintenance tools for the shipped notebook (not part of the installed `kb` package)."""
