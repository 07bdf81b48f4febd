"""The meeting briefing (会议简报): one Briefing object gathered from the functions the
pages use (``data``), and the three files made from it (``files``): a PDF of one or two
A4 pages (``pdf``, reportlab), a workbook of one sheet per table (``xlsx``, openpyxl)
and the coverage map as an image (``static_map``, geopandas and matplotlib on Agg).

The page (会议简报) and ``python -m geo briefing`` call the same functions, so that the
handout shows what the overview and the Departments page show.
"""
