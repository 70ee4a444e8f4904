"""The marker dictionary: distances that make misreads impossible without several wrong cells."""
from appliance.vision import markers


def test_dictionary_distances_are_as_documented():
    codes = markers.load_codes()
    assert len(codes) == markers.MAX_CARDS == len(set(codes))
    stats = markers.measure(codes)
    assert stats.min_distance == 4  # a wrong card needs 4 wrong cells
    assert stats.min_self_distance == 8  # a wrong answer needs 8


def test_stored_codes_are_what_the_documented_search_produces():
    assert markers.search_codes(seed=16) == markers.load_codes()


def test_every_code_is_rotation_asymmetric_and_not_near_solid():
    for code in markers.load_codes():
        assert len(set(markers.rotations(code))) == 4
        assert 5 <= int(markers.bits_of(code).sum()) <= 11
