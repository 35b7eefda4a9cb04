"""pydantic's messages about the fields of a request (`errors[].message` of a 422), by error type:
said in Armenian from the catalog, in English as pydantic says them. The services' own checks
(`value_error`) are said from their own catalogs when they raise `ValueError(_("..."))`; types
not listed here stay in English."""

from __future__ import annotations

from typing import Any

from shared.i18n import ENGLISH, Message, _, placeholders

_INTEGER = _("Input should be a valid integer")
_NUMBER = _("Input should be a valid number")
_DECIMAL = _("Input should be a valid decimal")
_UUID = _("Input should be a valid UUID")
_DATE = _("Input should be a valid date")
_DATETIME = _("Input should be a valid datetime")
_OBJECT = _("Input should be a valid object")
_URL = _("Input should be a valid URL")
_BOOLEAN = _("Input should be a valid boolean")
_FIELD_MESSAGES: dict[str, Message] = {
    "missing": _("Field required"),
    "extra_forbidden": _("Extra inputs are not permitted"),
    "string_too_short": _("String should have at least {min_length} characters"),
    "string_too_long": _("String should have at most {max_length} characters"),
    "too_short": _("Should have at least {min_length} items, not {actual_length}"),
    "too_long": _("Should have at most {max_length} items, not {actual_length}"),
    "greater_than": _("Input should be greater than {gt}"),
    "greater_than_equal": _("Input should be greater than or equal to {ge}"),
    "less_than": _("Input should be less than {lt}"),
    "less_than_equal": _("Input should be less than or equal to {le}"),
    "multiple_of": _("Input should be a multiple of {multiple_of}"),
    "int_parsing": _INTEGER, "int_type": _INTEGER, "int_from_float": _INTEGER,
    "int_parsing_size": _INTEGER,
    "float_parsing": _NUMBER, "float_type": _NUMBER,
    "finite_number": _("Input should be a finite number"),
    "decimal_parsing": _DECIMAL, "decimal_type": _DECIMAL,
    "decimal_max_digits": _("Decimal input should have no more than {max_digits} digits in total"),
    "decimal_max_places": _(
        "Decimal input should have no more than {decimal_places} decimal places"
    ),
    "decimal_whole_digits": _(
        "Decimal input should have no more than {whole_digits} digits before the decimal point"
    ),
    "uuid_parsing": _UUID, "uuid_type": _UUID,
    "date_parsing": _DATE, "date_type": _DATE, "date_from_datetime_parsing": _DATE,
    "datetime_parsing": _DATETIME, "datetime_type": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "timezone_aware": _("Input should have timezone info"),
    "bool_parsing": _BOOLEAN, "bool_type": _BOOLEAN,
    "string_type": _("Input should be a valid string"),
    "string_pattern_mismatch": _("String should match pattern '{pattern}'"),
    "dict_type": _OBJECT, "model_type": _OBJECT, "model_attributes_type": _OBJECT,
    "list_type": _("Input should be a valid list"),
    "url_parsing": _URL, "url_type": _URL,
    "json_invalid": _("Invalid JSON: {error}"),
}  # fmt: skip


def field_message(error: Any, locale: str) -> str:
    """The message of one pydantic error, in `locale`."""
    english = str(error["msg"])
    if error["type"] == "value_error" and locale != ENGLISH:
        # A service's own check: `raise ValueError(_("..."))` in a validator.
        cause = (error.get("ctx") or {}).get("error")
        text = cause.args[0] if isinstance(cause, ValueError) and cause.args else None
        return text.render(locale) if isinstance(text, Message) else english
    template = _FIELD_MESSAGES.get(error["type"])
    if template is None or locale == ENGLISH:
        return english
    context = {key: str(value) for key, value in (error.get("ctx") or {}).items()}
    if not placeholders(template.msgid) <= set(context):
        return english
    return template.domain(template.msgid, **context).render(locale)
