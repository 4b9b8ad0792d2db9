"""English dates as the site writes them: "18 May 2023", short "18 May 2023" in tables, "May 2023".

Russian uses Django's own formats ("18 мая 2023 г.", short "18.05.2023", "май 2023 г."); templates and
Python ask for these by name (DATE_FORMAT, SHORT_DATE_FORMAT, YEAR_MONTH_FORMAT), never by pattern (issue 10).
"""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
YEAR_MONTH_FORMAT = "F Y"
