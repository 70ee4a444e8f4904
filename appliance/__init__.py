"""Argus: a classroom response appliance."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("argus-appliance")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
