"""Pagination shared by every list endpoint."""
from rest_framework.pagination import LimitOffsetPagination as _LimitOffset


class LimitOffsetPagination(_LimitOffset):
    """`?limit=&offset=` with a hard ceiling so one request cannot ask for everything."""

    default_limit = 200
    max_limit = 1000
