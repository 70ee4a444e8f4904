"""The web pages' templates and static files, installed as the package `appliance.web` (setup.py maps this
folder there) so an installed Argus finds them with importlib.resources, with or without a checkout."""
