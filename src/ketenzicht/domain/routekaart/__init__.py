"""Signalenroutekaart: which chain partner to contact for a signal of human trafficking.

The map itself (questions, answers, outcomes, partners and their contact details) is
data: one versioned YAML file per police unit under ``ketenzicht/data/routekaart``.
This module only loads, validates and walks such a map, so a region can change a
phone number or add a question without a code change. The format and the validation
rules are described in ``docs/routekaart.md``.

Two routes share one node graph (seed 001, bijlage 1):

* ``slachtoffer`` -- a (possibly) identifiable victim;
* ``locatie`` -- a location where trafficking is suspected.

Every question node tests one answer key (``acuutGevaar``, ``uitbuitingsvormen`` ...)
and has exactly two branches, ``ja`` and ``nee``. Outcome nodes name partners with a
reason and may continue (``daarna``) to a further node, so one walk can collect
several partners (e.g. 112 *and* the zorgcoördinator).

Answers may be incomplete: :func:`advise_partial` gives the advice that holds whatever the
open answers turn out to be (112 as soon as acute danger is known) and the questions still
open, in the order a walk would ask them.

No Django here: the web page, the API endpoint and the management command are thin
shells around :func:`load_region`, :func:`advise`, :func:`advise_partial` and
:func:`next_question`. The package is split by topic: ``model`` (vocabulary, errors, data),
``loading`` (YAML and shape), ``validation`` (meaning and graph), ``engine`` (complete
answers) and ``partial`` (incomplete answers).
"""

from ketenzicht.domain.routekaart.engine import advise, next_question
from ketenzicht.domain.routekaart.loading import (
    available_regions,
    default_data_dir,
    load_map,
    load_map_text,
    load_region,
)
from ketenzicht.domain.routekaart.model import (
    ADVIES_SOORTEN,
    ANTWOORD_SLEUTELS,
    BOOL_SLEUTELS,
    JA,
    LIJST_SLEUTEL,
    NEE,
    ROUTE_KNOOP,
    ROUTE_SLEUTEL,
    ROUTE_VRAAG,
    ROUTES,
    UITBUITINGSVORMEN,
    VRAAG_SLEUTELS,
    Advice,
    AdviceItem,
    Answer,
    MissingAnswerError,
    Node,
    OutcomeAdvice,
    Partner,
    PathStep,
    Question,
    RouteInfo,
    RoutekaartError,
    RoutekaartInputError,
    RouteMap,
)
from ketenzicht.domain.routekaart.partial import advise_partial
from ketenzicht.domain.routekaart.validation import validate

__all__ = [
    "ADVIES_SOORTEN",
    "ANTWOORD_SLEUTELS",
    "BOOL_SLEUTELS",
    "JA",
    "LIJST_SLEUTEL",
    "NEE",
    "ROUTES",
    "ROUTE_KNOOP",
    "ROUTE_SLEUTEL",
    "ROUTE_VRAAG",
    "UITBUITINGSVORMEN",
    "VRAAG_SLEUTELS",
    "Advice",
    "AdviceItem",
    "Answer",
    "MissingAnswerError",
    "Node",
    "OutcomeAdvice",
    "Partner",
    "PathStep",
    "Question",
    "RouteInfo",
    "RouteMap",
    "RoutekaartError",
    "RoutekaartInputError",
    "advise",
    "advise_partial",
    "available_regions",
    "default_data_dir",
    "load_map",
    "load_map_text",
    "load_region",
    "next_question",
    "validate",
]
