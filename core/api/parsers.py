"""The API's JSON parser: DRF's, except that a JSON number with a fraction or an exponent keeps
the text it was written with, so a money field can hold it to the plain decimal rule (a JSON
1e3 is refused as "1e3" is; a JSON 499.99 is accepted as "499.99" is)."""

from __future__ import annotations

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings
from rest_framework.utils import json


class JsonNumber(float):
    """A float read from JSON, with `json_text`, the number as the client wrote it. Everywhere
    else it is the float DRF's own parser would have given."""

    json_text: str

    @classmethod
    def of(cls, text: str) -> JsonNumber:
        number = cls(text)
        number.json_text = text
        return number


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (NaN and Infinity refused as before), numbers keeping their text."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parsers.get_encoding(parser_context)
        try:
            decoded_stream = codecs.getreader(encoding)(stream)
            parse_constant = json.strict_constant if api_settings.STRICT_JSON else None
            return json.load(
                decoded_stream, parse_constant=parse_constant, parse_float=JsonNumber.of
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
