"""Relevance: is a new arXiv paper one the list should have?

- :mod:`bot.relevance.cues`: hand-written phrases with hand-set weights (features, not a scorer);
- :mod:`bot.relevance.model`: run time: features, the calibrated linear model, readable reasons;
- :mod:`bot.relevance.propose`: the name, kind and topics proposed for a suggestion;
- :mod:`bot.relevance.train`: corpus, frozen split, training (NumPy, imported only to train);
- :mod:`bot.relevance.store`: models in the database, labels from decisions, guarded retraining.
"""
