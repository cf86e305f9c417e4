"""What the users app asks the apps above it, answered by the selector they connect in their
`AppConfig.ready` (see extension/hooks.py)."""

from extension.hooks import Hook

# cart_size(user_id=…) -> the number of lines in the user's cart (the login answer shows it);
# connected by the cart app
cart_size = Hook("users.cart_size", default=lambda *, user_id: 0)
