"""The catalog's link check (issue 20, part 3): every link of the catalog asked for politely
(:mod:`.check`), what a check means for a link's stored state, failing then dead (:mod:`.state`),
the ``link_checks`` rows and the catalog's links read (:mod:`.store`), and the one door through
which link checks are recorded and a moderator's fix is applied (:mod:`.actions`). The weekly job
is :mod:`.job`."""
