"""A client library for accessing DataArts Studio Architecture Excel export API"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
