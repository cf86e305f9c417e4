"""The base of the API's viewsets: DRF's GenericViewSet, one action per endpoint.

Each app's urls.py maps its actions to the paths the client has always used with explicit
`as_view({method: action})` maps (the paths are the tutorial's, not a router's); an action with
a name of its own (`cancel`, `recover`) is marked `@action(methods=…)`, as DRF's extra actions
are, which tests/test_api_routes.py holds the maps to. An action validates, calls one service or
selector and answers with `extension.response.APIResponse`.
"""

from rest_framework.permissions import IsAuthenticated
from rest_framework.viewsets import GenericViewSet


class APIViewSet(GenericViewSet):
    """For a logged-in caller unless the viewset says otherwise. Not paged unless the viewset
    pages a list (`pagination_class = StandardPagination`): a list answered whole, like the
    cart, must not be documented as a page in the schema."""

    permission_classes = [IsAuthenticated]
    pagination_class = None

    def validated(self, serializer_class, data) -> dict:
        """`data` as `serializer_class` validates it; invalid, a 400 with the field errors."""
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class OwnedObjectMixin:
    """`get_object()` is the caller's own object, found by the app's selector of them
    (`owner_selector(user=…, **URL kwargs)`, the kwargs renamed by `owner_arguments`): anyone
    else's is that selector's 404, never a 403, so ids cannot be probed."""

    owner_selector = None  # staticmethod(selector)
    owner_arguments: dict[str, str] = {}  # URL kwarg -> the selector's keyword

    def get_object(self):
        lookup = {self.owner_arguments.get(name, name): value for name, value in self.kwargs.items()}
        obj = self.owner_selector(user=self.request.user, **lookup)
        self.check_object_permissions(self.request, obj)
        return obj
