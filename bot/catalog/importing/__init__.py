"""Importing a list into the catalog, in stages (``bot.catalog.importer`` runs them in order):

1. :mod:`.decode`: bytes to text; a file that is not a list of this kind is refused.
2. :mod:`.state`: the catalog as the import sees it, read in six queries.
3. :mod:`.plan` (pure, with :mod:`.merge` for one entry's fields, under :mod:`.options`): the
   document merged into the state on paper, a :class:`~.plan.Plan`. ``--dry-run`` stops here.
4. :mod:`.apply`: the plan written with bulk statements; :mod:`.record` keeps it as a revision.
5. :mod:`.report`: what was done, as lines, JSON and a diff of the export.

Nothing here imports :mod:`bot.catalog.service` (the service imports the importer).
"""
