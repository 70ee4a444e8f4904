"""A synthetic classroom seen by the ceiling camera: pure, deterministic given a numpy Generator, no I/O.

Used by the simulated camera (camera/sim.py) and by reader benchmarks. Build a `Scene` once (it caches the
static backdrop, the noise field and the card images), then `render` it with the cards held up at that moment.
"""
from appliance.scene.camera import PinholeCamera
from appliance.scene.effects import Effects
from appliance.scene.held import ANSWER_TURN_DEGREES, HeldCard, random_hold
from appliance.scene.render import CardTruth, Rendered, Scene
from appliance.scene.room import Room, Student

__all__ = ["PinholeCamera", "Effects", "HeldCard", "random_hold", "ANSWER_TURN_DEGREES", "CardTruth", "Rendered",
           "Scene", "Room", "Student"]
