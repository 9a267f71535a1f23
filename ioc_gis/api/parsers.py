"""Request body parsers for the API.

DRF's JSONParser hands the body straight to `json.load`, whose decoder recurses once per nesting
level: a 50,000-deep array ends in RecursionError, i.e. a 500. DRF also reads the request stream
itself, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE check (done only in `HttpRequest.body`) never
runs. `SafeJSONParser` enforces both limits before decoding."""
import codecs
import io
import re
from itertools import accumulate

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_JSON_DEPTH = 64

# One pass, linear time: JSON strings (possibly unterminated, possibly ending in a lone backslash)
# and runs of everything that is not a bracket or a quote. Possessive quantifiers and an
# alternative that always matches from a quote keep the regex from backtracking quadratically.
_NOT_STRUCTURE = re.compile(rb'"(?:[^"\\]++|\\.?)*+(?:"|\Z)|[^\[\]{}"]++', re.DOTALL)
_STEP = [0] * 256
for _byte in b"[{":
    _STEP[_byte] = 1
for _byte in b"]}":
    _STEP[_byte] = -1


class RequestTooLarge(APIException):
    """The body is larger than the API accepts (413)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Nội dung yêu cầu quá lớn. / Request body too large."
    default_code = "request_too_large"


def max_json_depth() -> int:
    """IOC_MAX_JSON_DEPTH, read per request so tests and deployments can change it."""
    return getattr(settings, "IOC_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)


def max_body_size() -> int | None:
    """Django's DATA_UPLOAD_MAX_MEMORY_SIZE (None means no limit, as in Django)."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def nesting_depth(raw: bytes) -> int:
    """Most brackets (`[`, `{`) open at once outside strings, in linear time.

    The decoder's recursion never goes deeper than this, even on malformed input (it stops at
    the first error), so a body within the limit cannot exhaust the stack."""
    skeleton = _NOT_STRUCTURE.sub(b"", raw)
    return max(accumulate(map(_STEP.__getitem__, skeleton), initial=0))


def read_body(stream, *, limit: int | None) -> bytes:
    """The whole body, refusing to hold more than `limit` bytes in memory."""
    if limit is None:
        return stream.read()
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise RequestTooLarge()
    return raw


def as_utf8(raw: bytes, encoding: str) -> bytes:
    """The body in UTF-8, which the byte scan relies on: in UTF-16 or Shift_JIS a quote,
    backslash or bracket byte can be half of another character."""
    if codecs.lookup(encoding).name == "utf-8":
        return raw
    try:
        return raw.decode(encoding).encode("utf-8")
    except UnicodeError:
        raise ParseError(f"Nội dung không đúng mã {encoding}. / Body is not valid {encoding}.") from None


class SafeJSONParser(JSONParser):
    """JSONParser with a body-size limit and a nesting-depth limit checked before decoding."""

    def parse(self, stream, media_type=None, parser_context=None):
        """Parse the body, or raise ParseError (400) / RequestTooLarge (413)."""
        context = {**(parser_context or {})}
        raw = read_body(stream, limit=max_body_size())
        raw = as_utf8(raw, context.get("encoding", settings.DEFAULT_CHARSET))
        context["encoding"] = "utf-8"
        limit = max_json_depth()
        if nesting_depth(raw) > limit:
            raise ParseError(f"JSON lồng nhau quá sâu (tối đa {limit} cấp). / "
                             f"JSON nested too deeply (at most {limit} levels).")
        try:
            return super().parse(io.BytesIO(raw), media_type, context)
        except RecursionError:
            # Unreachable with a sane limit; kept so a misconfigured limit is a 400, not a 500.
            raise ParseError("JSON lồng nhau quá sâu. / JSON nested too deeply.") from None
