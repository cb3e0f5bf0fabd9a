"""Programmes: partnerships led by a verified agency, with shared objectives (metrics); their
partners: coprod/services/partners.py."""

from coprod.services.programmes.editing import add_metric, create_programme, update_programme
from coprod.services.programmes.fields import (
    FIELDS,
    MAX_DESCRIPTION,
    MAX_HYPOTHESIS,
    MAX_MONEY,
    MAX_NAME,
    MAX_QUANTITY,
    MAX_SIGNATORY,
    MAX_UNIT,
    parse_date,
    parse_decimal,
)
from coprod.services.programmes.reading import (
    get_programme,
    get_programme_to_manage,
    list_programmes,
)

__all__ = [
    "FIELDS",
    "MAX_DESCRIPTION",
    "MAX_HYPOTHESIS",
    "MAX_MONEY",
    "MAX_NAME",
    "MAX_QUANTITY",
    "MAX_SIGNATORY",
    "MAX_UNIT",
    "add_metric",
    "create_programme",
    "get_programme",
    "get_programme_to_manage",
    "list_programmes",
    "parse_date",
    "parse_decimal",
    "update_programme",
]
