"""Counting working days loads only the UK's holiday module, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys


def test_counting_working_days_loads_only_the_uk_holiday_module() -> None:
    code = (
        "import sys; from datetime import date;"
        "from escalation_engine.domain.calendar import WorkingCalendar;"
        "assert not WorkingCalendar().is_working_day(date(2026, 12, 25));"
        "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "['holidays.countries.united_kingdom']"
