"""CSV exports that open cleanly in a spreadsheet: shared by the registrations table and the documents."""
import csv
import io

# A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(header, rows) -> str:
    """CSV with a BOM (spreadsheets then read UTF-8); a cell that would run as a formula is quoted."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_cell(value) for value in header])  # question labels are typed by hosts
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
