"""Writing .xlsx workbooks in memory (XlsxWriter: well kept, pure Python, writes only). Pure: rows in, bytes
out. Text is always written as text, so a name like "=HYPERLINK(...)" can never become a formula; numbers
stay numbers, so Excel in any locale shows its own decimal mark."""
from __future__ import annotations

import io

import xlsxwriter

Sheets = dict[str, list[list]]  # sheet name → rows; the first row of each is its header


def workbook(sheets: Sheets, header: int = 0) -> bytes:
    """Each sheet's rows; row `header` (0-based) is bold, frozen and filtered, so sorting keeps it on top."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    bold = book.add_format({"bold": True})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(_sheet_name(title))
        widths: dict[int, int] = {}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    sheet.write_number(r, c, value, bold if r == header else None)
                else:
                    sheet.write_string(r, c, str(value), bold if r == header else None)
                widths[c] = max(widths.get(c, 0), min(len(str(value)), 50))
        for c, width in widths.items():
            sheet.set_column(c, c, width + 2)
        if len(rows) > header:
            sheet.freeze_panes(header + 1, 0)
            if len(rows) > header + 1 and rows[header]:
                sheet.autofilter(header, 0, len(rows) - 1, len(rows[header]) - 1)
    book.close()
    return out.getvalue()


def _sheet_name(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    return "".join("-" if ch in "[]:*?/\\" else ch for ch in title)[:31] or "Sheet"
