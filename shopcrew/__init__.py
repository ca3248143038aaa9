"""shopcrew: AI digital employees for online merchants."""

from shopcrew.errors import ShopcrewError

__all__ = ["ShopcrewError"]
