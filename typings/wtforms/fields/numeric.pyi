from decimal import Decimal

from wtforms.fields.core import Field

class IntegerField(Field):
    data: int | None

class DecimalField(Field):
    data: Decimal | None
