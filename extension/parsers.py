"""DRF's JSON parser, but a body nested deeper than Python's recursion limit is a 400 like any
other malformed JSON (DRF catches only ValueError; json raises RecursionError, which was a 500)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply") from exc
