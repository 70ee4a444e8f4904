"""Argus: a classroom response appliance."""

# The one place the version is set: pyproject.toml reads it from here (setuptools dynamic version), and
# `argus --version`, /api/v1/health, the admin page and the mDNS announcement all show this value.
__version__ = "0.2.0"
