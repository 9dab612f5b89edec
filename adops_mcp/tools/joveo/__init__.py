from .operations import VENDOR

__all__ = ["VENDOR"]
