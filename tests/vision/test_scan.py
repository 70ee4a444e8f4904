"""scan_photo: colour JPEG photos with several turned cards, and files that are not images."""
import cv2
import numpy as np
import pytest

from appliance.config import CardSettings, ReaderSettings
from appliance.vision import synthetic
from appliance.vision.cards import render_card
from appliance.vision.reader import CardReader
from appliance.vision.scan import UnreadableImage, scan_photo


@pytest.fixture(scope="module")
def reader():
    return CardReader(ReaderSettings(), CardSettings())


def test_a_colour_jpeg_photo_is_read(tmp_path, reader):
    rng = np.random.default_rng(5)
    gray = synthetic.clutter(rng, 1080, 1920, 12)
    for i, (card, turns) in enumerate([(42, 2), (3, 0), (64, 3), (17, 1)]):
        gray[100:400, 50 + i * 450:350 + i * 450] = np.rot90(render_card(card, 300), turns)
    synthetic.place_card(gray, 30, synthetic.card_quad(rng, (900, 800), 60, 1))
    colour = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    colour[:, :, 2] = cv2.add(colour[:, :, 2], 40)  # warm light, as in a real room
    path = tmp_path / "class photo.jpg"
    cv2.imwrite(str(path), colour, [cv2.IMWRITE_JPEG_QUALITY, 80])
    result = scan_photo(path, reader)
    assert result["photo"] == str(path)
    assert result["cards"] == [{"card": 3, "answer": "A"}, {"card": 17, "answer": "B"}, {"card": 30, "answer": "B"},
                               {"card": 42, "answer": "C"}, {"card": 64, "answer": "D"}]
    assert isinstance(result["ms"], float) and result["ms"] >= 0


@pytest.mark.parametrize("name, content", [("notes.jpg", b"this is not an image"), ("empty.png", b""),
                                           ("missing.jpg", None)])
def test_files_that_are_not_images_are_named(tmp_path, reader, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableImage, match=name):
        scan_photo(path, reader)
