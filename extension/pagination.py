"""Page-number pagination of every list: `page` (1-based) and `size` (default 5, at most 50).

DRF's own rules apply: a zero, negative or non-numeric `size` falls back to 5, a larger one is cut
to 50, and a `page` that is not a page (0, abc, past the end) is a 404 in the envelope.
"""

from rest_framework.pagination import PageNumberPagination

from extension.response import APIResponse


class StandardPagination(PageNumberPagination):
    page_size = 5
    page_size_query_param = "size"
    max_page_size = 50

    def get_paginated_response(self, data):
        return APIResponse(
            {
                "count": self.page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )
