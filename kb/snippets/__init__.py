"""Runnable snippets: the header that declares them (`header`) and the contained runner (`runner`)."""
