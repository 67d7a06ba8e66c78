"""Paper notes: arXiv ids and metadata, BibTeX both ways, creating numbered notes, reading lists."""
