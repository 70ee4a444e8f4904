"""The file formats schools already use, in and out: spreadsheet and OneRoster rosters, Moodle's GIFT and
Aiken question banks, Kahoot sheets, and gradebooks for Excel in every locale, Canvas, Moodle and OneRoster.
Pure: bytes or text in, records or bytes out, every problem naming its line, row or cell (docs/FORMATS.md)."""
