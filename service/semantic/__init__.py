"""The semantic layer over the typed document model (indexing/model.py).

A question's *metric* (支出总计, 项目支出, 三公 and its parts, a 科目 by code or name, a project by
name, …) resolves to cells of the document's standard tables with their unit (`resolve.py`); an
*operation* (value, share, change vs last year, sum, difference, rank across departments) is computed
in `Decimal` in one unit, 万元, and shown as arithmetic over the cited cells (`operations.py`).
`respond.py` turns a plan into the answer: the figure asked for first, then reasons, then sources.
"""

from service.semantic.quantity import Quantity, wan_text  # noqa: F401
