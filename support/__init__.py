"""Code shared by ``tests/`` and ``bench/`` (neither imports the other): generated feeds, the
labelled relevance set. Not part of the installed package."""
