"""Hugging Face Hub enrichment (issue 20, part 2): what the Hub's paper page links to an arXiv
paper (models, datasets, Spaces, code, project page), for review cards, ``/ptm model`` and the
docs link of an approved paper; a snoozed paper wakes when the Hub first lists a model for it.

``hub`` reads the Hub (pure parsing plus one polite fetch), ``actions`` is the door that stores
what it read (``hub_papers``, ``suggestions.hub``) and wakes snoozed suggestions.
"""
