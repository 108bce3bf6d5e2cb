"""Members' votes for catalog entries (issue 22, part 2): ``service`` (a vote cast, withdrawn,
toggled, in the caller's unit of work), ``actions`` (the one door every vote goes through),
``queries`` (the period's most voted entries and an entry's count, through ``db.read``) and
``periods`` (``week`` / ``month`` and the cut-off they mean). Votes are a weak signal of what the
community finds useful; nothing scores with them yet (docs/relevance.md, "Votes")."""
