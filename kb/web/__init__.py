"""`kb serve`: the notebook as a local website, a front end over `kb.Notebook` like the CLI."""
