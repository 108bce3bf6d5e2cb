"""arXiv's subject categories, as its category taxonomy (https://arxiv.org/category_taxonomy) names them.

A moderator's category gate (``gate add never category cs.CY``) names one of these; a category
arXiv does not have (``cs.XX``) would be stored and never match a paper, so it is refused with the
closest real one. The archives without subject classes (``hep-th``, ``quant-ph``) are categories
themselves; ``astro-ph`` and ``cond-mat`` also stand alone on papers from before their split.
"""

from __future__ import annotations

__all__ = ["ARXIV_CATEGORIES", "canonical_category"]

_BY_ARCHIVE: dict[str, str] = {
    "cs": "AI AR CC CE CG CL CR CV CY DB DC DL DM DS ET FL GL GR GT HC IR IT LG LO MA MM MS NA NE NI "
    "OH OS PF PL RO SC SD SE SI SY",
    "econ": "EM GN TH",
    "eess": "AS IV SP SY",
    "math": "AC AG AP AT CA CO CT CV DG DS FA GM GN GR GT HO IT KT LO MG MP NA NT OA OC PR QA RA RT SG SP ST",
    "astro-ph": "CO EP GA HE IM SR",
    "cond-mat": "dis-nn mes-hall mtrl-sci other quant-gas soft stat-mech str-el supr-con",
    "nlin": "AO CD CG PS SI",
    "physics": "acc-ph ao-ph app-ph atm-clus atom-ph bio-ph chem-ph class-ph comp-ph data-an ed-ph "
    "flu-dyn gen-ph geo-ph hist-ph ins-det med-ph optics plasm-ph pop-ph soc-ph space-ph",
    "q-bio": "BM CB GN MN NC OT PE QM SC TO",
    "q-fin": "CP EC GN MF PM PR RM ST TR",
    "stat": "AP CO ME ML OT TH",
}
_STANDALONE = (
    *("astro-ph", "cond-mat", "gr-qc", "hep-ex", "hep-lat", "hep-ph", "hep-th", "math-ph"),
    *("nucl-ex", "nucl-th", "quant-ph"),
)

ARXIV_CATEGORIES: tuple[str, ...] = (
    *(f"{archive}.{subject}" for archive, subjects in _BY_ARCHIVE.items() for subject in subjects.split()),
    *_STANDALONE,
)
_BY_FOLD = {c.casefold(): c for c in ARXIV_CATEGORIES}


def canonical_category(text: str) -> str | None:
    """The category *text* names, as arXiv spells it (``cs.cl`` -> ``cs.CL``), or None."""
    return _BY_FOLD.get(text.strip().casefold())
