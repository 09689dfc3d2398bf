"""Report writers: JSON (machines), HTML (people, self-contained), XLSX (inspectors)."""

from checking.reports.html import write_html
from checking.reports.json import write_json
from checking.reports.xlsx import write_xlsx

__all__ = ["write_html", "write_json", "write_xlsx"]
