"""Network model, loading and validation, with the embedded default Belgium–China network."""

from network.loader import DEFAULT_NETWORK_DIR, load_network
from network.model import AccessRule, Container, Location, Network, Service

__all__ = ["DEFAULT_NETWORK_DIR", "AccessRule", "Container", "Location", "Network", "Service",
           "load_network"]
