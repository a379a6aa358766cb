"""Custom auth as `langgraph_sdk.Auth` defines it: authenticate at the HTTP edge, authorize
in the services. With no `Auth` configured none of this runs (no `Access` is ever built)."""

from skeino.auth.authorize import Access, Authorizer
from skeino.auth.user import AuthUser

__all__ = ["Access", "AuthUser", "Authorizer"]
